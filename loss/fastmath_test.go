package loss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/soundmatch/soundmatch/detmath"
)

func TestExpNegs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 300000)
	for i := range x {
		switch i % 3 {
		case 0:
			x[i] = -rng.Float64() * 700
		case 1:
			x[i] = -rng.Float64() * 5
		default:
			x[i] = -rng.ExpFloat64() * 1e-3
		}
	}
	y := make([]float64, len(x))
	expNegs(y, x)
	worst := 0.0
	for i, v := range x {
		want := math.Exp(v)
		if e := math.Abs(y[i]-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 1e-15 { // a few units in the last place
		t.Fatalf("expNegs relative error %g", worst)
	}
	special := []float64{0, math.Copysign(0, -1), math.Inf(-1), -800, math.NaN()}
	want := []float64{1, 1, 0, 0, 0}
	expNegs(special, special) // in place
	for i, v := range special {
		if v != want[i] {
			t.Fatalf("special case %d: %v, want %v", i, v, want[i])
		}
	}
}

func TestLogs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 300000)
	for i := range x {
		switch i % 3 {
		case 0:
			x[i] = 1 + 2*rng.Float64()
		case 1:
			x[i] = math.Exp(rng.NormFloat64() * 30)
		default:
			x[i] = 1 + rng.ExpFloat64()*1e-6
		}
	}
	y := make([]float64, len(x))
	logs(y, x)
	for i, v := range x {
		// Absolute error relative to max(|ln x|, 1): what matters when
		// the logarithm is added to other terms.
		want := math.Log(v)
		if e := math.Abs(y[i]-want) / math.Max(math.Abs(want), 1); e > 5e-16 {
			t.Fatalf("logs(%g) = %.17g, want %.17g", v, y[i], want)
		}
	}
	special := []float64{1, 0, -1, math.Inf(1), 5e-324, math.NaN()}
	got := make([]float64, len(special))
	logs(got, special)
	if got[0] != 0 {
		t.Fatalf("ln 1 = %g", got[0])
	}
	// detmath, not math: on amd64 math.Log(5e-324) is −709.09 (its
	// assembly does not normalize subnormals); the true value is −744.44.
	for i, v := range special[1:] {
		if a, b := got[i+1], detmath.Log(v); !(a == b || (a != a && b != b)) {
			t.Fatalf("logs(%g) = %g, want %g", v, a, b)
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

func BenchmarkExpNegs(b *testing.B) {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = -float64(i) / 100
	}
	y := make([]float64, len(x))
	for b.Loop() {
		expNegs(y, x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/value")
}

func BenchmarkMathExp(b *testing.B) {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = -float64(i) / 100
	}
	y := make([]float64, len(x))
	for b.Loop() {
		for i, v := range x {
			y[i] = math.Exp(v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/value")
}

func BenchmarkLogs(b *testing.B) {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = 1 + float64(i)/500
	}
	y := make([]float64, len(x))
	for b.Loop() {
		logs(y, x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/value")
}

func BenchmarkMathLog(b *testing.B) {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = 1 + float64(i)/500
	}
	y := make([]float64, len(x))
	for b.Loop() {
		for i, v := range x {
			y[i] = math.Log(v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/value")
}
