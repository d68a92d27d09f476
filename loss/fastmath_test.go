package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExp3(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	for i := 0; i < 1_000_000; i++ {
		var x float64
		switch i % 3 {
		case 0:
			x = -rng.Float64() * 700
		case 1:
			x = -rng.Float64() * 5
		default:
			x = -rng.ExpFloat64() * 1e-3
		}
		want := math.Exp(x)
		got, _, _ := exp3(x, 0, 0)
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 1e-15 { // a few units in the last place
		t.Fatalf("exp3 relative error %g", worst)
	}
	if a, b, c := exp3(0, math.Copysign(0, -1), -1); a != 1 || b != 1 || math.Abs(c-math.Exp(-1)) > 1e-16 {
		t.Fatalf("exp3(0, −0, −1) = %v %v %v", a, b, c)
	}
	if a, b, c := exp3(math.Inf(-1), -800, math.NaN()); a != 0 || b != 0 || c != 0 {
		t.Fatalf("exp3(−∞, −800, NaN) = %v %v %v, want 0s", a, b, c)
	}
}

func TestLogPos(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	worst := 0.0
	for i := 0; i < 1_000_000; i++ {
		var x float64
		switch i % 3 {
		case 0:
			x = 1 + 2*rng.Float64()
		case 1:
			x = math.Exp(rng.NormFloat64() * 30)
		default:
			x = 1 + rng.ExpFloat64()*1e-6
		}
		want := math.Log(x)
		got := logPos(x)
		// Absolute error relative to max(|log x|, 1): what matters when
		// the logarithm is added to other terms.
		if e := math.Abs(got-want) / math.Max(math.Abs(want), 1); e > 5e-16 {
			if e > worst {
				worst = e
			}
		}
	}
	if worst > 0 {
		t.Fatalf("logPos error %g", worst)
	}
	if logPos(1) != 0 {
		t.Fatalf("logPos(1) = %g", logPos(1))
	}
	for _, x := range []float64{0, -1, math.Inf(1), 5e-324} {
		if a, b := logPos(x), math.Log(x); !(a == b || (a != a && b != b)) {
			t.Fatalf("logPos(%g) = %g, want %g", x, a, b)
		}
	}
}

func BenchmarkExp3(b *testing.B) {
	x := -3.7
	s := 0.0
	for b.Loop() {
		u, v, w := exp3(x, x-1, x-2)
		s += u + v + w
	}
	_ = s
}

func BenchmarkMathExp(b *testing.B) {
	x := -3.7
	s := 0.0
	for b.Loop() {
		s += math.Exp(x)
	}
	_ = s
}

func BenchmarkLogPos(b *testing.B) {
	x := 1.7
	s := 0.0
	for b.Loop() {
		s += logPos(x)
	}
	_ = s
}

func BenchmarkMathLog(b *testing.B) {
	x := 1.7
	s := 0.0
	for b.Loop() {
		s += math.Log(x)
	}
	_ = s
}

// The three lanes of exp3 are independent.
func TestExp3Lanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		x := [3]float64{-rng.Float64() * 800, -rng.ExpFloat64(), -rng.Float64() * 3}
		a, b, c := exp3(x[0], x[1], x[2])
		a1, _, _ := exp3(x[0], 0, 0)
		_, b1, _ := exp3(0, x[1], 0)
		_, _, c1 := exp3(0, 0, x[2])
		if a != a1 || b != b1 || c != c1 {
			t.Fatalf("exp3%v = %v %v %v, lane by lane %v %v %v", x, a, b, c, a1, b1, c1)
		}
	}
}

func TestSoftDTWNaN(t *testing.T) {
	d := NewSoftDTW(5, 5, 1)
	a := []float64{1, 2, math.NaN(), 4, 5}
	b := []float64{1, 2, 3, 4, 5}
	if v := d.Value(a, b); !math.IsNaN(v) {
		t.Fatalf("value %g, want NaN", v)
	}
	g := make([]float64, 5)
	d.Gradient(a, b, g, nil, 1)
	if !math.IsNaN(g[0]) {
		t.Fatalf("gradient %v, want NaN", g)
	}
}
