package scatter

import (
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
	for _, name := range []string{"jtfs_J6_Q4-1_Jfr2_Qfr1", "jtfs_J7_Q8-2_Jfr3_Qfr2"} {
		t.Run(name, func(t *testing.T) {
			var ref jtfsRef
			readJSON(t, name+".json", &ref)
			c := ref.Config
			tr, err := NewJTFS(c.N, JTFSConfig{J: c.J, Q1: c.Q[0], Q2: c.Q[1], T: c.T, JFr: c.JFr, QFr: c.QFr, F: c.F})
			if err != nil {
				t.Fatal(err)
			}
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
	n := 1200
	tr, err := NewJTFS(n, JTFSConfig{J: 5, Q1: 4, Q2: 1, JFr: 2, QFr: 1})
	if err != nil {
		t.Fatal(err)
	}
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
