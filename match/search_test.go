package match

import (
	"context"
	"math"
	"testing"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/synth"
)

// countingLoss counts evaluations, to check budgets are honoured exactly.
type countingLoss struct {
	loss.Loss
	values, grads int
}

func (c *countingLoss) Eval(x, grad []float64) float64 {
	if grad == nil {
		c.values++
	} else {
		c.grads++
	}
	return c.Loss.Eval(x, grad)
}

func TestGradientFreeAndHybridBudgets(t *testing.T) {
	prog, err := synth.Load("add-sinesaw", 44100)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4096
	tv, sv := DrawTrial(prog.Params(), 11)
	target := make([]float64, n)
	prog.Render(tv, target, nil)
	cases := []struct {
		opt           string
		iters         int
		split         float64
		values, grads int // loss evaluations during the trial (the final scoring adds one value)
	}{
		{"cmaes", 37, 0, 37, 0},
		{"ga", 50, 0, 50, 0},
		{"random", 13, 0, 13, 0},
		{"cmaes+rmsprop", 40, 0, 20, 20},
		{"ga+adam", 40, 0.25, 10, 30},
		{"rmsprop", 25, 0, 0, 25},
	}
	for _, c := range cases {
		base, _ := loss.New("l1-spec", target, nil)
		cl := &countingLoss{Loss: base}
		cfg := DefaultConfig()
		cfg.Optimizer, cfg.Iterations, cfg.HybridSplit, cfg.Seed = c.opt, c.iters, c.split, 5
		r, err := newRunnerWithLoss(prog, "add-sinesaw", cl, target, tv, sv, cfg)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if cl.values != c.values+1 || cl.grads != c.grads {
			t.Errorf("%s: %d value and %d gradient evaluations, want %d (+1 for scoring) and %d", c.opt, cl.values, cl.grads, c.values, c.grads)
		}
		if res.Iterations != c.iters || len(res.Trajectory) != c.iters {
			t.Errorf("%s: %d iterations, %d trajectory rows, want %d", c.opt, res.Iterations, len(res.Trajectory), c.iters)
		}
		for i, st := range res.Trajectory {
			wantNaN := i < c.values
			if math.IsNaN(st.GradNorm) != wantNaN || st.Iter != i {
				t.Errorf("%s: row %d: iter %d, grad norm %v (want NaN: %v)", c.opt, i, st.Iter, st.GradNorm, wantNaN)
				break
			}
		}
	}
}

func TestSearchFindsBetterThanStart(t *testing.T) {
	prog, err := synth.Load("bp-noise", 44100)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8192
	tv := []float64{300, 40}
	target := make([]float64, n)
	prog.Render(tv, target, nil)
	for _, opt := range []string{"cmaes", "ga", "cmaes+rmsprop"} {
		cfg := DefaultConfig()
		cfg.Optimizer, cfg.Iterations, cfg.Seed = opt, 120, 1
		res, err := Run(context.Background(), prog, target, tv, []float64{900, 110}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !(res.LossFinal < 0.5*res.Trajectory[0].Loss) || !(res.PLoss < 0.3) {
			t.Errorf("%s: loss %g → %g, P-Loss %g: want at least halved and P-Loss < 0.3", opt, res.Trajectory[0].Loss, res.LossFinal, res.PLoss)
		}
		// A pure search ends on the best point it evaluated.
		if opt != "cmaes+rmsprop" {
			best := math.Inf(1)
			for _, st := range res.Trajectory {
				best = math.Min(best, st.Loss)
			}
			if res.LossFinal != best {
				t.Errorf("%s: final loss %g is not the best evaluated %g", opt, res.LossFinal, best)
			}
		}
	}
}

func TestOptimizerNames(t *testing.T) {
	for _, name := range OptimizerNames() {
		if _, _, err := splitOptimizer(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, bad := range []string{"", "cmaes+", "+rmsprop", "rmsprop+cmaes", "cmaes+ga", "lbfgs"} {
		if _, _, err := splitOptimizer(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}
