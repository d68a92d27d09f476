package faust

import (
	"math"
	"testing"
)

// A deliberately naive interpreter of signal graphs, written from the
// definitions in signal.go and not from build.go: it recomputes every node
// every sample from its own switch, keeps whole histories for delays, and
// applies the Int wrapping rules itself. The tests compare it with numbers
// computed by hand and with the real Faust compiler's output.

type interp struct {
	order   []*Sig
	index   map[*Sig]int
	recs    []*Rec
	delayed map[*Sig][]float64 // history of every delayed signal
	prev    map[*Rec][]float64 // values of each rec's definitions at n-1
	val     []float64
	ctl     []float64
	n       int
}

func newInterp(g *Graph, ctl []float64) *interp {
	it := &interp{index: map[*Sig]int{}, delayed: map[*Sig][]float64{}, prev: map[*Rec][]float64{}, ctl: ctl}
	seenRec := map[*Rec]bool{}
	// A RecRef's value is last sample's, so the rec's definitions are not
	// its dependencies: they are visited as further roots, after.
	var roots []*Sig
	var visit func(s *Sig)
	visit = func(s *Sig) {
		if i, ok := it.index[s]; ok {
			if i < 0 {
				panic("interp: the signal graph has a cycle that does not go through a RecRef")
			}
			return
		}
		it.index[s] = -1 // in progress (graphs are acyclic)
		for _, a := range s.Args {
			visit(a)
		}
		if s.Op == OpDelay {
			it.delayed[s.Args[0]] = nil
		}
		if s.Op == OpRecRef && !seenRec[s.Rec] {
			seenRec[s.Rec] = true
			it.recs = append(it.recs, s.Rec)
			it.prev[s.Rec] = make([]float64, len(s.Rec.Defs))
			roots = append(roots, s.Rec.Defs...)
		}
		it.index[s] = len(it.order)
		it.order = append(it.order, s)
	}
	roots = append(roots, g.Outputs...)
	for len(roots) > 0 {
		r := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		visit(r)
	}
	it.val = make([]float64, len(it.order))
	return it
}

// cint is C++'s int(x) on x86-64: INT_MIN when x is NaN or out of range.
func cint(x float64) float64 {
	if math.IsNaN(x) || x >= 1<<31 || x < -(1<<31) {
		return math.MinInt32
	}
	return math.Trunc(x)
}

func (it *interp) arg(s *Sig, k int) float64 { return it.val[it.index[s.Args[k]]] }

func (it *interp) step() {
	for i, s := range it.order {
		var v float64
		isInt := s.Type == Int
		switch s.Op {
		case OpConst:
			v = s.Val
		case OpControl:
			v = it.ctl[s.Param]
		case OpRecRef:
			v = it.prev[s.Rec][s.Index]
		case OpDelay:
			h := it.delayed[s.Args[0]]
			d := int(it.arg(s, 1))
			if it.n-d >= 0 {
				v = h[it.n-d]
			}
		case OpAdd, OpSub, OpMul:
			a, b := it.arg(s, 0), it.arg(s, 1)
			if isInt {
				x, y := int32(a), int32(b)
				switch s.Op {
				case OpAdd:
					v = float64(x + y)
				case OpSub:
					v = float64(x - y)
				default:
					v = float64(x * y)
				}
			} else {
				switch s.Op {
				case OpAdd:
					v = a + b
				case OpSub:
					v = a - b
				default:
					v = a * b
				}
			}
		case OpDiv:
			v = it.arg(s, 0) / it.arg(s, 1)
		case OpMod:
			if isInt {
				b := int32(it.arg(s, 1))
				if b != 0 {
					v = float64(int32(it.arg(s, 0)) % b)
				}
			} else {
				v = math.Mod(it.arg(s, 0), it.arg(s, 1))
			}
		case OpPow:
			v = math.Pow(it.arg(s, 0), it.arg(s, 1))
			if isInt {
				v = cint(v)
			}
		case OpLT, OpLE, OpGT, OpGE, OpEQ, OpNE:
			a, b := it.arg(s, 0), it.arg(s, 1)
			c := map[Op]bool{OpLT: a < b, OpLE: a <= b, OpGT: a > b, OpGE: a >= b, OpEQ: a == b, OpNE: a != b}[s.Op]
			if c {
				v = 1
			}
		case OpAnd:
			v = float64(int32(it.arg(s, 0)) & int32(it.arg(s, 1)))
		case OpOr:
			v = float64(int32(it.arg(s, 0)) | int32(it.arg(s, 1)))
		case OpXor:
			v = float64(int32(it.arg(s, 0)) ^ int32(it.arg(s, 1)))
		case OpShl:
			v = float64(int32(it.arg(s, 0)) << (uint32(it.arg(s, 1)) & 31))
		case OpShr:
			v = float64(int32(it.arg(s, 0)) >> (uint32(it.arg(s, 1)) & 31))
		case OpSin:
			v = math.Sin(it.arg(s, 0))
		case OpCos:
			v = math.Cos(it.arg(s, 0))
		case OpTan:
			v = math.Tan(it.arg(s, 0))
		case OpAsin:
			v = math.Asin(it.arg(s, 0))
		case OpAcos:
			v = math.Acos(it.arg(s, 0))
		case OpAtan:
			v = math.Atan(it.arg(s, 0))
		case OpExp:
			v = math.Exp(it.arg(s, 0))
		case OpLog:
			v = math.Log(it.arg(s, 0))
		case OpLog10:
			v = math.Log10(it.arg(s, 0))
		case OpSqrt:
			v = math.Sqrt(it.arg(s, 0))
		case OpAbs:
			v = math.Abs(it.arg(s, 0))
		case OpFloor:
			v = math.Floor(it.arg(s, 0))
		case OpCeil:
			v = math.Ceil(it.arg(s, 0))
		case OpRint:
			v = math.RoundToEven(it.arg(s, 0))
		case OpAtan2:
			v = math.Atan2(it.arg(s, 0), it.arg(s, 1))
		case OpFmod:
			v = math.Mod(it.arg(s, 0), it.arg(s, 1))
		case OpMin:
			a, b := it.arg(s, 0), it.arg(s, 1)
			v = a
			if b < a {
				v = b
			}
		case OpMax:
			a, b := it.arg(s, 0), it.arg(s, 1)
			v = a
			if a < b {
				v = b
			}
		case OpSelect2:
			v = it.arg(s, 1)
			if it.arg(s, 0) != 0 {
				v = it.arg(s, 2)
			}
		case OpIntCast:
			v = cint(it.arg(s, 0))
		case OpFloatCast:
			v = it.arg(s, 0)
		default:
			panic("interp: op not handled")
		}
		it.val[i] = v
	}
	for x, h := range it.delayed {
		it.delayed[x] = append(h, it.val[it.index[x]])
	}
	for _, r := range it.recs {
		for i, d := range r.Defs {
			it.prev[r][i] = it.val[it.index[d]]
		}
	}
	it.n++
}

// render runs a compiled graph for n samples with the given control values
// (nil: the controls' init values) and returns output 0.
func render(t testing.TB, g *Graph, ctl []float64, n int) []float64 {
	t.Helper()
	if ctl == nil {
		for _, c := range g.Controls {
			ctl = append(ctl, c.Init)
		}
	}
	it := newInterp(g, ctl)
	out := make([]float64, n)
	for k := range out {
		it.step()
		out[k] = it.val[it.index[g.Outputs[0]]]
	}
	return out
}

func mustCompile(t testing.TB, src string) *Graph {
	t.Helper()
	g, err := Compile("test.dsp", []byte(src), 44100)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	return g
}
