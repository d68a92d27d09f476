package study

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/soundmatch/soundmatch/store"
)

// BenchmarkPool runs a tiny study of CPU-bound fake trials (a few ms each)
// with 1 and 2 workers; BenchmarkPoolReal does the same with real trials.
// Compare the trials/s metrics: they should scale with the cores (≥ 0.9·N)
// on an otherwise idle machine. cpu_ms/trial (user+system time of the
// process per trial) does not depend on other load: equal values for 1 and
// 2 workers mean the pool adds no work or contention of its own.
func BenchmarkPool(b *testing.B) {
	cfg := tiny(b)
	cfg.Trials = 8
	cfg.Iterations = 20
	benchPool(b, cfg, &fakeRunner{cfg: cfg, spin: 40000})
}

func BenchmarkPoolReal(b *testing.B) {
	cfg := Paper()
	cfg.Trials = 4
	cfg.Iterations = 10
	cfg.Programs = cfg.Programs[:2]
	cfg.Losses = []Loss{{Label: "l1-spec", Name: "l1-spec"}}
	r, err := NewMatchRunner(cfg)
	if err != nil {
		b.Fatal(err)
	}
	benchPool(b, cfg, r)
}

func benchPool(b *testing.B, cfg *Config, r Runner) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var trials int
			var elapsed, cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("b%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				c0 := cpuTime()
				b.StartTimer()
				s, err := Run(context.Background(), db, cfg, Options{Workers: workers, Runner: r})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - c0
				trials += s.Ran
				elapsed += s.Elapsed
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(trials)/elapsed.Seconds(), "trials/s")
			b.ReportMetric(cpu.Seconds()*1000/float64(trials), "cpu_ms/trial")
		})
	}
}

// cpuTime is the user+system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

// BenchmarkTrialOverhead measures what a trial costs beyond its
// iterations (drawing, rendering the target, building the loss, the final
// render, MSS and P-Loss, storing): it measures the CPU time (not the
// wall time, which other load on the machine distorts) of real trials
// (each built-in program, l1-spec, 1 s at 44100 Hz) of n and 4n
// iterations, fits cpu = a + b·n, and reports a as a percentage of a
// 200-iteration trial (overhead_%), with the storage cost added. The
// paired5 cases run each target through 5 arms, as the paper study's 5
// losses do, so the target's half of the MSS score is shared; the single
// cases are an unpaired study (or one with one loss).
func BenchmarkTrialOverhead(b *testing.B) {
	for _, prog := range Builtins {
		b.Run(prog+"/single", func(b *testing.B) { benchOverhead(b, prog, "l1-spec", 1) })
		b.Run(prog+"/paired5", func(b *testing.B) { benchOverhead(b, prog, "l1-spec", 5) })
	}
}

func benchOverhead(b *testing.B, program, lossName string, arms int) {
	cfg := Paper()
	p, err := ProgramRef(program, "")
	if err != nil {
		b.Fatal(err)
	}
	cfg.Programs = []Program{p}
	cfg.Losses = nil
	for a := range arms {
		cfg.Losses = append(cfg.Losses, Loss{Label: fmt.Sprintf("%s-%d", lossName, a), Name: lossName})
	}
	r, err := NewMatchRunner(cfg)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const n = 10
	var short, long, ins time.Duration
	for i := 0; i < b.N; i++ {
		for _, iters := range []int{n, 4 * n} {
			cfg.Iterations = iters
			w, _ := r.NewWorker()
			index := i*1000 + iters
			seed := TrialSeed(cfg.Seed, p.Name, "", index) // a new target each time
			for _, l := range cfg.Losses {
				task := Task{Program: p, Loss: l, Index: index, Seed: seed}
				t0 := cpuTime()
				tr := runOne(ctx, w, task)
				d := cpuTime() - t0
				t1 := cpuTime()
				if err := db.InsertTrial(ctx, tr); err != nil {
					b.Fatal(err)
				}
				ins += cpuTime() - t1
				if iters == n {
					short += d
				} else {
					long += d
				}
			}
		}
	}
	trials := float64(b.N * arms)
	perIter := (long - short).Seconds() / (3 * n * trials)
	fixed := short.Seconds()/trials - n*perIter
	store := ins.Seconds() / (2 * trials)
	full := fixed + store + 200*perIter
	b.ReportMetric(perIter*1000, "cpu_ms/iter")
	b.ReportMetric(fixed*1000, "fixed_cpu_ms")
	b.ReportMetric(store*1000, "store_cpu_ms")
	b.ReportMetric(100*(fixed+store)/full, "overhead_%")
}
