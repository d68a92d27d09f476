package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExpNeg(t *testing.T) {
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
		got := expNeg(x)
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 1e-15 { // a few units in the last place
		t.Fatalf("expNeg relative error %g", worst)
	}
	for _, x := range []float64{0, math.Copysign(0, -1)} {
		if expNeg(x) != 1 {
			t.Fatalf("expNeg(%g) = %g", x, expNeg(x))
		}
	}
	if expNeg(math.Inf(-1)) != 0 || expNeg(-800) != 0 {
		t.Fatal("expNeg of very negative arguments must be 0")
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

func BenchmarkExpNeg(b *testing.B) {
	x := -3.7
	s := 0.0
	for b.Loop() {
		s += expNeg(x)
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

func TestExp3EqualsExpNeg(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		x := [3]float64{-rng.Float64() * 800, -rng.ExpFloat64(), math.Inf(-1)}
		if i%2 == 0 {
			x[2] = -rng.Float64() * 3
		}
		a, b, c := exp3(x[0], x[1], x[2])
		if a != expNeg(x[0]) || b != expNeg(x[1]) || c != expNeg(x[2]) {
			t.Fatalf("exp3%v = %v %v %v", x, a, b, c)
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
