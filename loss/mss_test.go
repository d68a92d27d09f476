package loss

import (
	"math"
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
