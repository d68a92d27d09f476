package study

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/soundmatch/soundmatch/store"
)

// BenchmarkPool runs a tiny study of CPU-bound fake trials (a few ms each)
// with 1 and 2 workers; compare the trials/s metrics: the pool and the
// single writer should scale with the cores (≥ 0.9·N).
func BenchmarkPool(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			cfg := tiny(b)
			cfg.Trials = 8
			cfg.Iterations = 20
			r := &fakeRunner{cfg: cfg, spin: 40000}
			var trials int
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("b%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				s, err := Run(context.Background(), db, cfg, Options{Workers: workers, Runner: r})
				if err != nil {
					b.Fatal(err)
				}
				trials += s.Ran
				elapsed += s.Elapsed
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(trials)/elapsed.Seconds(), "trials/s")
		})
	}
}

// BenchmarkInsertTrial is the storage cost of one trial of the paper study
// (2 sliders, 200-step trajectory): the per-trial overhead that is not the
// match itself.
func BenchmarkInsertTrial(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	tr := store.Trial{
		Program: "bp-noise", Loss: "l1-spec", Params: []string{"lp_cut", "hp_cut"},
		Target: []float64{900, 100}, Start: []float64{500, 20}, FinalU: []float64{0.1, 0.2}, Final: []float64{600, 70},
		LossFinal: 0.1, PLoss: 0.2, PLossU: 0.3, MSS: 4, Status: store.StatusOK, Iterations: 200,
		Trajectory: make([]store.Step, 200),
	}
	for i := range tr.Trajectory {
		tr.Trajectory[i] = store.Step{Loss: 1, GradNorm: 0.5, Values: []float64{600, 70}}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.Index = i
		if err := db.InsertTrial(ctx, &tr); err != nil {
			b.Fatal(err)
		}
	}
}
