package synth

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/soundmatch/soundmatch/faust"
)

// naive renders a signal graph the slow, obvious way: every sample it
// walks the graph from the output, memoizing within the sample, with dual
// numbers for the tangents, and keeps the full past of every delayed
// signal. It shares only the scalar operation semantics (eval) with the
// compiler, so it checks everything the compiler adds: hash-consing,
// folding, rate classes, histories, rings, fusion, sections, and the
// executors' tangent code.
type naive struct {
	K       int
	values  []float64
	n       int
	cur     map[*faust.Sig]dual
	hist    map[*faust.Sig][]dual
	tracked []*faust.Sig
	isConst map[*faust.Sig]bool
}

type dual struct {
	v float64
	d []float64
}

func (nv *naive) zero(v float64) dual { return dual{v, make([]float64, nv.K)} }

func (nv *naive) constant(s *faust.Sig) bool {
	if c, ok := nv.isConst[s]; ok {
		return c
	}
	c := true
	switch s.Op {
	case faust.OpControl, faust.OpInput, faust.OpRecRef, faust.OpDelay:
		c = false
	default:
		for _, a := range s.Args {
			c = c && nv.constant(a)
		}
	}
	nv.isConst[s] = c
	return c
}

func (nv *naive) track(s *faust.Sig) {
	if _, ok := nv.hist[s]; !ok {
		nv.hist[s] = nil
		nv.tracked = append(nv.tracked, s)
	}
}

func (nv *naive) past(s *faust.Sig, d int) dual {
	h := nv.hist[s]
	if i := nv.n - d; i >= 0 && i < len(h) {
		return h[i]
	}
	return nv.zero(0)
}

func (nv *naive) eval(s *faust.Sig) dual {
	if r, ok := nv.cur[s]; ok {
		return r
	}
	var r dual
	switch s.Op {
	case faust.OpConst:
		v := s.Val
		if s.Type == faust.Int {
			v = float64(toInt32(v))
		}
		r = nv.zero(v)
	case faust.OpControl:
		r = nv.zero(nv.values[s.Param])
		r.d[s.Param] = 1
	case faust.OpRecRef:
		def := s.Rec.Defs[s.Index]
		nv.track(def)
		r = nv.past(def, 1)
	case faust.OpDelay:
		nv.track(s.Args[0])
		nv.eval(s.Args[1])
		r = nv.past(s.Args[0], int(toInt32(nv.eval(s.Args[1]).v)))
	default:
		args := make([]dual, len(s.Args))
		x := make([]float64, len(s.Args))
		for i, a := range s.Args {
			args[i] = nv.eval(a)
			x[i] = args[i].v
		}
		op := s.Op
		if op == faust.OpDiv && nv.constant(s.Args[1]) && x[1] != 0 && !math.IsInf(x[1], 0) {
			// the compiler follows Faust: x/c is x*(1/c)
			x[1] = 1 / x[1]
			args[1].v = x[1]
			op = faust.OpMul
		}
		v, ok := eval(op, s.Type, x)
		if !ok {
			panic("naive: cannot evaluate")
		}
		if s.Type == faust.Int {
			v = float64(toInt32(v))
		}
		r = nv.zero(v)
		if s.Type == faust.Real {
			nv.tangent(op, args, r)
		}
	}
	nv.cur[s] = r
	return r
}

// tangent applies the derivative rules of docs/faust-derivatives.md.
func (nv *naive) tangent(op faust.Op, a []dual, r dual) {
	lin := func(c ...float64) {
		for k := range r.d {
			for i, ci := range c {
				if ci != 0 {
					r.d[k] += ci * a[i].d[k]
				}
			}
		}
	}
	x := a[0].v
	switch op {
	case faust.OpAdd:
		lin(1, 1)
	case faust.OpSub:
		lin(1, -1)
	case faust.OpMul:
		lin(a[1].v, x)
	case faust.OpDiv:
		lin(1/a[1].v, -x/(a[1].v*a[1].v))
	case faust.OpMod, faust.OpFmod:
		lin(1, -math.Trunc(x/a[1].v))
	case faust.OpPow:
		y := a[1].v
		l := 0.0
		if x > 0 {
			l = math.Pow(x, y) * math.Log(x)
		}
		lin(y*math.Pow(x, y-1), l)
	case faust.OpSin:
		lin(math.Cos(x))
	case faust.OpCos:
		lin(-math.Sin(x))
	case faust.OpTan:
		lin(1 / (math.Cos(x) * math.Cos(x)))
	case faust.OpAsin:
		lin(1 / math.Sqrt(1-x*x))
	case faust.OpAcos:
		lin(-1 / math.Sqrt(1-x*x))
	case faust.OpAtan:
		lin(1 / (1 + x*x))
	case faust.OpExp:
		lin(math.Exp(x))
	case faust.OpLog:
		lin(1 / x)
	case faust.OpLog10:
		lin(1 / (x * math.Ln10))
	case faust.OpSqrt:
		if x > 0 {
			lin(0.5 / math.Sqrt(x))
		}
	case faust.OpAbs:
		if x > 0 {
			lin(1)
		} else if x < 0 {
			lin(-1)
		}
	case faust.OpAtan2:
		y, xx := a[0].v, a[1].v
		if q := xx*xx + y*y; q != 0 {
			lin(xx/q, -y/q)
		}
	case faust.OpMin:
		if a[1].v < x {
			lin(0, 1)
		} else {
			lin(1, 0)
		}
	case faust.OpMax:
		if x < a[1].v {
			lin(0, 1)
		} else {
			lin(1, 0)
		}
	case faust.OpSelect2:
		if toInt32(x) != 0 {
			lin(0, 0, 1)
		} else {
			lin(0, 1, 0)
		}
	case faust.OpFloatCast:
		lin(1)
	}
}

func naiveRender(g *faust.Graph, values []float64, n int) (out []float64, jac [][]float64) {
	nv := &naive{K: len(g.Controls), values: values, hist: map[*faust.Sig][]dual{}, isConst: map[*faust.Sig]bool{}}
	out = make([]float64, n)
	jac = make([][]float64, nv.K)
	for k := range jac {
		jac[k] = make([]float64, n)
	}
	for nv.n = 0; nv.n < n; nv.n++ {
		nv.cur = map[*faust.Sig]dual{}
		r := nv.eval(g.Outputs[0])
		out[nv.n] = r.v
		for k := range jac {
			jac[k][nv.n] = r.d[k]
		}
		for i := 0; i < len(nv.tracked); i++ { // evaluating may track more
			s := nv.tracked[i]
			nv.eval(s)
		}
		for _, s := range nv.tracked {
			nv.hist[s] = append(nv.hist[s], nv.cur[s])
		}
	}
	return out, jac
}

// TestAgainstNaive compares the compiled engine with the naive evaluator
// on the built-ins and every extra program: values bit for bit, tangents
// to 1e-10 relative to their largest magnitude (they are summed in a
// different order).
func TestAgainstNaive(t *testing.T) {
	n := 1500
	type prog struct {
		name string
		src  []byte
	}
	var progs []prog
	for _, b := range Builtins() {
		src, _ := BuiltinSource(b)
		progs = append(progs, prog{b + ".dsp", src})
	}
	files, _ := filepath.Glob("testdata/golden-extra/dsp/*.dsp")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		progs = append(progs, prog{f, src})
	}
	extra := map[string]string{
		// a section whose history is also read outside it (not owned),
		// a ring delay read at several taps, a recursion through a delay
		"shared.dsp": `import("stdfaust.lib");
c = hslider("c",600,50,5000,1);
r = hslider("r",0.5,0,0.9,0.01);
v = no.noise : fi.lowpass(2,c);
process = v + v'*r + (no.noise : (+ : @(12)) ~ *(r)) + (v@20 + v@13)*0.5;`,
	}
	// Five sliders (tangents padded to a width of 6), and none at all.
	extra["five.dsp"] = `import("stdfaust.lib");
f = hslider("f",300,20,2000,1); q = hslider("q",2,0.5,10,0.01); g = hslider("g",0.5,0,1,0.01);
s = hslider("s",0.9,0,0.99,0.001); m = hslider("m",2,0.1,10,0.1);
process = no.noise : fi.resonbp(f,q,g) : si.smooth(s) : *(1 + 0.5*sin(2*ma.PI*(+(m/ma.SR) ~ ma.frac)));`
	extra["none.dsp"] = `import("stdfaust.lib");
process = no.noise : fi.lowpass(3, 1000) : fi.highpass(2, 30);`
	// Outputs that are delayed signals.
	extra["mem.dsp"] = `import("stdfaust.lib"); process = no.noise*hslider("a",0.5,0,1,0.01) : mem;`
	extra["tick.dsp"] = `import("stdfaust.lib"); process = (no.noise*hslider("a",0.5,0,1,0.01))';`
	extra["ring.dsp"] = `import("stdfaust.lib"); process = no.noise*hslider("a",0.5,0,1,0.01) : @(20);`
	for name, src := range extra {
		progs = append(progs, prog{name, []byte(src)})
	}
	if len(files) == 0 {
		t.Fatal("no extra programs found")
	}
	// A direct-form-II section whose state v@1 is also read outside it
	// (so it cannot shift its own history), built by hand.
	b := newGraph(44100)
	a1 := b.slider("a1", -1.2, -1.9, 1.9, 0.01)
	b0 := b.slider("b0", 0.3, -1, 1, 0.01)
	v := recursion(faust.Real, func(prev *faust.Sig) *faust.Sig {
		return sub(noise(), fir(prev, a1, real(0.5)))
	})
	shared := b.process(add(fir(v, b0, real(0.2), real(0.1)), mul(delay(v, 1), real(0.3))))
	// The same section with v@3 read outside it: the history is longer
	// than the section's own, so commits must shift it.
	b = newGraph(44100)
	a1 = b.slider("a1", -1.2, -1.9, 1.9, 0.01)
	v = recursion(faust.Real, func(prev *faust.Sig) *faust.Sig {
		return sub(noise(), fir(prev, a1, real(0.5)))
	})
	longer := b.process(add(fir(v, real(0.3), real(0.2), real(0.1)), mul(delay(v, 3), real(0.3))))
	// fi.tf1 with x@1 also read outside it.
	b = newGraph(44100)
	a1 = b.slider("a1", -0.5, -0.99, 0.99, 0.01)
	x := mul(noise(), a1)
	firstShared := b.process(add(tf1(x, real(0.4), real(0.3), a1), delay(x, 1)))
	graphs := map[string]*faust.Graph{"hand-shared-state": shared, "hand-longer-history": longer, "hand-tf1-shared": firstShared}
	for _, pr := range progs {
		g, err := faust.Compile(pr.name, pr.src, 44100)
		if err != nil {
			t.Fatal(err)
		}
		graphs[pr.name] = g
	}
	for name, g := range graphs {
		pr := prog{name: name}
		p, err := FromGraph(pr.name, g)
		if err != nil {
			t.Fatal(err)
		}
		if name == "hand-shared-state" && (len(p.code.sections) != 1 || p.code.sections[0].owned) {
			t.Errorf("%s: want one section that does not own its history, got %+v", name, p.code.sections)
		}
		values := make([]float64, len(p.Params()))
		for k, q := range p.Params() {
			values[k] = q.Init + 0.37*(q.Max-q.Init) // not the default, not a round number
		}
		want, wantJac := naiveRender(g, values, n)
		out := make([]float64, n)
		jac := make([][]float64, len(values))
		for k := range jac {
			jac[k] = make([]float64, n)
		}
		p.Render(values, out, jac)
		for i := range out {
			if out[i] != want[i] && !(math.IsNaN(out[i]) && math.IsNaN(want[i])) {
				t.Errorf("%s: sample %d = %.17g, naive %.17g", pr.name, i, out[i], want[i])
				break
			}
		}
		for k := range jac {
			scale := 0.0
			for _, d := range wantJac[k] {
				scale = math.Max(scale, math.Abs(d))
			}
			for i := range out {
				if d := math.Abs(jac[k][i] - wantJac[k][i]); !(d <= 1e-10*scale) {
					t.Errorf("%s: ∂out[%d]/∂%s = %.17g, naive %.17g", pr.name, i, p.Params()[k].Name, jac[k][i], wantJac[k][i])
					break
				}
			}
		}
	}
}
