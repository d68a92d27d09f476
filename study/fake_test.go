package study

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/store"
)

// The fake losses and runner stand in for synth+loss+match so the study
// machinery (planning, pool, storage, resume, shards) is tested on its own,
// fast, and with failures we can inject.

func init() {
	for _, name := range []string{"fake-a", "fake-b", "fake-c"} {
		loss.Register(loss.Spec{
			Name:     name,
			Doc:      "test stand-in",
			Settings: []loss.Setting{{Name: "w", Default: "1", Doc: "weight"}},
			// Built (Run checks every arm's settings before it stores
			// anything) but never evaluated: the fake runner does the maths.
			New: func(target []float64, s loss.Settings) (loss.Loss, error) {
				if _, err := strconv.ParseFloat(s["w"], 64); err != nil {
					return nil, fmt.Errorf("w = %q: want a number", s["w"])
				}
				return unevaluated{}, nil
			},
		})
	}
}

type unevaluated struct{}

func (unevaluated) Eval(x, grad []float64) float64 { panic("fake losses are not evaluated") }

// fakeRunner "matches" a 2-parameter quadratic: deterministic in the
// trial's seed, loss and iteration count, like the real thing.
type fakeRunner struct {
	cfg *Config
	// delay, when set, is how long each trial takes (crash tests); jitter
	// adds a seed-dependent random part so workers finish out of order.
	delay, jitter time.Duration
	// nan makes the runner return a NaN loss (as if the maths broke) for
	// the trials it selects; fail makes it return an error.
	nan, fail func(Task) bool
	// trajPad adds this many steps to each trajectory (big rows).
	trajPad int
	// spin burns CPU for this many loop steps per iteration (benchmarks).
	spin int
}

func (f *fakeRunner) NewWorker() (Worker, error) { return &fakeWorker{f: f}, nil }

type fakeWorker struct {
	f    *fakeRunner
	sink float64
}

// fakeDraw stands in for match.DrawTrial: target and start from the seed alone.
func fakeDraw(seed uint64) (target, start []float64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	return []float64{math.Round(r.Float64() * 1000), r.Float64()}, []float64{math.Round(r.Float64() * 1000), r.Float64()}
}

func (w *fakeWorker) Run(ctx context.Context, t Task) (*store.Trial, error) {
	f := w.f
	if f.delay > 0 {
		d := f.delay + time.Duration(t.Seed%1000)*f.jitter/1000
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.fail != nil && f.fail(t) {
		return nil, fmt.Errorf("synthesizer exploded at trial %d", t.Index)
	}
	target, start := fakeDraw(t.Seed)
	scale := 1.0
	if t.Loss.Label == "fake-b" {
		scale = 0.5
	}
	u := []float64{start[0] / 1000, start[1]}
	tu := []float64{target[0] / 1000, target[1]}
	tr := &store.Trial{Params: []string{"freq", "gain"}, Target: target, Start: start, Status: store.StatusOK}
	var l float64
	for it := 0; it < f.cfg.Iterations; it++ {
		g := make([]float64, 2)
		l = 0
		for k := range u {
			d := u[k] - tu[k]
			l += scale * d * d
			g[k] = 2 * scale * d
		}
		for s := 0; s < f.spin; s++ {
			w.sink += math.Sqrt(float64(s) + w.sink*1e-9)
		}
		for k := range u {
			u[k] -= f.cfg.Optimizer.LR * g[k]
		}
		tr.Trajectory = append(tr.Trajectory, store.Step{Loss: l, GradNorm: math.Hypot(g[0], g[1]), Values: []float64{u[0] * 1000, u[1]}})
	}
	for range f.trajPad {
		tr.Trajectory = append(tr.Trajectory, store.Step{Values: []float64{0, 0}})
	}
	if f.nan != nil && f.nan(t) {
		l = math.NaN()
	}
	tr.FinalU = u
	tr.Final = []float64{u[0] * 1000, u[1]}
	tr.LossFinal = l
	tr.PLoss = math.Abs(u[0]-tu[0]) + math.Abs(u[1]-tu[1])
	tr.PLossU = math.Hypot(u[0]-tu[0], u[1]-tu[1])
	tr.MSS = 1 / (1 + l)
	tr.Iterations = f.cfg.Iterations
	return tr, nil
}
