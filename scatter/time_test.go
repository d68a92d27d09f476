package scatter

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

type refFilter struct {
	Xi, Sigma float64
	J         int
}

type timeRef struct {
	N, J    int
	Q       []int
	T       float64
	Norm    string
	Npad    int `json:"npad"`
	PadLeft int `json:"pad_left"`
	Phi     refFilter
	Psi1    []refFilter
	Psi2    []refFilter
	X       []float64
	S       [][]float64
}

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Abs(want)
}

func checkBank(t *testing.T, what string, got []Filter, want []refFilter) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d filters, Kymatio has %d", what, len(got), len(want))
	}
	for i := range want {
		if !relClose(got[i].Xi, want[i].Xi, 1e-12) || !relClose(got[i].Sigma, want[i].Sigma, 1e-12) || got[i].J != want[i].J {
			t.Errorf("%s[%d]: (ξ,σ,j) = (%g,%g,%d), Kymatio (%g,%g,%d)", what, i,
				got[i].Xi, got[i].Sigma, got[i].J, want[i].Xi, want[i].Sigma, want[i].J)
		}
	}
}

// maxRelErr is max |got−want| / max |want| over one row.
func maxRelErr(got, want []float64) float64 {
	var e, m float64
	for i := range want {
		e = math.Max(e, math.Abs(got[i]-want[i]))
		m = math.Max(m, math.Abs(want[i]))
	}
	if m == 0 {
		return e
	}
	return e / m
}

func TestTimeMatchesKymatio(t *testing.T) {
	for _, name := range []string{"time_J6_Q1_T64_mean", "time_J6_Q1_T64_sum", "time_J7_Q4-2_T128_sum"} {
		t.Run(name, func(t *testing.T) {
			var ref timeRef
			readJSON(t, name+".json", &ref)
			norm, err := ParseNormalization(ref.Norm)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTime(ref.N, Config{J: ref.J, Q1: ref.Q[0], Q2: ref.Q[1], T: ref.T, Norm: norm})
			if err != nil {
				t.Fatal(err)
			}
			if tr.npad != ref.Npad || tr.padL != ref.PadLeft {
				t.Fatalf("padding (%d,%d), Kymatio (%d,%d)", tr.npad, tr.padL, ref.Npad, ref.PadLeft)
			}
			checkBank(t, "psi1", tr.bank.Psi1, ref.Psi1)
			checkBank(t, "psi2", tr.bank.Psi2, ref.Psi2)
			checkBank(t, "phi", []Filter{tr.bank.Phi}, []refFilter{ref.Phi})
			if len(tr.Paths()) != len(ref.S) || tr.Frames() != len(ref.S[0]) {
				t.Fatalf("output %d×%d, Kymatio %d×%d", len(tr.Paths()), tr.Frames(), len(ref.S), len(ref.S[0]))
			}
			s := tr.Forward(nil, ref.X)
			worst := 0.0
			for p := range ref.S {
				e := maxRelErr(s[p*tr.Frames():(p+1)*tr.Frames()], ref.S[p])
				worst = math.Max(worst, e)
				if e > 1e-6 {
					t.Errorf("path %d %+v: relative error %.2g", p, tr.Paths()[p], e)
				}
			}
			t.Logf("%d paths × %d frames, worst row relative error %.2g", len(ref.S), tr.Frames(), worst)
		})
	}
}

func allLevels(f Filter) [][]float64 {
	var out [][]float64
	for l := 0; l < f.NumLevels(); l++ {
		out = append(out, f.Level(l))
	}
	return out
}

func TestFiltersMatchKymatio(t *testing.T) {
	var ref struct {
		N, J int
		Q    []int
		T    float64
		Npad int `json:"npad"`
		Phi  [][]float64
		Psi1 [][][]float64
		Psi2 [][][]float64
	}
	readJSON(t, "filters_J4_Q2-1_T16.json", &ref)
	tr, err := NewTime(ref.N, Config{J: ref.J, Q1: ref.Q[0], Q2: ref.Q[1], T: ref.T, Norm: Sum})
	if err != nil {
		t.Fatal(err)
	}
	cmp := func(what string, got [][]float64, want [][]float64) {
		if len(got) != len(want) {
			t.Errorf("%s: %d levels, Kymatio %d", what, len(got), len(want))
			return
		}
		for l := range want {
			if e := maxRelErr(got[l], want[l]); e > 1e-12 {
				t.Errorf("%s level %d: relative error %.2g", what, l, e)
			}
		}
	}
	cmp("phi", allLevels(tr.bank.Phi), ref.Phi)
	for i := range ref.Psi1 {
		cmp("psi1", allLevels(tr.bank.Psi1[i]), ref.Psi1[i])
	}
	for i := range ref.Psi2 {
		cmp("psi2", allLevels(tr.bank.Psi2[i]), ref.Psi2[i])
	}
}

// linearReducer is a loss with a nonzero gradient everywhere: Σ w·s.
func linearReducer(w [][]float64) Reducer {
	return func(p int, s, gs []float64) float64 {
		v := 0.0
		for i := range s {
			v += w[p][i] * s[i]
			if gs != nil {
				gs[i] = w[p][i]
			}
		}
		return v
	}
}

// checkGradient compares the VJP with central finite differences along
// random directions.
func checkGradient(t *testing.T, n int, eval func(x, g []float64) float64, x []float64, tol float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	g := make([]float64, n)
	eval(x, g)
	xp, xm := make([]float64, n), make([]float64, n)
	for trial := 0; trial < 3; trial++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = rng.NormFloat64()
		}
		// The modulus makes the truncation error O(h²·|x|/|Y|); 1e-5
		// keeps it below 1e-7 for unit-amplitude test signals.
		h := 1e-5
		for i := range x {
			xp[i] = x[i] + h*d[i]
			xm[i] = x[i] - h*d[i]
		}
		fd := (eval(xp, nil) - eval(xm, nil)) / (2 * h)
		an := 0.0
		for i := range g {
			an += g[i] * d[i]
		}
		if !relClose(an, fd, tol) {
			t.Errorf("direction %d: gradient·d = %.10g, finite difference %.10g (rel %.2g)", trial, an, fd, math.Abs(an-fd)/math.Abs(fd))
		}
	}
}

func testSignal(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n)
	for i := range x {
		ti := float64(i) / 8000
		x[i] = math.Sin(2*math.Pi*(300*ti+2000*ti*ti)) + 0.2*rng.NormFloat64()
	}
	return x
}

func TestTimeGradient(t *testing.T) {
	n := 1500
	for _, cfg := range []Config{{J: 5, Q1: 1, Q2: 1, T: 32}, {J: 6, Q1: 4, Q2: 2, T: 64, Norm: Sum}} {
		tr, err := NewTime(n, cfg)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		w := make([][]float64, len(tr.Paths()))
		for p := range w {
			w[p] = make([]float64, tr.Frames())
			for i := range w[p] {
				w[p][i] = rng.NormFloat64()
			}
		}
		f := linearReducer(w)
		checkGradient(t, n, func(x, g []float64) float64 { return tr.Eval(x, g, f) }, testSignal(n, 1), 1e-5)
	}
}

func TestTimeSilence(t *testing.T) {
	n := 1000
	tr, err := NewTime(n, Config{J: 5, Q1: 2, Q2: 1})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, n)
	g := make([]float64, n)
	f := func(p int, s, gs []float64) float64 {
		v := 0.0
		for i := range s {
			v += math.Abs(s[i] - 1e-3)
			if gs != nil {
				gs[i] = -1
			}
		}
		return v
	}
	v := tr.Eval(x, g, f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		t.Fatalf("value %v on silence", v)
	}
	for i, gi := range g {
		if math.IsNaN(gi) || math.IsInf(gi, 0) {
			t.Fatalf("gradient[%d] = %v on silence", i, gi)
		}
	}
}

func TestTimeEvalAllocs(t *testing.T) {
	n := 2000
	tr, err := NewTime(n, Config{J: 6, Q1: 1, Q2: 1})
	if err != nil {
		t.Fatal(err)
	}
	x, g := testSignal(n, 2), make([]float64, n)
	f := func(p int, s, gs []float64) float64 { return 0 }
	if a := testing.AllocsPerRun(5, func() { tr.Eval(x, g, f) }); a != 0 {
		t.Errorf("Eval allocates %v times per call", a)
	}
}

func TestTimeConfigErrors(t *testing.T) {
	for _, c := range []struct {
		n   int
		cfg Config
	}{
		{1000, Config{J: 0, Q1: 1, Q2: 1}},
		{1000, Config{J: 6, Q1: 0, Q2: 1}},
		{1000, Config{J: 6, Q1: 1, Q2: 1, T: 5000}},
		{1000, Config{J: 6, Q1: 1, Q2: 1, MaxOrder: 3}},
	} {
		if _, err := NewTime(c.n, c.cfg); err == nil {
			t.Errorf("NewTime(%d, %+v): no error", c.n, c.cfg)
		}
	}
}

func BenchmarkTimeEval44100(b *testing.B) {
	n := 44100
	tr, err := NewTime(n, Config{J: 6, Q1: 1, Q2: 1})
	if err != nil {
		b.Fatal(err)
	}
	x, g := testSignal(n, 2), make([]float64, n)
	f := func(p int, s, gs []float64) float64 {
		for i := range gs {
			gs[i] = 1
		}
		return 0
	}
	for b.Loop() {
		tr.Eval(x, g, f)
	}
}

// formulaSignal is the 1-s sound of testdata/gen/gen.py's formula_signal.
func formulaSignal(n int, sr float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		t := float64(i) / sr
		x[i] = math.Sin(2*math.Pi*(300*t+400*t*t)) * (1 + 0.5*math.Sin(2*math.Pi*6*t))
	}
	return x
}

func TestFullSizeMatchesKymatio(t *testing.T) {
	// The losses' default configurations on a 1-s 44.1 kHz sound.
	x := formulaSignal(44100, 44100)
	var sref struct {
		FrameStep int `json:"frame_step"`
		S         [][]float64
	}
	readJSON(t, "full_scattering_default.json", &sref)
	tr, err := NewTime(len(x), Config{J: 6, Q1: 1, Q2: 1, T: 64})
	if err != nil {
		t.Fatal(err)
	}
	s := tr.Forward(nil, x)
	fr := tr.Frames()
	if len(sref.S) != len(tr.Paths()) || len(sref.S[0]) != (fr+sref.FrameStep-1)/sref.FrameStep {
		t.Fatalf("scattering: %d×%d reference for %d×%d", len(sref.S), len(sref.S[0]), len(tr.Paths()), fr)
	}
	for p, want := range sref.S {
		got := make([]float64, len(want))
		for i := range got {
			got[i] = s[p*fr+i*sref.FrameStep]
		}
		if e := maxRelErr(got, want); e > 1e-6 {
			t.Errorf("scattering path %d: relative error %.2g", p, e)
		}
	}

	var jref struct {
		J2Min int
		S     [][]float64
	}
	readJSON(t, "full_jtfs_default.json", &jref)
	jt, err := NewJTFS(len(x), JTFSConfig{J: 12, Q1: 4, Q2: 1, JFr: 2, QFr: 1, J2Min: jref.J2Min})
	if err != nil {
		t.Fatal(err)
	}
	js := jt.Forward(nil, x)
	jf := jt.Frames()
	if len(jref.S) != len(jt.Paths()) || len(jref.S[0]) != jf {
		t.Fatalf("jtfs: %d×%d reference for %d×%d", len(jref.S), len(jref.S[0]), len(jt.Paths()), jf)
	}
	for p, want := range jref.S {
		if e := maxRelErr(js[p*jf:(p+1)*jf], want); e > 1e-6 {
			t.Errorf("jtfs row %d %+v: relative error %.2g", p, jt.Paths()[p], e)
		}
	}
}
