package synth

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/soundmatch/soundmatch/faust"
)

// The compiler turns a faust.Graph into code for the executors in exec.go:
//
//  1. import: hash-consing (structurally equal nodes become one node, so
//     common subexpressions are computed once), constant folding, and a few
//     exact rewrites (x/c → x*(1/c) as Faust itself does, @(0) → identity);
//  2. classification: constant, control rate (depends on sliders only:
//     computed once per Render, tangents included) or sample rate;
//  3. dependency masks: which sliders each node's tangent can depend on,
//     so tangent loops only run over the sliders that matter;
//  4. scheduling: control and sample nodes in topological order, with
//     state nodes (recursion references and delays) as sources whose values
//     are committed at the end of each sample;
//  5. emission: one small instruction per node, fused where a pattern
//     (a product feeding a sum) saves a dispatch without changing a bit.

// maxDelay bounds a delay line (samples), so that a typo cannot ask for
// gigabytes of ring buffer.
const maxDelay = 1 << 22

// maxParams is the number of sliders a program may have: dependency sets
// are 64-bit masks.
const maxParams = 64

type class uint8

const (
	clConst class = iota
	clControl
	clSample
)

// node is a hash-consed signal node. Operand ids always refer to nodes
// imported earlier, except through state nodes (see src).
type node struct {
	op    faust.Op
	typ   faust.Type
	val   float64
	param int
	args  [3]int32
	nargs int8

	// state nodes (OpRecRef and OpDelay) read another node's past value:
	// src is that node, delay the number of samples (≥ 1).
	src   int32
	delay int

	class class
	mask  uint64 // sliders the tangent may depend on
}

type nodeKey struct {
	op    faust.Op
	typ   faust.Type
	val   uint64
	param int
	args  [3]int32
	rec   int
	index int
}

type compiler struct {
	name   string
	nodes  []node
	keys   map[nodeKey]int32
	sigs   map[*faust.Sig]int32
	recs   map[*faust.Rec]int
	recIDs []*faust.Rec
	// recRefs[g][i] is the state node for output i of recursion group g.
	recRefs []map[int]int32
	refOf   map[int32][2]int // state node → (group, output index)
	pending []int32          // state nodes whose source is not imported yet
	err     error
}

func (c *compiler) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%s: %s", c.name, fmt.Sprintf(format, args...))
	}
}

// intern returns the id of the node equal to n, adding it if new.
func (c *compiler) intern(n node, rec, index int) int32 {
	k := nodeKey{op: n.op, typ: n.typ, val: math.Float64bits(n.val), param: n.param, args: n.args, rec: rec, index: index}
	if n.op != faust.OpConst {
		k.val = 0
	}
	if id, ok := c.keys[k]; ok {
		return id
	}
	id := int32(len(c.nodes))
	n.src = -1
	c.nodes = append(c.nodes, n)
	c.keys[k] = id
	return id
}

func (c *compiler) konst(t faust.Type, v float64) int32 {
	if t == faust.Int {
		v = float64(toInt32(v))
	}
	return c.intern(node{op: faust.OpConst, typ: t, val: v}, 0, 0)
}

func (c *compiler) isConst(id int32) bool { return c.nodes[id].op == faust.OpConst }

// importSig imports s and everything it depends on (except the sources of
// state nodes, which are queued).
func (c *compiler) importSig(s *faust.Sig) int32 {
	if id, ok := c.sigs[s]; ok {
		return id
	}
	if c.err != nil {
		return 0
	}
	id := c.build(s)
	c.sigs[s] = id
	return id
}

func (c *compiler) build(s *faust.Sig) int32 {
	switch s.Op {
	case faust.OpConst:
		v := s.Val
		if s.Type == faust.Int {
			v = float64(toInt32(v))
		}
		return c.konst(s.Type, v)
	case faust.OpControl:
		return c.intern(node{op: faust.OpControl, typ: faust.Real, param: s.Param}, 0, 0)
	case faust.OpInput:
		c.fail("process has audio inputs; a synthesizer program must have none")
		return 0
	case faust.OpRecRef:
		if s.Rec == nil || s.Index < 0 || s.Index >= len(s.Rec.Defs) {
			c.fail("malformed recursion reference in the signal graph")
			return 0
		}
		g, ok := c.recs[s.Rec]
		if !ok {
			g = len(c.recIDs)
			c.recs[s.Rec] = g
			c.recIDs = append(c.recIDs, s.Rec)
			c.recRefs = append(c.recRefs, map[int]int32{})
		}
		if id, ok := c.recRefs[g][s.Index]; ok {
			return id
		}
		def := s.Rec.Defs[s.Index]
		typ := faust.Real
		if def != nil {
			typ = def.Type
		}
		id := c.intern(node{op: faust.OpRecRef, typ: typ, delay: 1}, g+1, s.Index)
		c.recRefs[g][s.Index] = id
		c.refOf[id] = [2]int{g, s.Index}
		c.pending = append(c.pending, id)
		return id
	}
	if s.Op == faust.OpFloatCast && len(s.Args) == 1 {
		// Int values already live in float64 registers: float(x) is x.
		return c.importSig(s.Args[0])
	}
	n := node{op: s.Op, typ: s.Type}
	want := arity(s.Op)
	if s.Op == faust.OpDelay {
		want = 2
	}
	if len(s.Args) != want {
		c.fail("malformed signal graph: operation %d has %d operands, want %d", s.Op, len(s.Args), want)
		return 0
	}
	for i, a := range s.Args {
		n.args[i] = c.importSig(a)
	}
	n.nargs = int8(want)
	if c.err != nil {
		return 0
	}
	if s.Op == faust.OpDelay {
		return c.delay(n)
	}
	allConst := true
	for i := range want {
		allConst = allConst && c.isConst(n.args[i])
	}
	if allConst {
		var x [3]float64
		for i := range want {
			x[i] = c.nodes[n.args[i]].val
		}
		if v, ok := eval(n.op, n.typ, x[:want]); ok {
			return c.konst(n.typ, v)
		}
	}
	if n.typ == faust.Int && realOnly(n.op) {
		// A float operation typed Int: compute in float, then truncate.
		n.typ = faust.Real
		inner := c.intern(n, 0, 0)
		return c.intern(node{op: faust.OpIntCast, typ: faust.Int, args: [3]int32{inner}, nargs: 1}, 0, 0)
	}
	// Faust compiles x/c as x*(1/c) (with 1/c folded); matching it matters
	// for phase increments f/ma.SR, whose last bit decides on which sample
	// a saw wraps.
	if n.op == faust.OpDiv && c.isConst(n.args[1]) {
		if d := c.nodes[n.args[1]].val; d != 0 && !math.IsInf(d, 0) && !math.IsNaN(d) {
			n.op = faust.OpMul
			n.typ = faust.Real
			n.args[1] = c.konst(faust.Real, 1/d)
		}
	}
	return c.intern(n, 0, 0)
}

// delay imports x@d: d must be a non-negative constant.
func (c *compiler) delay(n node) int32 {
	dn := c.nodes[n.args[1]]
	if dn.op != faust.OpConst {
		c.fail("delay amount must be a constant (variable delays are not supported)")
		return 0
	}
	d := int(toInt32(dn.val))
	switch {
	case d < 0:
		c.fail("negative delay %d", d)
		return 0
	case d > maxDelay:
		c.fail("delay of %d samples is longer than the supported %d", d, maxDelay)
		return 0
	case d == 0:
		return n.args[0]
	}
	n.args[1] = c.konst(faust.Int, float64(d))
	n.typ = c.nodes[n.args[0]].typ
	id := c.intern(n, 0, 0)
	nd := &c.nodes[id]
	nd.src, nd.delay = n.args[0], d
	return id
}

// importGraph imports every output and the sources of every state node.
func (c *compiler) importGraph(g *faust.Graph) (out int32) {
	if len(g.Outputs) != 1 || g.Inputs != 0 {
		c.fail("process must have 0 inputs and 1 output, it has %d and %d", g.Inputs, len(g.Outputs))
		return 0
	}
	out = c.importSig(g.Outputs[0])
	// Recursion references are resolved after the fact: a group's
	// definition may refer to the group itself.
	for len(c.pending) > 0 && c.err == nil {
		id := c.pending[len(c.pending)-1]
		c.pending = c.pending[:len(c.pending)-1]
		gi := c.refOf[id]
		def := c.recIDs[gi[0]].Defs[gi[1]]
		if def == nil {
			c.fail("malformed recursion group in the signal graph")
			return 0
		}
		src := c.importSig(def)
		c.nodes[id].src = src
	}
	return out
}

// analyse computes classes and dependency masks. State nodes take the
// class and mask of their sources, to a fixed point (recursion).
func (c *compiler) analyse() {
	for i := range c.nodes {
		n := &c.nodes[i]
		switch n.op {
		case faust.OpConst:
			n.class = clConst
		case faust.OpControl:
			n.class = clControl
			n.mask = 1 << uint(n.param)
		case faust.OpRecRef, faust.OpDelay:
			n.class = clSample
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range c.nodes {
			n := &c.nodes[i]
			var m uint64
			cl := n.class
			switch n.op {
			case faust.OpConst, faust.OpControl:
				continue
			case faust.OpRecRef, faust.OpDelay:
				m = c.nodes[n.src].mask
			default:
				for j := range int(n.nargs) {
					a := &c.nodes[n.args[j]]
					if a.class > cl {
						cl = a.class
					}
					m |= a.mask
				}
				m &= tangentMask(n, c.nodes)
			}
			if n.typ == faust.Int {
				m = 0 // Int signals are piecewise constant: zero tangent
			}
			if m != n.mask || cl != n.class {
				n.mask, n.class = m, cl
				changed = true
			}
		}
	}
}

// tangentMask restricts the operands whose tangents flow into n
// (the derivative rules for non-smooth operations).
func tangentMask(n *node, nodes []node) uint64 {
	switch n.op {
	case faust.OpFloor, faust.OpCeil, faust.OpRint, faust.OpIntCast,
		faust.OpLT, faust.OpLE, faust.OpGT, faust.OpGE, faust.OpEQ, faust.OpNE,
		faust.OpAnd, faust.OpOr, faust.OpXor, faust.OpShl, faust.OpShr:
		return 0
	case faust.OpSelect2:
		return nodes[n.args[1]].mask | nodes[n.args[2]].mask
	}
	return ^uint64(0)
}

func maskRange(m uint64) (lo, hi int) {
	if m == 0 {
		return 0, 0
	}
	return bits.TrailingZeros64(m), 64 - bits.LeadingZeros64(m)
}

// realOnly reports operations that have no integer form.
func realOnly(op faust.Op) bool {
	switch op {
	case faust.OpDiv, faust.OpFmod, faust.OpAtan2:
		return true
	}
	return op >= faust.OpSin && op <= faust.OpRint && op != faust.OpAbs
}

// canonicalize rewrites every state node as "base delayed by d samples",
// where base is not itself a state: RecRef(g,i) is Defs[i]@1 and
// (x@a)@b is x@(a+b). States with the same base then share one history
// (a shift register, or a ring for long delays), and equal (base, d) pairs
// become one register. A cycle made of delays alone carries nothing but
// its zero initial state, so it becomes the constant 0.
func (c *compiler) canonicalize(out int32) int32 {
	type slot struct {
		base  int32
		delay int
	}
	nOld := int32(len(c.nodes))
	alias := make([]int32, nOld)
	for i := range alias {
		alias[i] = int32(i)
	}
	fresh := map[slot]int32{}
	zero := map[faust.Type]int32{}
	for id := int32(0); id < nOld; id++ {
		n := c.nodes[id]
		if n.op != faust.OpRecRef && n.op != faust.OpDelay {
			continue
		}
		total, src := n.delay, n.src
		cycle := false
		for steps := 0; c.isState(src); steps++ {
			if src == id || steps > int(nOld) || total > maxDelay {
				cycle = true
				break
			}
			total += c.nodes[src].delay
			src = c.nodes[src].src
		}
		if total > maxDelay {
			c.fail("delays add up to more than the supported %d samples", maxDelay)
			return 0
		}
		if cycle {
			z, ok := zero[n.typ]
			if !ok {
				z = c.konst(n.typ, 0)
				zero[n.typ] = z
			}
			alias[id] = z
			continue
		}
		k := slot{src, total}
		f, ok := fresh[k]
		if !ok {
			f = int32(len(c.nodes))
			c.nodes = append(c.nodes, node{op: faust.OpDelay, typ: c.nodes[src].typ, src: src, delay: total})
			fresh[k] = f
		}
		alias[id] = f
	}
	for i := range c.nodes {
		n := &c.nodes[i]
		if c.isState(int32(i)) {
			continue
		}
		for j := range int(n.nargs) {
			if a := n.args[j]; a < nOld {
				n.args[j] = alias[a]
			}
		}
	}
	// The bases themselves may be aliased states only if they were
	// states, which the chase above excluded.
	return alias[out]
}

func (c *compiler) isState(id int32) bool {
	op := c.nodes[id].op
	return op == faust.OpRecRef || op == faust.OpDelay
}
