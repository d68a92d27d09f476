package optim

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/soundmatch/soundmatch/detmath"
	"gonum.org/v1/gonum/optimize"
)

// CMAES is the covariance matrix adaptation evolution strategy, run by
// gonum's optimize.CmaEsChol. When a run converges before the budget is
// spent (no improvement for 10 generations) it restarts with a doubled population from a random point (IPOP
// restarts), so the whole budget goes to the search and the best point of
// all runs is returned.
type CMAES struct {
	Seed uint64
	// StepSize is the initial standard deviation in u units; 0 means 0.5,
	// a quarter of the box width.
	StepSize float64
	// Population is the first run's population; 0 means gonum's default
	// 4 + ⌊3 ln d⌋.
	Population int
}

// Search implements Searcher.
func (c *CMAES) Search(ctx context.Context, f Objective, u0 []float64, budget int) (SearchResult, error) {
	if err := checkSearch(u0, budget); err != nil {
		return SearchResult{}, err
	}
	d := len(u0)
	rng := rand.New(rand.NewPCG(c.Seed, 0x636d616573))
	b := newBudgeted(ctx, f, d, budget)
	step := c.StepSize
	if step == 0 {
		step = 0.5
	}
	pop := c.Population
	if pop == 0 {
		pop = 4 + int(3*detmath.Log(float64(d)))
	}
	scratch := make([]float64, d)
	start := append([]float64(nil), u0...)
	for b.left() > 0 && ctx.Err() == nil {
		exhausted := false
		prob := optimize.Problem{Func: func(x []float64) float64 {
			copy(scratch, x)
			y, ok := b.eval(scratch)
			if !ok {
				exhausted = true
				return math.Inf(1)
			}
			return y
		}}
		method := &optimize.CmaEsChol{
			InitStepSize: step,
			Population:   pop,
			Src:          rand.NewPCG(rng.Uint64(), rng.Uint64()),
		}
		settings := &optimize.Settings{
			FuncEvaluations: b.left(),
			// A run that has stopped improving restarts with a larger
			// population: the IPOP schedule that copes with multimodal losses.
			Converger: &optimize.FunctionConverge{Absolute: 1e-9, Relative: 1e-6, Iterations: 10},
		}
		// gonum reports budget exhaustion and convergence as a status, and
		// an error only for misuse; neither needs handling beyond a restart.
		_, _ = optimize.Minimize(prob, start, settings, method)
		if exhausted {
			break
		}
		pop *= 2
		for i := range start {
			start[i] = 2*uniform(rng) - 1
		}
	}
	return b.result()
}
