package study

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/match"
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
// iterations on the same targets, fits cpu = a + b·iterations by least
// squares over the iterations each trial actually ran, and reports a as a
// percentage of a 200-iteration trial (overhead_%), with the storage cost
// added; scoring_% is the part the issue names, scoring and storing (the
// MSS score and P-Loss, measured on their own). The paired5 cases run each
// target through 5 arms, as the paper study's 5 losses do, so the target
// sound and its half of the MSS score are shared; the single cases are an
// unpaired study (or one with one loss).
func BenchmarkTrialOverhead(b *testing.B) {
	for _, prog := range Builtins {
		b.Run(prog+"/single", func(b *testing.B) { benchOverhead(b, prog, "l1-spec", 1) })
		b.Run(prog+"/paired5", func(b *testing.B) { benchOverhead(b, prog, "l1-spec", 5) })
	}
}

func benchOverhead(b *testing.B, program, lossName string, arms int) {
	const n = 10
	p, err := ProgramRef(program, "")
	if err != nil {
		b.Fatal(err)
	}
	// One runner per length, so that each computes every shared target
	// once, as a study does.
	var runners [2]*MatchRunner
	var cfgs [2]*Config
	for k, iters := range []int{n, 4 * n} {
		cfg := Paper()
		cfg.Programs = []Program{p}
		cfg.Losses = nil
		for a := range arms {
			cfg.Losses = append(cfg.Losses, Loss{Label: fmt.Sprintf("%s-%d", lossName, a), Name: lossName})
		}
		cfg.Iterations = iters
		if runners[k], err = NewMatchRunner(cfg); err != nil {
			b.Fatal(err)
		}
		cfgs[k] = cfg
	}
	db, err := store.Open(filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var ins, scoring time.Duration
	var sx, sy, sxx, sxy, cnt float64
	for i := 0; i < b.N; i++ {
		seed := TrialSeed(cfgs[0].Seed, p.Name, "", i) // a new target each time
		for k := range runners {
			w, _ := runners[k].NewWorker()
			for _, l := range cfgs[k].Losses {
				task := Task{Program: p, Loss: l, Index: 2*i + k, Seed: seed}
				t0 := cpuTime()
				tr := runOne(ctx, w, task)
				d := (cpuTime() - t0).Seconds()
				t1 := cpuTime()
				if err := db.InsertTrial(ctx, tr); err != nil {
					b.Fatal(err)
				}
				ins += cpuTime() - t1
				x := float64(tr.Iterations)
				sx, sy, sxx, sxy, cnt = sx+x, sy+d, sxx+x*x, sxy+x*d, cnt+1
			}
		}
		scoring += scoringCost(b, runners[0], p, seed, arms)
	}
	perIter := (cnt*sxy - sx*sy) / (cnt*sxx - sx*sx)
	fixed := (sy - perIter*sx) / cnt
	store := ins.Seconds() / cnt
	score := scoring.Seconds() / float64(b.N*arms)
	full := fixed + store + 200*perIter
	b.ReportMetric(perIter*1000, "cpu_ms/iter")
	b.ReportMetric(fixed*1000, "fixed_cpu_ms")
	b.ReportMetric(store*1000, "store_cpu_ms")
	b.ReportMetric(score*1000, "score_cpu_ms")
	b.ReportMetric(100*(fixed+store)/full, "overhead_%")
	b.ReportMetric(100*(score+store)/full, "scoring_%")
}

// scoringCost is the CPU time of scoring arms outputs of one target as
// the study does: MSS (through a shared reference when several paired
// arms share the target) and both P-Losses.
func scoringCost(b *testing.B, r *MatchRunner, p Program, seed uint64, arms int) time.Duration {
	prog := r.progs[p.Name]
	params := prog.Params()
	target, start := match.DrawTrial(params, seed)
	tsnd := make([]float64, r.cfg.Samples)
	prog.Render(target, tsnd, nil)
	out := make([]float64, r.cfg.Samples)
	prog.Render(start, out, nil)
	mins, maxs := make([]float64, len(params)), make([]float64, len(params))
	for k, q := range params {
		mins[k], maxs[k] = q.Min, q.Max
	}
	t0 := cpuTime()
	var ref *loss.MSSReference
	if arms > 1 {
		var err error
		if ref, err = loss.NewMSSReference(tsnd); err != nil {
			b.Fatal(err)
		}
	}
	for range arms {
		if ref != nil {
			ref.Score(out)
		} else {
			loss.MSS(out, tsnd)
		}
		loss.PLoss(mins, maxs, start, target)
		loss.PLossU(start, target)
	}
	return cpuTime() - t0
}
