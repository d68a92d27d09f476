package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

func scatTestSignal(n int, f0 float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 9))
	x := make([]float64, n)
	for i := range x {
		ti := float64(i) / 8000
		x[i] = math.Sin(2*math.Pi*f0*ti)*math.Exp(-3*ti) + 0.1*rng.NormFloat64()
	}
	return x
}

func checkLossGradient(t *testing.T, l Loss, x []float64) {
	t.Helper()
	n := len(x)
	g := make([]float64, n)
	l.Eval(x, g)
	rng := rand.New(rand.NewPCG(1, 1))
	xp, xm := make([]float64, n), make([]float64, n)
	for trial := 0; trial < 3; trial++ {
		d := make([]float64, n)
		for i := range d {
			d[i] = rng.NormFloat64()
		}
		h := 1e-6
		for i := range x {
			xp[i], xm[i] = x[i]+h*d[i], x[i]-h*d[i]
		}
		fd := (l.Eval(xp, nil) - l.Eval(xm, nil)) / (2 * h)
		an := 0.0
		for i := range d {
			an += g[i] * d[i]
		}
		if math.Abs(an-fd) > 1e-5*math.Abs(fd) {
			t.Errorf("direction %d: gradient·d %.10g, finite difference %.10g", trial, an, fd)
		}
	}
}

func TestScatteringLoss(t *testing.T) {
	n := 3000
	target := scatTestSignal(n, 440, 1)
	x := scatTestSignal(n, 520, 2)
	for _, over := range []map[string]string{
		nil,
		{"log1p": "1e-3"},
		{"normalization": "sum", "J": "5", "Q1": "2"},
	} {
		l, err := New("scattering", target, over)
		if err != nil {
			t.Fatal(err)
		}
		if v := l.Eval(target, nil); v != 0 {
			t.Errorf("%v: L(t, t) = %g, want 0", over, v)
		}
		if v := l.Eval(x, nil); !(v > 0) {
			t.Errorf("%v: L(x, t) = %g, want > 0", over, v)
		}
		checkLossGradient(t, l, x)
		// Silence in: finite value and gradient.
		z, g := make([]float64, n), make([]float64, n)
		if v := l.Eval(z, g); math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%v: L(silence) = %v", over, v)
		}
		for i := range g {
			if math.IsNaN(g[i]) || math.IsInf(g[i], 0) {
				t.Fatalf("%v: gradient on silence [%d] = %v", over, i, g[i])
			}
		}
		if a := testing.AllocsPerRun(3, func() { l.Eval(x, g) }); a != 0 {
			t.Errorf("%v: Eval allocates %v times", over, a)
		}
	}
}

func TestScatteringLossMeanOfAbs(t *testing.T) {
	// The loss is the plain mean of |S(x) − S(t)| over every coefficient,
	// checked against the coefficients themselves.
	n := 2000
	target, x := scatTestSignal(n, 300, 3), scatTestSignal(n, 350, 4)
	l, err := New("scattering", target, nil)
	if err != nil {
		t.Fatal(err)
	}
	sl := l.(*scatterLoss)
	sx := make([]float64, len(sl.target))
	sl.eval(x, nil, func(p int, s, _ []float64) float64 {
		copy(sx[p*sl.frames:], s)
		return 0
	})
	want := 0.0
	for i := range sx {
		want += math.Abs(sx[i] - sl.target[i])
	}
	want /= float64(len(sx))
	if got := l.Eval(x, nil); math.Abs(got-want) > 1e-12*want {
		t.Errorf("loss %g, mean |ΔS| %g", got, want)
	}
}

func TestScatteringLossSettingErrors(t *testing.T) {
	target := make([]float64, 2000)
	for _, over := range []map[string]string{
		{"preset": "huge"}, {"J": "x"}, {"Q1": "0"}, {"T": "1e9"}, {"normalization": "max"}, {"log1p": "-1"},
	} {
		if _, err := New("scattering", target, over); err == nil {
			t.Errorf("%v: no error", over)
		}
	}
}

func BenchmarkScatteringLoss(b *testing.B) {
	n := 44100
	l, err := New("scattering", scatTestSignal(n, 440, 1), nil)
	if err != nil {
		b.Fatal(err)
	}
	x, g := scatTestSignal(n, 523, 2), make([]float64, n)
	for b.Loop() {
		l.Eval(x, g)
	}
}

func TestJTFSLoss(t *testing.T) {
	n := 2500
	target := scatTestSignal(n, 440, 1)
	x := scatTestSignal(n, 520, 2)
	for _, over := range []map[string]string{
		{"J": "6", "Q1": "4", "J_fr": "2", "j2min": "0"},
		{"J": "7", "Q1": "2", "J_fr": "1", "j2min": "3", "log1p": "1e-3"},
	} {
		l, err := New("jtfs", target, over)
		if err != nil {
			t.Fatal(err)
		}
		if v := l.Eval(target, nil); v != 0 {
			t.Errorf("%v: L(t, t) = %g, want 0", over, v)
		}
		if v := l.Eval(x, nil); !(v > 0) {
			t.Errorf("%v: L(x, t) = %g, want > 0", over, v)
		}
		checkLossGradient(t, l, x)
		z, g := make([]float64, n), make([]float64, n)
		if v := l.Eval(z, g); math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%v: L(silence) = %v", over, v)
		}
		for i := range g {
			if math.IsNaN(g[i]) || math.IsInf(g[i], 0) {
				t.Fatalf("%v: gradient on silence [%d] = %v", over, i, g[i])
			}
		}
		if a := testing.AllocsPerRun(2, func() { l.Eval(x, g) }); a != 0 {
			t.Errorf("%v: Eval allocates %v times", over, a)
		}
	}
}

func TestJTFSLossIgnoresOrderZero(t *testing.T) {
	// A constant offset changes only order 0 (every wavelet has zero
	// mean), so the jtfs loss must not see it.
	n := 2000
	target := scatTestSignal(n, 440, 1)
	l, err := New("jtfs", target, map[string]string{"J": "6", "Q1": "2", "J_fr": "1", "j2min": "0"})
	if err != nil {
		t.Fatal(err)
	}
	sl := l.(*scatterLoss)
	if sl.skipRows != 1 {
		t.Fatalf("skipRows = %d", sl.skipRows)
	}
	x := scatTestSignal(n, 520, 2)
	g := make([]float64, n)
	l.Eval(x, g)
	sum := 0.0
	for _, v := range g {
		sum += v
	}
	// A zero-mean change of the gradient direction: Σ g = dL/d(offset) ≈ 0
	// up to the reflect padding's edge effects, far below the gradient's size.
	norm := 0.0
	for _, v := range g {
		norm += math.Abs(v)
	}
	if norm == 0 {
		t.Fatal("zero gradient")
	}
	if math.Abs(sum) > 1e-6*norm {
		t.Errorf("Σ gradient %g vs Σ|gradient| %g: order 0 seems to count", sum, norm)
	}
}

func TestJTFSLossSettingErrors(t *testing.T) {
	target := make([]float64, 5000)
	for _, over := range []map[string]string{
		{"preset": "x"}, {"J_fr": "0"}, {"F": "3", "J": "6", "T": "64"}, {"T": "64"}, {"Q_fr": "q"}, {"log1p": "-2"},
	} {
		if _, err := New("jtfs", target, over); err == nil {
			t.Errorf("%v: no error", over)
		}
	}
}

func BenchmarkJTFSLoss(b *testing.B) {
	n := 44100
	l, err := New("jtfs", scatTestSignal(n, 440, 1), nil)
	if err != nil {
		b.Fatal(err)
	}
	x, g := scatTestSignal(n, 523, 2), make([]float64, n)
	for b.Loop() {
		l.Eval(x, g)
	}
}

// BenchmarkJTFSLossKymatio times Kymatio's reference configuration
// (long: run with SOUNDMATCH_LONG=1).
func BenchmarkJTFSLossKymatio(b *testing.B) {
	if os.Getenv("SOUNDMATCH_LONG") == "" {
		b.Skip("set SOUNDMATCH_LONG=1")
	}
	n := 44100
	l, err := New("jtfs", scatTestSignal(n, 440, 1), map[string]string{"preset": "kymatio"})
	if err != nil {
		b.Fatal(err)
	}
	x, g := scatTestSignal(n, 523, 2), make([]float64, n)
	for b.Loop() {
		l.Eval(x, g)
	}
}

func ExampleNew_scattering() {
	// A 0.1-s tone against the same tone one semitone higher, at 16 kHz.
	n := 1600
	tone := func(f float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(2 * math.Pi * f * float64(i) / 16000)
		}
		return x
	}
	l, err := New("scattering", tone(440), nil) // J=6, Q=1, T=64
	if err != nil {
		panic(err)
	}
	grad := make([]float64, n)
	fmt.Println(l.Eval(tone(440), nil) == 0, l.Eval(tone(466.16), grad) > 0)
	// Output: true true
}
