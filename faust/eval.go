package faust

import (
	"fmt"
	"slices"
	"strings"
)

// Evaluation follows Faust's two steps. eval turns expressions into values
// (block diagrams, functions, environments) in lexical environments, with
// pattern matching and partial application; a block diagram is a box tree
// whose arity is known when it is built. prop then runs signals through a
// box tree ("symbolic propagation"), building the signal graph.

// value is the result of evaluating an expression: *box, *closure or *envir.
type value any

type boxKind uint8

const (
	bWire boxKind = iota
	bCut
	bConst   // sig
	bPrim    // op with ins inputs
	bSelect2 // select2(s, a, b)
	bDelay   // x @ d
	bMem     // x'
	bAttach  // attach(x, y) = x
	bSeq
	bPar
	bSplit
	bMerge
	bRec
	bSlot     // a function parameter, used as a block (0 in, 1 out)
	bSymbolic // a function used as a block: input 0 binds slot, the rest go to a
	bControl
)

// box is an evaluated block diagram.
type box struct {
	kind      boxKind
	ins, outs int
	at        Pos
	file      string
	a, b      *box
	op        Op
	sig       *Sig
	slot      *slotVar
	ctl       int  // index in evaluator.controls
	infix     bool // an infix primitive: its arguments fill its last inputs
}

type slotVar struct{ name string }

// closure is a function: the rules of a pattern-matching definition, a
// lambda or a case, with the arguments received so far.
type closure struct {
	name  string
	rules []*Rule
	arity int
	env   *envir
	args  []value
	at    Pos
	file  string
	asBox *box // cached conversion to a block diagram
}

// envir is a lexical scope: the definitions of a file, a with, an
// environment or a function application.
type envir struct {
	parent *envir
	names  map[string]*binding
	file   string
	what   string // for messages: "library maths.lib", "environment"
}

type binding struct {
	name  string
	defs  []*Def
	env   *envir // where the definitions live
	val   value
	state uint8 // 0 unevaluated, 1 evaluating, 2 done
}

func (e *envir) lookup(name string) *binding {
	for ; e != nil; e = e.parent {
		if b, ok := e.names[name]; ok {
			return b
		}
	}
	return nil
}

// nearest returns the visible name closest to name (at most two edits
// away, and not too short), for "did you mean" hints.
func (e *envir) nearest(name string) string {
	best, bestD := "", 3
	for ; e != nil; e = e.parent {
		for n := range e.names {
			if d := editDistance(name, n, 3); d < bestD || d == bestD && d < 3 && n < best {
				best, bestD = n, d
			}
		}
	}
	if len(name) < 3 || bestD > 2 || bestD >= len(name)/2+1 {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or max if it is at
// least max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d >= max || -d >= max {
		return max
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], max)
}

type ctlEntry struct {
	c     Control
	file  int
	at    Pos
	sig   *Sig
	first string // where it was first declared, for messages
}

// Limits that keep hostile programs from running forever or exhausting
// the stack; real programs stay far below them.
const (
	maxCalls    = 1500    // nested function calls (recursion of user functions)
	maxDepth    = 20000   // nested evaluations (expression nesting × calls)
	maxSteps    = 500000  // evaluation and propagation steps in all (bp-noise takes 3435)
	maxIter     = 4096    // par/seq/sum/prod repetitions
	maxDelay    = 1 << 20 // samples of a single @ delay (24 s at 44.1 kHz)
	maxNest     = 100000  // depth of a block diagram during propagation
	maxRecTries = 64      // type fixpoint iterations of one recursion
	maxBoxSize  = 1 << 16 // inputs or outputs of one block diagram
)

type evaluator struct {
	b          *builder
	sampleRate float64
	files      []string
	depth      int
	calls      int
	propDepth  int
	steps      int
	controls   []*ctlEntry
	memo       map[string][]*Sig // propagation results (see prop)
	boxIDs     map[*box]int
	slotIDs    map[*slotVar]int
	libs       map[string]*envir
}

// localize turns an error inside a library into an error at the place of
// the user's file that called the library, keeping the library position.
func (ev *evaluator) localize(err error, file string, at Pos) error {
	e, ok := err.(*Error)
	if !ok || file != ev.files[0] || e.File == file {
		return err
	}
	return &Error{File: file, Pos: at, Msg: fmt.Sprintf("%s (at %s:%s)", e.Msg, e.File, e.Pos)}
}

// errorf returns an *Error at a position of a file.
func (ev *evaluator) errorf(file string, at Pos, format string, args ...any) error {
	return &Error{File: file, Pos: at, Msg: fmt.Sprintf(format, args...)}
}

func (ev *evaluator) step(file string, at Pos) error {
	ev.steps++
	if ev.steps > maxSteps {
		return ev.errorf(file, at, "program too large: more than %d evaluation steps", maxSteps)
	}
	return nil
}

func newEnv(parent *envir, file, what string, defs []*Def) (*envir, error) {
	e := &envir{parent: parent, names: make(map[string]*binding), file: file, what: what}
	for _, d := range defs {
		b := e.names[d.Name]
		if b == nil {
			b = &binding{name: d.Name, env: e}
			e.names[d.Name] = b
		} else {
			first := b.defs[0]
			if first.Params == nil || d.Params == nil {
				return nil, &Error{File: file, Pos: d.At, Msg: fmt.Sprintf("%s is defined twice (first at %s)", d.Name, first.At)}
			}
			if len(first.Params) != len(d.Params) {
				return nil, &Error{File: file, Pos: d.At, Msg: fmt.Sprintf("rules of %s have different numbers of parameters (%d here, %d at %s)", d.Name, len(d.Params), len(first.Params), first.At)}
			}
		}
		b.defs = append(b.defs, d)
	}
	return e, nil
}

// valueOf evaluates a binding (memoized: a definition is evaluated once per
// scope, so a name used twice denotes the same block diagram).
func (ev *evaluator) valueOf(b *binding, file string, at Pos) (value, error) {
	switch b.state {
	case 2:
		return b.val, nil
	case 1:
		return nil, ev.errorf(file, at, "%s is defined in terms of itself (use ~ for recursion)", b.name)
	}
	d := b.defs[0]
	if d.Params != nil {
		rules := make([]*Rule, len(b.defs))
		for i, d := range b.defs {
			rules[i] = &Rule{Pats: d.Params, Body: d.Body}
		}
		b.val = &closure{name: b.name, rules: rules, arity: len(d.Params), env: b.env, at: d.At, file: b.env.file}
		b.state = 2
		return b.val, nil
	}
	b.state = 1
	v, err := ev.eval(d.Body, b.env)
	if err != nil {
		b.state = 0
		return nil, err
	}
	b.val, b.state = v, 2
	return v, nil
}

func (ev *evaluator) eval(x Expr, env *envir) (v value, err error) {
	file := env.file
	if err := ev.step(file, x.Pos()); err != nil {
		return nil, err
	}
	ev.depth++
	defer func() { ev.depth-- }()
	if ev.depth > maxDepth {
		return nil, ev.errorf(file, x.Pos(), "program nested too deeply (more than %d levels of evaluation)", maxDepth)
	}
	switch x := x.(type) {
	case *Ident:
		b := env.lookup(x.Name)
		if b == nil {
			if near := env.nearest(x.Name); near != "" {
				return nil, ev.errorf(file, x.At, "undefined name %s (did you mean %s?)", x.Name, near)
			}
			return nil, ev.errorf(file, x.At, "undefined name %s", x.Name)
		}
		return ev.valueOf(b, file, x.At)
	case *Number:
		if x.Float {
			return ev.constBox(ev.b.constReal(x.Val), file, x.At), nil
		}
		return ev.constBox(ev.b.constInt(x.Int), file, x.At), nil
	case *String:
		return nil, ev.errorf(file, x.At, "a string cannot be used as a block diagram")
	case *Prim:
		return ev.primBox(x, file)
	case *Binary:
		return ev.evalBinary(x, env)
	case *Delay1:
		a, err := ev.evalBox(x.X, env)
		if err != nil {
			return nil, err
		}
		return ev.seq(a, &box{kind: bMem, ins: 1, outs: 1, at: x.Mark, file: file}, file, x.Mark)
	case *Apply:
		f, err := ev.eval(x.Fun, env)
		if err != nil {
			return nil, err
		}
		args := make([]value, len(x.Args))
		for i, a := range x.Args {
			if args[i], err = ev.eval(a, env); err != nil {
				return nil, err
			}
		}
		v, err := ev.apply(f, args, file, x.Lparen)
		return v, ev.localize(err, file, x.Lparen)
	case *Access:
		v, err := ev.eval(x.X, env)
		if err != nil {
			return nil, err
		}
		e, ok := v.(*envir)
		if !ok {
			return nil, ev.errorf(file, x.Dot, "cannot take .%s of %s: it is not an environment or library", x.Name, describeValue(v))
		}
		b, ok := e.names[x.Name]
		if !ok {
			if near := (&envir{names: e.names}).nearest(x.Name); near != "" {
				return nil, ev.errorf(file, x.Dot, "%s has no definition %s (did you mean %s?)", e.what, x.Name, near)
			}
			return nil, ev.errorf(file, x.Dot, "%s has no definition %s", e.what, x.Name)
		}
		return ev.valueOf(b, file, x.Dot)
	case *With:
		e, err := newEnv(env, file, "with", x.Defs)
		if err != nil {
			return nil, err
		}
		return ev.eval(x.X, e)
	case *Lambda:
		pats := make([]Expr, len(x.Params))
		for i, p := range x.Params {
			pats[i] = p
		}
		return &closure{name: "lambda", rules: []*Rule{{Pats: pats, Body: x.Body}}, arity: len(pats), env: env, at: x.At, file: file}, nil
	case *Case:
		n := len(x.Rules[0].Pats)
		for _, r := range x.Rules[1:] {
			if len(r.Pats) != n {
				return nil, ev.errorf(file, r.Body.Pos(), "rules of a case have different numbers of patterns (%d and %d)", n, len(r.Pats))
			}
		}
		return &closure{name: "case", rules: x.Rules, arity: n, env: env, at: x.At, file: file}, nil
	case *Environment:
		return newEnv(env, file, "environment", x.Defs)
	case *Library:
		if x.Component {
			return nil, ev.errorf(file, x.At, "unsupported construct: component")
		}
		lib, err := ev.library(x.File)
		if err != nil {
			return nil, ev.errorf(file, x.At, "%v", err)
		}
		return lib, nil
	case *UI:
		return ev.evalUI(x, env)
	case *Iter:
		return ev.evalIter(x, env)
	case *FConst:
		if x.Name != "fSamplingFreq" {
			return nil, ev.errorf(file, x.At, "unsupported construct: fconstant %s (only fSamplingFreq is known)", x.Name)
		}
		s := ev.b.constInt(int64(ev.sampleRate))
		if !x.Int {
			s = ev.b.constReal(ev.sampleRate)
		}
		return ev.constBox(s, file, x.At), nil
	case *Unsupported:
		return nil, ev.errorf(file, x.At, "unsupported construct: %s", x.What)
	}
	return nil, ev.errorf(file, x.Pos(), "unsupported expression")
}

func describeValue(v value) string {
	switch v := v.(type) {
	case *box:
		return fmt.Sprintf("a block diagram with %d %s and %d %s", v.ins, plural(v.ins, "input"), v.outs, plural(v.outs, "output"))
	case *closure:
		return fmt.Sprintf("function %s", v.name)
	case *envir:
		return v.what
	}
	return "a value"
}

func (ev *evaluator) constBox(s *Sig, file string, at Pos) *box {
	return &box{kind: bConst, ins: 0, outs: 1, sig: s, at: at, file: file}
}

var primOps = map[Token]struct {
	op  Op
	ins int
}{
	ADD: {OpAdd, 2}, SUB: {OpSub, 2}, MUL: {OpMul, 2}, DIV: {OpDiv, 2}, MOD: {OpMod, 2},
	POW: {OpPow, 2}, POWFUN: {OpPow, 2},
	LT: {OpLT, 2}, LE: {OpLE, 2}, GT: {OpGT, 2}, GE: {OpGE, 2}, EQ: {OpEQ, 2}, NE: {OpNE, 2},
	AND: {OpAnd, 2}, OR: {OpOr, 2}, XOR: {OpXor, 2}, LSH: {OpShl, 2}, RSH: {OpShr, 2},
	SIN: {OpSin, 1}, COS: {OpCos, 1}, TAN: {OpTan, 1}, ASIN: {OpAsin, 1}, ACOS: {OpAcos, 1},
	ATAN: {OpAtan, 1}, EXP: {OpExp, 1}, LOG: {OpLog, 1}, LOG10: {OpLog10, 1}, SQRT: {OpSqrt, 1},
	ABS: {OpAbs, 1}, FLOOR: {OpFloor, 1}, CEIL: {OpCeil, 1}, RINT: {OpRint, 1},
	ATAN2: {OpAtan2, 2}, FMOD: {OpFmod, 2}, MIN: {OpMin, 2}, MAX: {OpMax, 2},
	INTCAST: {OpIntCast, 1}, FLOATCAST: {OpFloatCast, 1},
}

func (ev *evaluator) primBox(x *Prim, file string) (value, error) {
	bx := &box{at: x.At, file: file, outs: 1}
	switch x.Tok {
	case WIRE:
		bx.kind, bx.ins = bWire, 1
	case CUT:
		bx.kind, bx.ins, bx.outs = bCut, 1, 0
	case MEM:
		bx.kind, bx.ins = bMem, 1
	case DELAY:
		bx.kind, bx.ins, bx.infix = bDelay, 2, true
	case SELECT2:
		bx.kind, bx.ins = bSelect2, 3
	case ATTACH:
		bx.kind, bx.ins, bx.infix = bAttach, 2, true
	default:
		p, ok := primOps[x.Tok]
		if !ok {
			return nil, ev.errorf(file, x.At, "unsupported construct: %s", strings.Trim(x.Tok.String(), "'"))
		}
		bx.kind, bx.ins, bx.op = bPrim, p.ins, p.op
		switch p.op {
		case OpAtan2, OpFmod, OpMin, OpMax:
		default:
			bx.infix = p.ins == 2
		}
	}
	return bx, nil
}

var compositionName = map[Token]string{
	SEQ: "sequential composition A:B", PAR: "parallel composition A,B",
	SPLIT: "split composition A<:B", MERGE: "merge composition A:>B", REC: "recursive composition A~B",
}

func (ev *evaluator) evalBinary(x *Binary, env *envir) (value, error) {
	file := env.file
	a, err := ev.evalBox(x.X, env)
	if err != nil {
		return nil, err
	}
	b, err := ev.evalBox(x.Y, env)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case SEQ:
		return ev.seq(a, b, file, x.OpPos)
	case PAR:
		return ev.par(a, b, file, x.OpPos)
	case SPLIT:
		if a.outs == 0 || b.ins == 0 || b.ins%a.outs != 0 {
			return nil, ev.errorf(file, x.OpPos, "in the split composition A<:B, the number of inputs of B (%d) must be a multiple of the number of outputs of A (%d)", b.ins, a.outs)
		}
		return &box{kind: bSplit, ins: a.ins, outs: b.outs, a: a, b: b, at: x.OpPos, file: file}, nil
	case MERGE:
		if b.ins == 0 || a.outs == 0 || a.outs%b.ins != 0 {
			return nil, ev.errorf(file, x.OpPos, "in the merge composition A:>B, the number of outputs of A (%d) must be a multiple of the number of inputs of B (%d)", a.outs, b.ins)
		}
		return &box{kind: bMerge, ins: a.ins, outs: b.outs, a: a, b: b, at: x.OpPos, file: file}, nil
	case REC:
		if a.outs < b.ins {
			return nil, ev.errorf(file, x.OpPos, "in the recursive composition A~B, the number of outputs of A (%d) must be at least the number of inputs of B (%d)", a.outs, b.ins)
		}
		if a.ins < b.outs {
			return nil, ev.errorf(file, x.OpPos, "in the recursive composition A~B, the number of inputs of A (%d) must be at least the number of outputs of B (%d)", a.ins, b.outs)
		}
		return &box{kind: bRec, ins: a.ins - b.outs, outs: a.outs, a: a, b: b, at: x.OpPos, file: file}, nil
	}
	// Infix operator: A op B = A, B : op.
	var opBox value
	opBox, err = ev.primBox(&Prim{At: x.OpPos, Tok: x.Op}, file)
	if err != nil {
		return nil, err
	}
	if a.outs+b.outs != opBox.(*box).ins {
		return nil, ev.errorf(file, x.OpPos, "the operands of %s must have one output each, got %d and %d", x.Op, a.outs, b.outs)
	}
	ab, err := ev.par(a, b, file, x.OpPos)
	if err != nil {
		return nil, err
	}
	return ev.seq(ab, opBox.(*box), file, x.OpPos)
}

func (ev *evaluator) seq(a, b *box, file string, at Pos) (*box, error) {
	if a.outs != b.ins {
		return nil, ev.errorf(file, at, "in the sequential composition A:B, the number of outputs of A (%d) must equal the number of inputs of B (%d)", a.outs, b.ins)
	}
	return &box{kind: bSeq, ins: a.ins, outs: b.outs, a: a, b: b, at: at, file: file}, nil
}

func (ev *evaluator) par(a, b *box, file string, at Pos) (*box, error) {
	if a.ins+b.ins > maxBoxSize || a.outs+b.outs > maxBoxSize {
		return nil, ev.errorf(file, at, "block diagram too large: more than %d inputs or outputs", maxBoxSize)
	}
	return &box{kind: bPar, ins: a.ins + b.ins, outs: a.outs + b.outs, a: a, b: b, at: at, file: file}, nil
}

// evalBox evaluates x and converts the result to a block diagram.
func (ev *evaluator) evalBox(x Expr, env *envir) (*box, error) {
	v, err := ev.eval(x, env)
	if err != nil {
		return nil, err
	}
	return ev.toBox(v, env.file, x.Pos())
}

// toBox converts a value to a block diagram. A function with n missing
// arguments becomes a block whose first n inputs are those arguments
// (Faust's rule for a function name used as a block, e.g. `~ ma.frac`).
func (ev *evaluator) toBox(v value, file string, at Pos) (*box, error) {
	switch v := v.(type) {
	case *box:
		return v, nil
	case *envir:
		return nil, ev.errorf(file, at, "%s cannot be used as a block diagram", v.what)
	case *closure:
		if v.asBox != nil {
			return v.asBox, nil
		}
		n := v.arity - len(v.args)
		slots := make([]*slotVar, n)
		args := make([]value, n)
		for i := range slots {
			slots[i] = &slotVar{name: v.name}
			args[i] = &box{kind: bSlot, outs: 1, slot: slots[i], at: at, file: file}
		}
		r, err := ev.apply(v, args, file, at)
		if err != nil {
			return nil, err
		}
		body, err := ev.toBox(r, file, at)
		if err != nil {
			return nil, err
		}
		for i := n - 1; i >= 0; i-- {
			body = &box{kind: bSymbolic, ins: body.ins + 1, outs: body.outs, slot: slots[i], a: body, at: at, file: file}
		}
		v.asBox = body
		return body, nil
	}
	return nil, ev.errorf(file, at, "not a block diagram")
}

// apply applies f to args. A function receiving fewer arguments than its
// parameters binds the first ones; a block diagram B applied to k
// arguments is `_,...,_, args : B`: the arguments fill the last inputs.
func (ev *evaluator) apply(f value, args []value, file string, at Pos) (value, error) {
	if err := ev.step(file, at); err != nil {
		return nil, err
	}
	ev.calls++
	defer func() { ev.calls-- }()
	if ev.calls > maxCalls {
		return nil, ev.errorf(file, at, "recursion too deep (more than %d nested calls): is a recursive definition missing its base case?", maxCalls)
	}
	switch f := f.(type) {
	case *envir:
		return nil, ev.errorf(file, at, "%s cannot be applied to arguments", f.what)
	case *closure:
		all := append(slices.Clip(f.args), args...)
		if len(all) < f.arity {
			return &closure{name: f.name, rules: f.rules, arity: f.arity, env: f.env, args: all, at: f.at, file: f.file}, nil
		}
		r, err := ev.call(f, all[:f.arity], file, at)
		if err != nil || len(all) == f.arity {
			return r, err
		}
		return ev.apply(r, all[f.arity:], file, at)
	case *box:
		// Faust's applyList: f(args) is (args, _,...,_) : f, except for
		// the infix primitives (+ - * / % @ < ... and pow) applied to a
		// single signal, where the argument comes last: /(2) is _,2 : /.
		boxes := make([]*box, len(args))
		outs := 0
		for i, a := range args {
			ab, err := ev.toBox(a, file, at)
			if err != nil {
				return nil, err
			}
			boxes[i] = ab
			outs += ab.outs
		}
		if outs > f.ins {
			return nil, ev.errorf(file, at, "too many arguments: they give %d signals, the block diagram has %d inputs", outs, f.ins)
		}
		var in *box
		wires := func() {
			for i := 0; i < f.ins-outs; i++ {
				in = ev.parOpt(in, &box{kind: bWire, ins: 1, outs: 1, at: at, file: file}, file, at)
			}
		}
		infix := outs == 1 && f.infix
		if infix {
			wires()
		}
		for _, ab := range boxes {
			in = ev.parOpt(in, ab, file, at)
		}
		if !infix {
			wires()
		}
		if in == nil {
			return f, nil
		}
		return ev.seq(in, f, file, at)
	}
	return nil, ev.errorf(file, at, "cannot apply this value")
}

func (ev *evaluator) parOpt(a, b *box, file string, at Pos) *box {
	if a == nil {
		return b
	}
	return &box{kind: bPar, ins: a.ins + b.ins, outs: a.outs + b.outs, a: a, b: b, at: at, file: file}
}

// call evaluates f applied to exactly f.arity arguments: the first rule
// whose patterns match.
func (ev *evaluator) call(f *closure, args []value, file string, at Pos) (value, error) {
	for _, r := range f.rules {
		e := &envir{parent: f.env, names: make(map[string]*binding), file: f.file, what: "function " + f.name}
		ok := true
		for i, p := range r.Pats {
			m, err := ev.match(p, args[i], e, f.file)
			if err != nil {
				return nil, err
			}
			if !m {
				ok = false
				break
			}
		}
		if ok {
			return ev.eval(r.Body, e)
		}
	}
	return nil, ev.errorf(file, at, "no rule of %s matches these arguments", f.name)
}

// match matches a pattern against an argument, binding names in e.
func (ev *evaluator) match(p Expr, v value, e *envir, file string) (bool, error) {
	switch p := p.(type) {
	case *Ident:
		e.names[p.Name] = &binding{name: p.Name, val: v, state: 2, env: e}
		return true, nil
	case *Number:
		s, ok := ev.constValue(v)
		if !ok {
			return false, nil
		}
		if p.Float {
			return s.Type == Real && s.Val == p.Val, nil
		}
		return s.Type == Int && s.Val == float64(p.Int), nil
	case *Binary:
		if p.Op == PAR {
			b, ok := v.(*box)
			if !ok || b.kind != bPar {
				return false, nil
			}
			m, err := ev.match(p.X, b.a, e, file)
			if err != nil || !m {
				return m, err
			}
			return ev.match(p.Y, b.b, e, file)
		}
	}
	return false, ev.errorf(file, p.Pos(), "unsupported pattern: a parameter must be a name, a number or a tuple (a, b)")
}

// constValue returns the constant a value stands for, if it is a block
// diagram with no input and one constant output.
func (ev *evaluator) constValue(v value) (*Sig, bool) {
	b, ok := v.(*box)
	if !ok || b.ins != 0 || b.outs != 1 {
		return nil, false
	}
	out, err := ev.prop(b, nil, nil)
	if err != nil || len(out) != 1 || !isConst(out[0]) {
		return nil, false
	}
	return out[0], true
}

// constArg evaluates an expression that must be a constant number.
func (ev *evaluator) constArg(x Expr, env *envir, what string) (*Sig, error) {
	v, err := ev.eval(x, env)
	if err != nil {
		return nil, err
	}
	s, ok := ev.constValue(v)
	if !ok {
		return nil, ev.errorf(env.file, x.Pos(), "%s must be a constant number", what)
	}
	return s, nil
}

func (ev *evaluator) evalUI(x *UI, env *envir) (value, error) {
	file := env.file
	switch x.Kind {
	case BUTTON, CHECKBOX:
		// No one presses a button during an offline render.
		return ev.constBox(ev.b.constReal(0), file, x.At), nil
	case VGROUP, HGROUP, TGROUP:
		return ev.evalBox(x.Args[0], env)
	case VBARGRAPH, HBARGRAPH:
		for _, a := range x.Args {
			if _, err := ev.constArg(a, env, "a bargraph bound"); err != nil {
				return nil, err
			}
		}
		return &box{kind: bWire, ins: 1, outs: 1, at: x.At, file: file}, nil
	}
	var vals [4]float64
	for i, name := range []string{"init", "min", "max", "step"} {
		s, err := ev.constArg(x.Args[i], env, "the "+name+" value of a slider")
		if err != nil {
			return nil, err
		}
		vals[i] = s.Val
	}
	kind := strings.Trim(x.Kind.String(), "'")
	c := Control{Label: cleanLabel(x.Label), Init: vals[0], Min: vals[1], Max: vals[2], Step: vals[3], Kind: kind}
	fi := slices.Index(ev.files, file)
	for i, old := range ev.controls {
		if old.c == c {
			return &box{kind: bControl, outs: 1, ctl: i, at: x.At, file: file}, nil
		}
		if old.c.Label == c.Label {
			return nil, ev.errorf(file, x.At, "control %q is declared twice with different settings (first at %s)", c.Label, old.first)
		}
	}
	e := &ctlEntry{c: c, file: fi, at: x.At, first: fmt.Sprintf("%s:%s", file, x.At)}
	e.sig = &Sig{Op: OpControl, Type: Real, Param: len(ev.controls)}
	ev.controls = append(ev.controls, e)
	return &box{kind: bControl, outs: 1, ctl: len(ev.controls) - 1, at: x.At, file: file}, nil
}

// cleanLabel drops Faust label metadata ("freq[unit:Hz]" → "freq").
func cleanLabel(s string) string {
	for {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			break
		}
		s = s[:i] + s[i+j+1:]
	}
	return strings.TrimSpace(s)
}

func (ev *evaluator) evalIter(x *Iter, env *envir) (value, error) {
	file := env.file
	ns, err := ev.constArg(x.N, env, "the number of repetitions")
	if err != nil {
		return nil, err
	}
	n := int64(ns.Val)
	if ns.Type != Int || n < 1 || n > maxIter {
		return nil, ev.errorf(file, x.N.Pos(), "the number of repetitions must be an integer from 1 to %d, got %v", maxIter, ns.Val)
	}
	var acc *box
	for i := range n {
		e := &envir{parent: env, names: map[string]*binding{}, file: file, what: "iteration"}
		e.names[x.Var.Name] = &binding{name: x.Var.Name, val: ev.constBox(ev.b.constInt(i), file, x.Var.At), state: 2, env: e}
		b, err := ev.evalBox(x.Body, e)
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = b
			continue
		}
		switch x.Kind {
		case IPAR:
			acc, err = ev.par(acc, b, file, x.At)
		case ISEQ:
			acc, err = ev.seq(acc, b, file, x.At)
		case ISUM, IPROD:
			op := ADD
			if x.Kind == IPROD {
				op = MUL
			}
			if acc.outs != 1 || b.outs != 1 {
				return nil, ev.errorf(file, x.At, "each term of sum/prod must have one output")
			}
			pb, _ := ev.primBox(&Prim{At: x.At, Tok: op}, file)
			var ab *box
			if ab, err = ev.par(acc, b, file, x.At); err == nil {
				acc, err = ev.seq(ab, pb.(*box), file, x.At)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return acc, nil
}
