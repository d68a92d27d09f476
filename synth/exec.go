package synth

import (
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// vec is a register's tangent: one slot per slider, padded up to one of a
// few fixed widths so that every tangent loop has a constant trip count.
type vec interface {
	[1]float64 | [2]float64 | [3]float64 | [4]float64 | [6]float64 | [8]float64 |
		[12]float64 | [16]float64 | [24]float64 | [32]float64 | [48]float64 | [64]float64
}

// machine holds one Program's mutable state: the register values, the
// delay rings, and the tangents (in jacState, typed by width).
type machine struct {
	v     []float64
	ringV []float64
	pos   []int
	jac   jacRunner
}

type jacRunner interface {
	render(cd *code, m *machine, out []float64, jac [][]float64)
}

type jacState[T vec] struct {
	t, ringT []T
	section  func(*section, []float64, []T)
}

func newJacState[T vec](cd *code) *jacState[T] {
	s := &jacState[T]{t: make([]T, cd.nregs), ringT: make([]T, cd.ringLen), section: runSectionJac[T]}
	if f, ok := any(runSectionJac2).(func(*section, []float64, []T)); ok {
		s.section = f
	}
	for _, c := range cd.controls {
		s.t[c.reg][int(c.val)] = 1 // ∂value_k/∂value_k
	}
	return s
}

func newMachine(cd *code) *machine {
	m := &machine{
		v:     make([]float64, cd.nregs),
		ringV: make([]float64, cd.ringLen),
		pos:   make([]int, len(cd.rings)),
	}
	for _, c := range cd.consts {
		m.v[c.reg] = c.val
	}
	switch K := cd.K; {
	case K <= 1:
		m.jac = newJacState[[1]float64](cd)
	case K == 2:
		m.jac = newJacState[[2]float64](cd)
	case K == 3:
		m.jac = newJacState[[3]float64](cd)
	case K == 4:
		m.jac = newJacState[[4]float64](cd)
	case K <= 6:
		m.jac = newJacState[[6]float64](cd)
	case K <= 8:
		m.jac = newJacState[[8]float64](cd)
	case K <= 12:
		m.jac = newJacState[[12]float64](cd)
	case K <= 16:
		m.jac = newJacState[[16]float64](cd)
	case K <= 24:
		m.jac = newJacState[[24]float64](cd)
	case K <= 32:
		m.jac = newJacState[[32]float64](cd)
	case K <= 48:
		m.jac = newJacState[[48]float64](cd)
	default:
		m.jac = newJacState[[64]float64](cd)
	}
	return m
}

// render runs the compiled code from zero state: control-rate instructions
// once, then the per-sample instructions len(out) times.
func (cd *code) render(m *machine, values, out []float64, jac [][]float64) {
	v := m.v
	for _, c := range cd.controls {
		v[c.reg] = values[int(c.val)]
	}
	for _, st := range cd.states {
		v[st] = 0
	}
	clear(m.ringV)
	clear(m.pos)
	if jac != nil {
		m.jac.render(cd, m, out, jac)
		return
	}
	runValue(cd, cd.ctrl, v, m)
	o := cd.out
	for n := range out {
		runValue(cd, cd.sample, v, m)
		out[n] = v[o]
	}
}

func (s *jacState[T]) render(cd *code, m *machine, out []float64, jac [][]float64) {
	t := s.t
	var zero T
	for _, st := range cd.states {
		t[st] = zero
	}
	clear(s.ringT)
	v := m.v
	runJac(cd, cd.ctrl, v, t, m, s)
	o := cd.out
	for n := range out {
		runJac(cd, cd.sample, v, t, m, s)
		out[n] = v[o]
		to := &t[o]
		for k, row := range jac {
			row[n] = (*to)[k]
		}
	}
}

// ringIndex is the slot of a ring holding the value from delay samples ago.
func ringIndex(pos, delay, n int) int {
	i := pos - delay
	if i < 0 {
		i += n
	}
	return i
}

// runValue executes instructions without tangents.
func runValue(cd *code, code []instr, v []float64, m *machine) {
	rings := cd.rings
	for i := range code {
		in := &code[i]
		switch in.op {
		case opAdd:
			v[in.d] = v[in.a] + v[in.b]
		case opSub:
			v[in.d] = v[in.a] - v[in.b]
		case opMul:
			v[in.d] = v[in.a] * v[in.b]
		case opDiv:
			v[in.d] = v[in.a] / v[in.b]
		case opFmod:
			v[in.d] = math.Mod(v[in.a], v[in.b])
		case opPow:
			v[in.d] = detmath.Pow(v[in.a], v[in.b])
		case opAtan2:
			v[in.d] = detmath.Atan2(v[in.a], v[in.b])
		case opMin:
			v[in.d] = cmin(v[in.a], v[in.b])
		case opMax:
			v[in.d] = cmax(v[in.a], v[in.b])
		case opIAdd:
			v[in.d] = float64(ib(v[in.a]) + ib(v[in.b]))
		case opISub:
			v[in.d] = float64(ib(v[in.a]) - ib(v[in.b]))
		case opIMul:
			v[in.d] = float64(ib(v[in.a]) * ib(v[in.b]))
		case opIMulAdd:
			v[in.d] = float64(ib(v[in.a])*ib(v[in.b]) + ib(v[in.c]))
		case opIMod:
			v[in.d] = float64(imod(ib(v[in.a]), ib(v[in.b])))
		case opIPow:
			v[in.d] = float64(toInt32(detmath.Pow(v[in.a], v[in.b])))
		case opAnd:
			v[in.d] = float64(ib(v[in.a]) & ib(v[in.b]))
		case opOr:
			v[in.d] = float64(ib(v[in.a]) | ib(v[in.b]))
		case opXor:
			v[in.d] = float64(ib(v[in.a]) ^ ib(v[in.b]))
		case opShl:
			v[in.d] = float64(ib(v[in.a]) << (uint32(ib(v[in.b])) & 31))
		case opShr:
			v[in.d] = float64(ib(v[in.a]) >> (uint32(ib(v[in.b])) & 31))
		case opLT:
			v[in.d] = b2f(v[in.a] < v[in.b])
		case opLE:
			v[in.d] = b2f(v[in.a] <= v[in.b])
		case opGT:
			v[in.d] = b2f(v[in.a] > v[in.b])
		case opGE:
			v[in.d] = b2f(v[in.a] >= v[in.b])
		case opEQ:
			v[in.d] = b2f(v[in.a] == v[in.b])
		case opNE:
			v[in.d] = b2f(v[in.a] != v[in.b])
		case opSin:
			v[in.d] = detmath.Sin(v[in.a])
		case opCos:
			v[in.d] = detmath.Cos(v[in.a])
		case opTan:
			v[in.d] = detmath.Tan(v[in.a])
		case opAsin:
			v[in.d] = detmath.Asin(v[in.a])
		case opAcos:
			v[in.d] = detmath.Acos(v[in.a])
		case opAtan:
			v[in.d] = detmath.Atan(v[in.a])
		case opExp:
			v[in.d] = detmath.Exp(v[in.a])
		case opLog:
			v[in.d] = detmath.Log(v[in.a])
		case opLog10:
			v[in.d] = detmath.Log10(v[in.a])
		case opSqrt:
			v[in.d] = math.Sqrt(v[in.a])
		case opAbs:
			v[in.d] = math.Abs(v[in.a])
		case opIAbs:
			v[in.d] = float64(iabs(ib(v[in.a])))
		case opFloor:
			v[in.d] = math.Floor(v[in.a])
		case opCeil:
			v[in.d] = math.Ceil(v[in.a])
		case opRint:
			v[in.d] = math.RoundToEven(v[in.a])
		case opIntCast:
			v[in.d] = float64(toInt32(v[in.a]))
		case opMove, opCommit:
			v[in.d] = v[in.a]
		case opSelect2:
			if ib(v[in.a]) != 0 {
				v[in.d] = v[in.c]
			} else {
				v[in.d] = v[in.b]
			}
		case opMulAdd:
			v[in.d] = float64(v[in.a]*v[in.b]) + v[in.c]
		case opMulSub:
			v[in.d] = float64(v[in.a]*v[in.b]) - v[in.c]
		case opSubMul:
			v[in.d] = v[in.c] - float64(v[in.a]*v[in.b])
		case opDot2:
			v[in.d] = float64(v[in.a]*v[in.b]) + float64(v[in.c]*v[in.e])
		case opFrac:
			x := v[in.a]
			v[in.d] = x - math.Floor(x)
		case opFracAdd:
			x := v[in.b]
			v[in.d] = v[in.a] + (x - math.Floor(x))
		case opSection:
			runSection(&cd.sections[in.b], v)
		case opSections:
			secs := cd.sections[in.b : in.b+in.c]
			for j := range secs {
				runSection(&secs[j], v)
			}
		case opSinMul:
			v[in.d] = detmath.Sin(v[in.a] * v[in.b])
		case opFirstOrder:
			runFirstOrder(&cd.firsts[in.b], v)
		case opLoad:
			r := &rings[in.b]
			v[in.d] = m.ringV[r.off+ringIndex(m.pos[in.b], int(in.c), r.n)]
		case opStore:
			r := &rings[in.b]
			p := m.pos[in.b]
			m.ringV[r.off+p] = v[in.a]
			if p++; p == r.n {
				p = 0
			}
			m.pos[in.b] = p
		}
		if in.post != 0 {
			v[in.post] = v[in.d]
		}
	}
}

// Tangent kernels: t[d] = Σ coefficient·t[operand], each product rounded
// (no FMA). They go through pointers and read and write slot by slot:
// copying a whole tangent that was just written slot by slot stalls the
// CPU's store-to-load forwarding, which costs more than the arithmetic.

func scale[T vec](t []T, d, a int32, α float64) {
	pa, pd := &t[a], &t[d]
	for k := 0; k < len(*pd); k++ {
		(*pd)[k] = α * (*pa)[k]
	}
}

func lin2[T vec](t []T, d, a int32, α float64, b int32, β float64) {
	pa, pb, pd := &t[a], &t[b], &t[d]
	for k := 0; k < len(*pd); k++ {
		(*pd)[k] = float64(α*(*pa)[k]) + float64(β*(*pb)[k])
	}
}

func lin3[T vec](t []T, d, a int32, α float64, b int32, β float64, c int32, γ float64) {
	pa, pb, pc, pd := &t[a], &t[b], &t[c], &t[d]
	for k := 0; k < len(*pd); k++ {
		(*pd)[k] = float64(α*(*pa)[k]) + float64(β*(*pb)[k]) + float64(γ*(*pc)[k])
	}
}

func lin4[T vec](t []T, d, a int32, α float64, b int32, β float64, c int32, γ float64, e int32, δ float64) {
	pa, pb, pc, pe, pd := &t[a], &t[b], &t[c], &t[e], &t[d]
	for k := 0; k < len(*pd); k++ {
		(*pd)[k] = float64(α*(*pa)[k]) + float64(β*(*pb)[k]) + float64(γ*(*pc)[k]) + float64(δ*(*pe)[k])
	}
}

// copyT is t[d] = t[a], slot by slot (see above).
func copyT[T vec](t []T, d, a int32) {
	pa, pd := &t[a], &t[d]
	for k := 0; k < len(*pd); k++ {
		(*pd)[k] = (*pa)[k]
	}
}

// tan2 writes the tangent of a one- or two-operand instruction from the
// partial derivatives α = ∂d/∂a and β = ∂d/∂b, skipping operands that
// have no tangent.
func tan2[T vec](t []T, in *instr, α, β float64) {
	switch in.form {
	case tfA:
		scale(t, in.d, in.a, α)
	case tfB:
		scale(t, in.d, in.b, β)
	case tfAB:
		lin2(t, in.d, in.a, α, in.b, β)
	}
}

// runJac executes instructions with tangents. The values it computes are
// bit-identical to runValue's (the tests check it). Products inside the
// derivative formulas are rounded by float64(...) so that arm64 and amd64 v3
// do not fuse them into multiply-adds and every machine gets the same bits.
func runJac[T vec](cd *code, code []instr, v []float64, t []T, m *machine, s *jacState[T]) {
	rings, ringT := cd.rings, s.ringT
	for i := range code {
		in := &code[i]
		switch in.op {
		case opAdd:
			v[in.d] = v[in.a] + v[in.b]
			tan2(t, in, 1, 1)
		case opSub:
			v[in.d] = v[in.a] - v[in.b]
			tan2(t, in, 1, -1)
		case opMul:
			x, y := v[in.a], v[in.b]
			v[in.d] = x * y
			tan2(t, in, y, x)
		case opDiv:
			x, y := v[in.a], v[in.b]
			q := x / y
			v[in.d] = q
			tan2(t, in, 1/y, -q/y)
		case opFmod:
			x, y := v[in.a], v[in.b]
			v[in.d] = math.Mod(x, y)
			tan2(t, in, 1, -math.Trunc(x/y))
		case opPow:
			x, y := v[in.a], v[in.b]
			p := detmath.Pow(x, y)
			v[in.d] = p
			var α, β float64
			if in.form&tfA != 0 {
				α = y * detmath.Pow(x, y-1)
			}
			if in.form&tfB != 0 && x > 0 {
				β = p * detmath.Log(x)
			}
			tan2(t, in, α, β)
		case opAtan2:
			y, x := v[in.a], v[in.b]
			v[in.d] = detmath.Atan2(y, x)
			if r := float64(x*x) + float64(y*y); r != 0 {
				tan2(t, in, x/r, -y/r)
			} else {
				tan2(t, in, 0, 0)
			}
		case opMin:
			x, y := v[in.a], v[in.b]
			if y < x {
				v[in.d] = y
				if in.form != tfNone {
					copyT(t, in.d, in.b)
				}
			} else {
				v[in.d] = x
				if in.form != tfNone {
					copyT(t, in.d, in.a)
				}
			}
		case opMax:
			x, y := v[in.a], v[in.b]
			if x < y {
				v[in.d] = y
				if in.form != tfNone {
					copyT(t, in.d, in.b)
				}
			} else {
				v[in.d] = x
				if in.form != tfNone {
					copyT(t, in.d, in.a)
				}
			}
		case opSin:
			s, c := detmath.Sincos(v[in.a])
			v[in.d] = s
			tan2(t, in, c, 0)
		case opCos:
			s, c := detmath.Sincos(v[in.a])
			v[in.d] = c
			tan2(t, in, -s, 0)
		case opTan:
			y := detmath.Tan(v[in.a])
			v[in.d] = y
			tan2(t, in, 1+float64(y*y), 0)
		case opAsin:
			x := v[in.a]
			v[in.d] = detmath.Asin(x)
			tan2(t, in, 1/math.Sqrt(1-float64(x*x)), 0)
		case opAcos:
			x := v[in.a]
			v[in.d] = detmath.Acos(x)
			tan2(t, in, -1/math.Sqrt(1-float64(x*x)), 0)
		case opAtan:
			x := v[in.a]
			v[in.d] = detmath.Atan(x)
			tan2(t, in, 1/(1+float64(x*x)), 0)
		case opExp:
			y := detmath.Exp(v[in.a])
			v[in.d] = y
			tan2(t, in, y, 0)
		case opLog:
			x := v[in.a]
			v[in.d] = detmath.Log(x)
			tan2(t, in, 1/x, 0)
		case opLog10:
			x := v[in.a]
			v[in.d] = detmath.Log10(x)
			tan2(t, in, 1/(x*math.Ln10), 0)
		case opSqrt:
			y := math.Sqrt(v[in.a])
			v[in.d] = y
			α := 0.0
			if y > 0 {
				α = 0.5 / y
			}
			tan2(t, in, α, 0)
		case opAbs:
			x := v[in.a]
			v[in.d] = math.Abs(x)
			α := 0.0
			if x > 0 {
				α = 1
			} else if x < 0 {
				α = -1
			}
			tan2(t, in, α, 0)
		case opMove:
			v[in.d] = v[in.a]
			if in.form != tfNone {
				copyT(t, in.d, in.a)
			}
		case opSelect2:
			r := in.b
			if ib(v[in.a]) != 0 {
				r = in.c
			}
			v[in.d] = v[r]
			if in.form != tfNone {
				copyT(t, in.d, r)
			}
		case opMulAdd:
			x, y := v[in.a], v[in.b]
			v[in.d] = float64(x*y) + v[in.c]
			if in.form != tfNone {
				lin3(t, in.d, in.a, y, in.b, x, in.c, 1)
			}
		case opMulSub:
			x, y := v[in.a], v[in.b]
			v[in.d] = float64(x*y) - v[in.c]
			if in.form != tfNone {
				lin3(t, in.d, in.a, y, in.b, x, in.c, -1)
			}
		case opSubMul:
			x, y := v[in.a], v[in.b]
			v[in.d] = v[in.c] - float64(x*y)
			if in.form != tfNone {
				lin3(t, in.d, in.a, -y, in.b, -x, in.c, 1)
			}
		case opDot2:
			x, y, z, w := v[in.a], v[in.b], v[in.c], v[in.e]
			v[in.d] = float64(x*y) + float64(z*w)
			if in.form != tfNone {
				lin4(t, in.d, in.a, y, in.b, x, in.c, w, in.e, z)
			}
		case opFrac:
			x := v[in.a]
			v[in.d] = x - math.Floor(x)
			if in.form != tfNone {
				copyT(t, in.d, in.a)
			}
		case opFracAdd:
			x := v[in.b]
			v[in.d] = v[in.a] + (x - math.Floor(x))
			tan2(t, in, 1, 1)
		case opSection:
			s.section(&cd.sections[in.b], v, t)
		case opSections:
			secs := cd.sections[in.b : in.b+in.c]
			for j := range secs {
				s.section(&secs[j], v, t)
			}
		case opFirstOrder:
			runFirstOrderJac(&cd.firsts[in.b], v, t)
		case opSinMul:
			x, y := v[in.a], v[in.b]
			s, c := detmath.Sincos(x * y)
			v[in.d] = s
			tan2(t, in, c*y, c*x)
		case opIAdd:
			v[in.d] = float64(ib(v[in.a]) + ib(v[in.b]))
		case opIMul:
			v[in.d] = float64(ib(v[in.a]) * ib(v[in.b]))
		case opIMulAdd:
			v[in.d] = float64(ib(v[in.a])*ib(v[in.b]) + ib(v[in.c]))
		case opCommit:
			v[in.d] = v[in.a]
			if in.form != tfNone {
				copyT(t, in.d, in.a)
			}
		case opLoad:
			r := &rings[in.b]
			j := r.off + ringIndex(m.pos[in.b], int(in.c), r.n)
			v[in.d] = m.ringV[j]
			if in.form != tfNone {
				src, dst := &ringT[j], &t[in.d]
				for k := 0; k < len(*dst); k++ {
					(*dst)[k] = (*src)[k]
				}
			}
		case opStore:
			r := &rings[in.b]
			p := m.pos[in.b]
			m.ringV[r.off+p] = v[in.a]
			if in.form != tfNone {
				src, dst := &t[in.a], &ringT[r.off+p]
				for k := 0; k < len(*dst); k++ {
					(*dst)[k] = (*src)[k]
				}
			}
			if p++; p == r.n {
				p = 0
			}
			m.pos[in.b] = p
		default:
			// Int and piecewise-constant operations: zero tangent.
			runValue(cd, code[i:i+1], v, m)
			continue // runValue did the post copy
		}
		if in.post != 0 {
			v[in.post] = v[in.d]
			copyT(t, in.post, in.d)
		}
	}
}
