package synth

import (
	"fmt"
	"slices"

	"github.com/soundmatch/soundmatch/faust"
)

// opcode is an executor instruction. Each computes one register from up to
// four others; fused opcodes evaluate a small expression in exactly the
// order and with exactly the roundings of the unfused nodes.
type opcode uint8

const (
	opNop opcode = iota
	// Real arithmetic.
	opAdd
	opSub
	opMul
	opDiv
	opFmod
	opPow
	opAtan2
	opMin
	opMax
	// Int arithmetic (wrapping int32).
	opIAdd
	opISub
	opIMul
	opIMod
	opIPow
	opAnd
	opOr
	opXor
	opShl
	opShr
	// Comparisons (Int 0/1).
	opLT
	opLE
	opGT
	opGE
	opEQ
	opNE
	// Unary.
	opSin
	opCos
	opTan
	opAsin
	opAcos
	opAtan
	opExp
	opLog
	opLog10
	opSqrt
	opAbs
	opIAbs
	opFloor
	opCeil
	opRint
	opIntCast
	opMove // copy (float casts are aliased away at import)
	opSelect2
	// Fused (d = ...), each product rounded before the sum.
	opMulAdd // a*b + c
	opMulSub // a*b − c
	opSubMul // c − a*b
	opDot2   // a*b + c*e
	opFrac   // a − floor(a) (Faust's ma.frac)
	opFracAdd
	// State.
	opCommit     // d ← a (one-sample delay and recursion state, end of sample)
	opLoad       // d ← ring b at its position (start of sample)
	opStore      // ring b at its position ← a, then advance (end of sample)
	opSection    // second-order section b (sos.go)
	opSinMul     // sin(a*b), the oscillator's sin(2π·phase)
	opSections   // sections b, b+1, ..., b+c-1 in order
	opIMulAdd    // Int a*b + c, wrapping (the noise generator's LCG step)
	opFirstOrder // first-order section b (sos.go)
)

// Tangent forms of two-operand instructions: which operands carry a
// tangent (the others are constant in every slider).
const (
	tfNone uint8 = iota
	tfA
	tfB
	tfAB
)

type instr struct {
	op            opcode
	form          uint8
	d, a, b, c, e int32 // registers
	post          int32 // if nonzero: copy d into this history register afterwards
}

// shiftMax is the longest delay kept as a shift register; longer ones use
// a ring buffer (one store per sample instead of a shift of every slot).
const shiftMax = 8

// code is a compiled program: immutable, shared by clones.
type code struct {
	nregs    int
	K        int
	consts   []regVal // registers holding constants
	controls []regVal // registers holding sliders (val = parameter index)
	states   []int32  // registers zeroed at the start of each Render
	ctrl     []instr  // control-rate instructions, run once per Render
	sample   []instr  // per-sample instructions: loads, computation, commits
	rings    []ring
	ringLen  int // total ring slots
	sections []section
	firsts   []firstOrder
	out      int32
}

type regVal struct {
	reg int32
	val float64
}

// ring is a long delay line: the last n values of its base register, at
// offset off of the machine's ring slabs.
type ring struct {
	off, n int
}

type scheduler struct {
	c     *compiler
	seen  []bool
	order []int32 // post-order of computed nodes (control and sample)
	bases map[int32][]int32
	uses  []int32
}

func (s *scheduler) visit(id int32) {
	if s.seen[id] {
		return
	}
	s.seen[id] = true
	n := &s.c.nodes[id]
	switch n.op {
	case faust.OpConst, faust.OpControl:
		return
	case faust.OpDelay:
		if _, ok := s.bases[n.src]; !ok {
			s.uses[n.src]++ // read by the commit
		}
		s.bases[n.src] = append(s.bases[n.src], id)
		s.visit(n.src)
		return
	}
	for j := range int(n.nargs) {
		s.uses[n.args[j]]++
		s.visit(n.args[j])
	}
	s.order = append(s.order, id)
}

// emit schedules the canonicalized graph and produces code.
func (c *compiler) emit(out int32, K int) *code {
	s := &scheduler{c: c, seen: make([]bool, len(c.nodes)), uses: make([]int32, len(c.nodes)), bases: map[int32][]int32{}}
	s.uses[out]++
	s.visit(out)

	cd := &code{K: K, out: out}
	for id := range c.nodes {
		n := &c.nodes[id]
		switch {
		case n.op == faust.OpConst:
			cd.consts = append(cd.consts, regVal{int32(id), n.val})
		case n.op == faust.OpControl:
			cd.controls = append(cd.controls, regVal{int32(id), float64(n.param)})
		}
	}
	fused := make([]bool, len(c.nodes))
	sections := c.matchSections(s, fused)
	firsts := c.matchFirstOrder(s, fused)
	c.fuse(s, fused)
	for _, id := range s.order {
		if fused[id] {
			continue
		}
		var in instr
		if sec, ok := sections[id]; ok {
			in = instr{op: opSection, d: id, b: int32(len(cd.sections))}
			cd.sections = append(cd.sections, sec)
		} else if f, ok := firsts[id]; ok {
			in = instr{op: opFirstOrder, d: id, b: int32(len(cd.firsts))}
			cd.firsts = append(cd.firsts, f)
		} else {
			in = c.instr(id, fused)
		}
		if c.nodes[id].class == clControl {
			cd.ctrl = append(cd.ctrl, in)
		} else {
			cd.sample = append(cd.sample, in)
		}
	}

	// Histories, in a deterministic order (by base register).
	var loads, ends []instr
	baseIDs := make([]int32, 0, len(s.bases))
	for b := range s.bases {
		baseIDs = append(baseIDs, b)
	}
	slices.Sort(baseIDs)
	// owned[base] = the history length a fused section shifts itself.
	owned := map[int32]int{}
	for _, sec := range sections {
		if sec.owned {
			owned[sec.v] = 2
		}
	}
	for _, f := range firsts {
		owned[f.x], owned[f.y] = 1, 1
	}
	for _, b := range baseIDs {
		taps := s.bases[b]
		slices.SortFunc(taps, func(x, y int32) int { return c.nodes[x].delay - c.nodes[y].delay })
		D := c.nodes[taps[len(taps)-1]].delay
		bn := c.nodes[b] // a copy: c.nodes grows below
		if D <= shiftMax {
			// regs[j-1] holds base@j; missing taps get hidden registers.
			regs := make([]int32, D)
			for j := range regs {
				regs[j] = -1
			}
			for _, t := range taps {
				regs[c.nodes[t].delay-1] = t
			}
			for j := range regs {
				if regs[j] < 0 {
					regs[j] = int32(len(c.nodes))
					c.nodes = append(c.nodes, node{op: faust.OpDelay, typ: bn.typ, src: b, delay: j + 1,
						class: clSample, mask: bn.mask})
				}
			}
			cd.states = append(cd.states, regs...)
			if owned[b] == D {
				continue // a section shifts this history itself
			}
			if D == 1 && c.commitEarly(cd, sections, b, regs[0]) {
				continue
			}
			for j := D - 1; j >= 1; j-- {
				ends = append(ends, instr{op: opCommit, d: regs[j], a: regs[j-1], form: formOf(bn.mask != 0, false)})
			}
			ends = append(ends, instr{op: opCommit, d: regs[0], a: b, form: formOf(bn.mask != 0, false)})
			continue
		}
		r := int32(len(cd.rings))
		cd.rings = append(cd.rings, ring{off: cd.ringLen, n: D})
		cd.ringLen += D
		for _, t := range taps {
			cd.states = append(cd.states, t)
			// c holds the tap's delay.
			loads = append(loads, instr{op: opLoad, d: t, b: r, c: int32(c.nodes[t].delay), form: formOf(bn.mask != 0, false)})
		}
		ends = append(ends, instr{op: opStore, a: b, b: r, form: formOf(bn.mask != 0, false)})
	}
	if c.isState(out) {
		// The output is read after the sample's commits have overwritten
		// the history registers: read a copy taken before them.
		cp := int32(len(c.nodes))
		on := c.nodes[out]
		c.nodes = append(c.nodes, node{op: faust.OpFloatCast, typ: on.typ, args: [3]int32{out}, nargs: 1,
			class: clSample, mask: on.mask, src: -1})
		in := instr{op: opMove, d: cp, a: out, form: formOf(on.mask != 0, false)}
		cd.sample = append(cd.sample, in)
		cd.out = cp
	}
	cd.sample = append(append(loads, cd.sample...), ends...)
	cd.sample = mergeSections(cd.sample)
	cd.nregs = len(c.nodes)
	return cd
}

// mergeSections turns a run of consecutive sections (a filter cascade such
// as fi.highpass(10)) into one instruction that loops over them.
func mergeSections(code []instr) []instr {
	out := code[:0]
	for i := 0; i < len(code); i++ {
		in := code[i]
		if in.op == opSection && in.post == 0 {
			j := i + 1
			for j < len(code) && code[j].op == opSection && code[j].post == 0 && code[j].b == code[j-1].b+1 {
				j++
			}
			if j-i > 1 {
				in = instr{op: opSections, b: in.b, c: int32(j - i)}
				i = j - 1
			}
		}
		out = append(out, in)
	}
	return out
}

// commitEarly folds the commit "tap ← base" of a one-sample history into
// the instruction computing base (its post field), which saves a dispatch
// per sample. That is only right when every instruction reading the tap
// runs no later than that one, and the tap is not the output (read after
// the sample). A phasor p = inc + frac(p@1) is the typical case.
func (c *compiler) commitEarly(cd *code, sections map[int32]section, base, tap int32) bool {
	if tap == cd.out || tap == 0 {
		return false
	}
	at := -1
	for i := range cd.sample {
		if cd.sample[i].d == base && cd.sample[i].op != opNop {
			at = i
		}
	}
	if at < 0 {
		return false // base is a constant or computed at control rate
	}
	for i := range cd.sample {
		in := &cd.sample[i]
		regs := []int32{in.a, in.b, in.c, in.e}
		switch in.op {
		case opSection:
			sc := cd.sections[in.b]
			if sc.v == base {
				return false // the section's internal signal: keep the commit
			}
			regs = []int32{sc.x, sc.v1, sc.v2, sc.a1, sc.a2, sc.b0, sc.b1, sc.b2}
		case opLoad, opStore:
			regs = []int32{in.a}
		}
		if i > at && slices.Contains(regs, tap) {
			return false
		}
	}
	cd.sample[at].post = tap
	return true
}

func formOf(a, b bool) uint8 {
	f := tfNone
	if a {
		f |= tfA
	}
	if b {
		f |= tfB
	}
	return f
}

// fuse marks nodes computed inside their single consumer: a Real product
// feeding a sum or difference, a floor feeding x − floor(x) (ma.frac), and
// a frac feeding a sum (the phasor's step). Fusing never changes a result:
// each fused instruction rounds exactly where the separate ones would.
func (c *compiler) fuse(s *scheduler, fused []bool) {
	single := func(id int32, rate class) bool {
		n := &c.nodes[id]
		return s.uses[id] == 1 && n.class == rate && n.typ == faust.Real && !fused[id]
	}
	realArgs := func(n *node) bool {
		for j := range int(n.nargs) {
			if c.nodes[n.args[j]].typ != faust.Real {
				return false
			}
		}
		return true
	}
	isProd := func(id int32, rate class) bool {
		n := &c.nodes[id]
		return n.op == faust.OpMul && single(id, rate) && realArgs(n)
	}
	for _, id := range s.order {
		n := &c.nodes[id]
		if fused[id] || n.typ != faust.Real || (n.op != faust.OpAdd && n.op != faust.OpSub) || !realArgs(n) {
			continue
		}
		a, b := n.args[0], n.args[1]
		switch {
		case n.op == faust.OpSub && c.nodes[b].op == faust.OpFloor && c.nodes[b].args[0] == a && single(b, n.class):
			fused[b] = true
		case n.op == faust.OpAdd && isProd(a, n.class) && isProd(b, n.class):
			fused[a], fused[b] = true, true
		case isProd(a, n.class):
			fused[a] = true
		case isProd(b, n.class):
			fused[b] = true
		}
	}
	for _, id := range s.order {
		n := &c.nodes[id]
		if fused[id] || n.op != faust.OpAdd || n.typ != faust.Int {
			continue
		}
		for j := range 2 {
			a := &c.nodes[n.args[j]]
			if a.op == faust.OpMul && a.typ == faust.Int && s.uses[n.args[j]] == 1 && a.class == n.class && !fused[n.args[j]] {
				fused[n.args[j]] = true
				break
			}
		}
	}
	for _, id := range s.order {
		n := &c.nodes[id]
		if !fused[id] && n.op == faust.OpSin && n.typ == faust.Real && isProd(n.args[0], n.class) {
			fused[n.args[0]] = true
		}
	}
	isFrac := func(id int32, rate class) bool {
		n := &c.nodes[id]
		return n.op == faust.OpSub && single(id, rate) && fused[n.args[1]] && c.nodes[n.args[1]].op == faust.OpFloor
	}
	for _, id := range s.order {
		n := &c.nodes[id]
		if fused[id] || n.op != faust.OpAdd || n.typ != faust.Real || !realArgs(n) || fused[n.args[0]] || fused[n.args[1]] {
			continue
		}
		if isFrac(n.args[1], n.class) {
			fused[n.args[1]] = true
		} else if isFrac(n.args[0], n.class) {
			fused[n.args[0]] = true
		}
	}
}

var realOps = map[faust.Op]opcode{
	faust.OpAdd: opAdd, faust.OpSub: opSub, faust.OpMul: opMul, faust.OpDiv: opDiv,
	faust.OpMod: opFmod, faust.OpFmod: opFmod, faust.OpPow: opPow, faust.OpAtan2: opAtan2,
	faust.OpMin: opMin, faust.OpMax: opMax,
	faust.OpLT: opLT, faust.OpLE: opLE, faust.OpGT: opGT, faust.OpGE: opGE, faust.OpEQ: opEQ, faust.OpNE: opNE,
	faust.OpAnd: opAnd, faust.OpOr: opOr, faust.OpXor: opXor, faust.OpShl: opShl, faust.OpShr: opShr,
	faust.OpSin: opSin, faust.OpCos: opCos, faust.OpTan: opTan, faust.OpAsin: opAsin, faust.OpAcos: opAcos,
	faust.OpAtan: opAtan, faust.OpExp: opExp, faust.OpLog: opLog, faust.OpLog10: opLog10, faust.OpSqrt: opSqrt,
	faust.OpAbs: opAbs, faust.OpFloor: opFloor, faust.OpCeil: opCeil, faust.OpRint: opRint,
	faust.OpSelect2: opSelect2, faust.OpIntCast: opIntCast, faust.OpFloatCast: opMove,
}

var intOps = map[faust.Op]opcode{
	faust.OpAdd: opIAdd, faust.OpSub: opISub, faust.OpMul: opIMul, faust.OpMod: opIMod,
	faust.OpPow: opIPow, faust.OpAbs: opIAbs,
}

// instr builds the instruction computing node id.
func (c *compiler) instr(id int32, fused []bool) instr {
	n := &c.nodes[id]
	op, ok := realOps[n.op]
	if n.typ == faust.Int {
		if iop, ok2 := intOps[n.op]; ok2 {
			op, ok = iop, true
		}
	}
	if !ok {
		panic(fmt.Sprintf("synth: no instruction for operation %d", n.op))
	}
	in := instr{op: op, d: id, a: n.args[0], b: n.args[1], c: n.args[2]}
	isFused := func(j int, op faust.Op) bool { return fused[n.args[j]] && c.nodes[n.args[j]].op == op }
	switch {
	case op == opIAdd && (isFused(0, faust.OpMul) || isFused(1, faust.OpMul)):
		j := 0
		if !isFused(0, faust.OpMul) {
			j = 1
		}
		p := &c.nodes[n.args[j]]
		in.op = opIMulAdd
		in.a, in.b, in.c = p.args[0], p.args[1], n.args[1-j]
	case op == opSin && isFused(0, faust.OpMul):
		in.op = opSinMul
		in.a, in.b = c.nodes[n.args[0]].args[0], c.nodes[n.args[0]].args[1]
	case op == opSub && isFused(1, faust.OpFloor):
		in.op = opFrac
	case op == opAdd && isFused(0, faust.OpMul) && isFused(1, faust.OpMul):
		p, q := &c.nodes[n.args[0]], &c.nodes[n.args[1]]
		in.op = opDot2
		in.a, in.b, in.c, in.e = p.args[0], p.args[1], q.args[0], q.args[1]
	case op == opAdd && isFused(0, faust.OpSub):
		in.op = opFracAdd // frac(p) + inc
		in.a, in.b = n.args[1], c.nodes[n.args[0]].args[0]
	case op == opAdd && isFused(1, faust.OpSub):
		in.op = opFracAdd // inc + frac(p)
		in.a, in.b = n.args[0], c.nodes[n.args[1]].args[0]
	case (op == opAdd || op == opSub) && isFused(0, faust.OpMul):
		p := &c.nodes[n.args[0]]
		in.op = opMulAdd
		if op == opSub {
			in.op = opMulSub
		}
		in.a, in.b, in.c = p.args[0], p.args[1], n.args[1]
	case (op == opAdd || op == opSub) && isFused(1, faust.OpMul):
		p := &c.nodes[n.args[1]]
		in.op = opMulAdd // c + a*b: IEEE addition commutes exactly
		if op == opSub {
			in.op = opSubMul
		}
		in.a, in.b, in.c = p.args[0], p.args[1], n.args[0]
	}
	has := func(r int32) bool { return c.nodes[r].mask != 0 }
	switch {
	case n.mask == 0:
		in.form = tfNone
	case in.op == opSelect2:
		in.form = formOf(has(in.b), has(in.c))
	case in.op == opSinMul:
		in.form = formOf(has(in.a), has(in.b))
	case arity(n.op) == 1 || in.op == opFrac:
		in.form = formOf(has(in.a), false)
	default:
		in.form = formOf(has(in.a), has(in.b))
	}
	if n.mask != 0 && (in.op == opMulAdd || in.op == opMulSub || in.op == opSubMul || in.op == opDot2) {
		in.form = tfAB // all operands: see the fused kernels
	}
	return in
}
