package loss

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func TestMSSReferenceEqualsMSS(t *testing.T) {
	x, tg := noise(3, 9000, 0.4), noise(4, 9000, 0.9)
	r, err := NewMSSReference(tg)
	if err != nil {
		t.Fatal(err)
	}
	want := MSS(x, tg)
	if got := r.Score(x); math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("Score %.17g, MSS %.17g: the reference must give the same bits", got, want)
	}
	if v := r.Score(tg); v != 0 {
		t.Fatalf("Score(target) = %g, want 0", v)
	}
	// Shared by goroutines, as a study's workers share it.
	var wg sync.WaitGroup
	got := make([]float64, 4)
	for i := range got {
		wg.Go(func() { got[i] = r.Score(x) })
	}
	wg.Wait()
	for _, v := range got {
		if math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("concurrent Score %.17g, want %.17g", v, want)
		}
	}
	if _, err := NewMSSReference(tg[:4000]); err == nil {
		t.Fatal("a 4000-sample target was accepted")
	}
}

// BenchmarkMSSReferenceScore is the output's half of the score, as a
// study computes it for each arm of a paired trial.
func BenchmarkMSSReferenceScore(b *testing.B) {
	x, tg := noise(1, 44100, 0.3), noise(2, 44100, 0.3)
	r, err := NewMSSReference(tg)
	if err != nil {
		b.Fatal(err)
	}
	c0 := cpuTime()
	for b.Loop() {
		r.Score(x)
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkNewMSSReference(b *testing.B) {
	tg := noise(2, 44100, 0.3)
	for b.Loop() {
		NewMSSReference(tg)
	}
}

// TestMSSTerms4SameBits checks the four-lane terms (AVX2 where the machine
// has it) against mssFrameTerms lane by lane over magnitudes from 0 to
// 10⁴, and that a ratio off the fast path (NaN) leaves them to the Go code.
func TestMSSTerms4SameBits(t *testing.T) {
	const bins = 2049
	rng := rand.New(rand.NewPCG(5, 6))
	a, b := make([]float64, 4*bins), make([]float64, 4*bins)
	for i := range a {
		a[i] = math.Exp(rng.Float64()*30-20) * float64(rng.IntN(8)%7) // zeros, 2e-9 … 1e4
		b[i] = math.Exp(rng.Float64()*30 - 20)
	}
	b[17] = a[17]
	var out [8]float64
	if !mssTerms4Fast(a, b, &out) {
		if useFast := mssTerms4Fast(a[:4], b[:4], &out); useFast {
			t.Fatal("fast path refused finite magnitudes")
		}
		t.Skip("no four-lane kernel on this machine or build")
	}
	sa, sb := make([]float64, bins), make([]float64, bins)
	for l := range 4 {
		for k := range bins {
			sa[k], sb[k] = a[4*k+l], b[4*k+l]
		}
		lin, lg := mssFrameTerms(sa, sb)
		if math.Float64bits(lin) != math.Float64bits(out[l]) || math.Float64bits(lg) != math.Float64bits(out[4+l]) {
			t.Fatalf("lane %d: (%.17g, %.17g), Go gives (%.17g, %.17g)", l, out[l], out[4+l], lin, lg)
		}
	}
	a[4*100+2] = math.NaN()
	if mssTerms4Fast(a, b, &out) {
		t.Fatal("a NaN magnitude took the fast path")
	}
	a[4*100+2] = math.Inf(1)
	if mssTerms4Fast(a, b, &out) {
		t.Fatal("an infinite magnitude took the fast path")
	}
}

// TestPeakNormalizedPeak checks peakNormalized's peak against the fold of
// math.Max it replaces, on the special values.
func TestPeakNormalizedPeak(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, x := range [][]float64{
		{0.5, -2, 1}, {0, 0}, {nan, 3}, {3, nan}, {-inf, nan, 1}, {nan, inf}, {math.Copysign(0, -1), -1e-300},
	} {
		p := 0.0
		for _, v := range x {
			p = math.Max(p, math.Abs(v))
		}
		want := slices.Clone(x)
		if p > 0 {
			for i := range want {
				want[i] *= 1 / p
			}
		}
		got := peakNormalized(x)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%v: got %v, want %v", x, got, want)
			}
		}
	}
}
