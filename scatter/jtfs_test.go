package scatter

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

type jtfsRef struct {
	Config struct {
		N, J int
		Q    []int
		T    float64
		JFr  int `json:"J_fr"`
		QFr  int `json:"Q_fr"`
		F    int
	}
	Npad    int `json:"npad"`
	PadLeft int `json:"pad_left"`
	Nfr     int
	Psi1    []refFilter
	Psi2    []refFilter
	PhiFr   refFilter   `json:"phi_fr"`
	PsiFr   []refFilter `json:"psi_fr"`
	Order   []int
	X       []float64
	S       [][]float64
}

func TestJTFSMatchesKymatio(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode int
	}{
		{"jtfs_J6_Q4-1_Jfr2_Qfr1", 0}, {"jtfs_J7_Q8-2_Jfr3_Qfr2", 0},
		{"jtfs_J6_Q4-1_Jfr2_Qfr1", 1}, {"jtfs_J6_Q4-1_Jfr2_Qfr1", 2},
	} {
		name := tc.name
		t.Run(fmt.Sprintf("%s/mode%d", name, tc.mode), func(t *testing.T) {
			var ref jtfsRef
			readJSON(t, name+".json", &ref)
			c := ref.Config
			tr, err := NewJTFS(c.N, JTFSConfig{J: c.J, Q1: c.Q[0], Q2: c.Q[1], T: c.T, JFr: c.JFr, QFr: c.QFr, F: c.F})
			if err != nil {
				t.Fatal(err)
			}
			tr.freqMode = tc.mode
			tr.allocPlanes()
			if tr.npad != ref.Npad || tr.padL != ref.PadLeft || tr.nfr != ref.Nfr {
				t.Fatalf("padding (%d,%d,%d), Kymatio (%d,%d,%d)", tr.npad, tr.padL, tr.nfr, ref.Npad, ref.PadLeft, ref.Nfr)
			}
			checkBank(t, "psi1", tr.bank.Psi1, ref.Psi1)
			checkBank(t, "psi2", tr.bank.Psi2, ref.Psi2)
			checkBank(t, "psi_fr", tr.psiFr, ref.PsiFr)
			checkBank(t, "phi_fr", []Filter{tr.phiF}, []refFilter{ref.PhiFr})
			if len(tr.Paths()) != len(ref.S) || tr.Frames() != len(ref.S[0]) {
				t.Fatalf("output %d×%d, Kymatio %d×%d", len(tr.Paths()), tr.Frames(), len(ref.S), len(ref.S[0]))
			}
			for p, o := range ref.Order {
				if tr.Paths()[p].Order != o {
					t.Fatalf("row %d: order %d, Kymatio %d", p, tr.Paths()[p].Order, o)
				}
			}
			s := tr.Forward(nil, ref.X)
			bad, worst := 0, 0.0
			for p := range ref.S {
				e := maxRelErr(s[p*tr.Frames():(p+1)*tr.Frames()], ref.S[p])
				worst = math.Max(worst, e)
				if e > 1e-6 {
					if bad++; bad < 10 {
						t.Errorf("row %d %+v: relative error %.2g", p, tr.Paths()[p], e)
					}
				}
			}
			t.Logf("%d rows × %d frames, worst row relative error %.2g", len(ref.S), tr.Frames(), worst)
		})
	}
}

func TestJTFSGradient(t *testing.T) {
	for mode := 1; mode <= 2; mode++ {
		testJTFSGradient(t, mode)
	}
}

func testJTFSGradient(t *testing.T, mode int) {
	n := 1200
	tr, err := NewJTFS(n, JTFSConfig{J: 5, Q1: 4, Q2: 1, JFr: 2, QFr: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr.freqMode = mode
	tr.allocPlanes()
	rng := rand.New(rand.NewPCG(5, 6))
	w := make([][]float64, len(tr.Paths()))
	for p := range w {
		w[p] = make([]float64, tr.Frames())
		for i := range w[p] {
			w[p][i] = rng.NormFloat64()
		}
	}
	f := linearReducer(w)
	checkGradient(t, n, func(x, g []float64) float64 { return tr.Eval(x, g, f) }, testSignal(n, 3), 1e-5)
}

func TestJTFSSilence(t *testing.T) {
	n := 1000
	tr, err := NewJTFS(n, JTFSConfig{J: 5, Q1: 2, Q2: 1, JFr: 2, QFr: 1})
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, n)
	v := tr.Eval(make([]float64, n), g, func(p int, s, gs []float64) float64 {
		for i := range gs {
			gs[i] = 1
		}
		return s[0]
	})
	if math.IsNaN(v) || math.IsInf(v, 0) {
		t.Fatalf("value %v on silence", v)
	}
	for i := range g {
		if math.IsNaN(g[i]) || math.IsInf(g[i], 0) {
			t.Fatalf("gradient[%d] = %v on silence", i, g[i])
		}
	}
}

func TestJTFSJ2MinKeepsRows(t *testing.T) {
	// Leaving out small j2 removes rows and changes none of the others.
	n := 2000
	cfg := JTFSConfig{J: 6, Q1: 2, Q2: 1, JFr: 1, QFr: 1}
	full, err := NewJTFS(n, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.J2Min = 3
	part, err := NewJTFS(n, cfg)
	if err != nil {
		t.Fatal(err)
	}
	x := testSignal(n, 4)
	sf, sp := full.Forward(nil, x), part.Forward(nil, x)
	fr := full.Frames()
	j := 0
	for i, p := range full.Paths() {
		if p.Order == 2 && full.bank.Psi2[p.N2].J < 3 {
			continue
		}
		if part.Paths()[j] != p {
			t.Fatalf("row %d: %+v, full transform has %+v", j, part.Paths()[j], p)
		}
		for k := 0; k < fr; k++ {
			if sp[j*fr+k] != sf[i*fr+k] {
				t.Fatalf("row %d %+v frame %d: %g vs %g", j, p, k, sp[j*fr+k], sf[i*fr+k])
			}
		}
		j++
	}
	if j != len(part.Paths()) || j == len(full.Paths()) {
		t.Fatalf("kept %d of %d rows; subset has %d", j, len(full.Paths()), len(part.Paths()))
	}
}

func TestJTFSEvalAllocs(t *testing.T) {
	n := 1500
	tr, err := NewJTFS(n, JTFSConfig{J: 5, Q1: 4, Q2: 1, JFr: 2, QFr: 1})
	if err != nil {
		t.Fatal(err)
	}
	x, g := testSignal(n, 2), make([]float64, n)
	f := func(p int, s, gs []float64) float64 { return 0 }
	for mode := 1; mode <= 2; mode++ {
		tr.freqMode = mode
		tr.allocPlanes()
		if a := testing.AllocsPerRun(3, func() { tr.Eval(x, g, f) }); a != 0 {
			t.Errorf("mode %d: Eval allocates %v times per call", mode, a)
		}
	}
}

func TestJTFSConfigErrors(t *testing.T) {
	for _, cfg := range []JTFSConfig{
		{J: 6, Q1: 2, Q2: 1, JFr: 0, QFr: 1},
		{J: 6, Q1: 2, Q2: 1, JFr: 2, QFr: 0},
		{J: 6, Q1: 2, Q2: 1, JFr: 2, QFr: 1, F: 2},
		{J: 6, Q1: 2, Q2: 1, JFr: 2, QFr: 1, T: 32},
	} {
		if _, err := NewJTFS(2000, cfg); err == nil {
			t.Errorf("NewJTFS(%+v): no error", cfg)
		}
	}
}

func BenchmarkJTFSEval44100(b *testing.B) {
	n := 44100
	tr, err := NewJTFS(n, JTFSConfig{J: 12, Q1: 4, Q2: 1, JFr: 2, QFr: 1, J2Min: 7})
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

func TestJTFSBlocks(t *testing.T) {
	// Small blocks (several per plane, recomputed in the backward pass)
	// give the same rows and gradient as one block.
	n := 1500
	cfg := JTFSConfig{J: 5, Q1: 4, Q2: 1, JFr: 2, QFr: 1}
	x := testSignal(n, 5)
	rng := rand.New(rand.NewPCG(9, 9))
	var w [][]float64
	run := func(block, mode int) ([]float64, []float64) {
		defer func(b int) { planeBlock = b }(planeBlock)
		planeBlock = block
		tr, err := NewJTFS(n, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tr.freqMode = mode
		tr.allocPlanes()
		if w == nil {
			w = make([][]float64, len(tr.Paths()))
			for p := range w {
				w[p] = make([]float64, tr.Frames())
				for i := range w[p] {
					w[p][i] = rng.NormFloat64()
				}
			}
		}
		g := make([]float64, n)
		tr.Eval(x, g, linearReducer(w))
		return tr.Forward(nil, x), g
	}
	for mode := 1; mode <= 2; mode++ {
		s1, g1 := run(1<<20, mode)
		s2, g2 := run(7, mode)
		if e := maxRelErr(s2, s1); e > 1e-12 {
			t.Errorf("mode %d: rows differ by %.2g with small blocks", mode, e)
		}
		if e := maxRelErr(g2, g1); e > 1e-12 {
			t.Errorf("mode %d: gradients differ by %.2g with small blocks", mode, e)
		}
	}
}
