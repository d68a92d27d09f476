package optim

// This file holds the gradient-free side of the package: searchers that
// only evaluate the loss. They exist because loss landscapes of periodic
// synth parameters are full of local minima that trap gradient descent;
// a study can rank them against gradient descent at equal budgets, counted
// in loss evaluations.

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Objective is a loss as a function of the unitless parameters u ∈ [-1,1]^d.
// Searchers only call it at points inside the box.
type Objective func(u []float64) float64

// SearchResult is the outcome of a gradient-free search.
type SearchResult struct {
	U     []float64 // best point found (inside [-1,1]^d)
	F     float64   // its objective value
	Evals int       // objective evaluations used (never more than the budget)
	// Best[i] is the best value seen after evaluation i+1, so len(Best) == Evals.
	Best []float64
}

// Searcher is a gradient-free optimizer with a budget in objective
// evaluations. Search never calls f more than budget times; it uses the
// whole budget unless ctx is cancelled (then it returns ctx.Err() with
// the best point so far).
type Searcher interface {
	Search(ctx context.Context, f Objective, u0 []float64, budget int) (SearchResult, error)
}

// SearcherNames lists the gradient-free searchers NewSearcher accepts.
var SearcherNames = []string{"cmaes", "ga", "random"}

// NewSearcher returns a gradient-free searcher by name, seeded so that the
// same seed gives the same search on every machine.
func NewSearcher(name string, seed uint64) (Searcher, error) {
	switch name {
	case "cmaes":
		return &CMAES{Seed: seed}, nil
	case "ga":
		return &GA{Seed: seed}, nil
	case "random":
		return &RandomSearch{Seed: seed}, nil
	}
	return nil, fmt.Errorf("unknown gradient-free optimizer %q (accepted: %s)", name, strings.Join(SearcherNames, ", "))
}

// budgeted wraps an objective so that it counts evaluations, keeps the
// best point, records the best-so-far curve and refuses to exceed the
// budget (errBudget), which is how every searcher honours it exactly.
type budgeted struct {
	f      Objective
	budget int
	ctx    context.Context
	res    SearchResult
}

type stopSearch struct{ err error }

func newBudgeted(ctx context.Context, f Objective, d, budget int) *budgeted {
	return &budgeted{f: f, budget: budget, ctx: ctx, res: SearchResult{
		U: make([]float64, d), F: math.Inf(1), Best: make([]float64, 0, budget),
	}}
}

// left reports how many evaluations remain.
func (b *budgeted) left() int { return b.budget - b.res.Evals }

// eval evaluates u (clipped into the box) and reports ok=false when the
// budget is spent or the context is done; the caller must then stop.
func (b *budgeted) eval(u []float64) (float64, bool) {
	if b.res.Evals >= b.budget || b.ctx.Err() != nil {
		return math.Inf(1), false
	}
	for i, v := range u {
		u[i] = clipUnitBox(v)
	}
	y := b.f(u)
	b.res.Evals++
	if y < b.res.F || (math.IsInf(b.res.F, 1) && !math.IsNaN(y)) {
		if !math.IsNaN(y) {
			b.res.F = y
			copy(b.res.U, u)
		}
	}
	b.res.Best = append(b.res.Best, b.res.F)
	return y, true
}

func (b *budgeted) result() (SearchResult, error) {
	return b.res, b.ctx.Err()
}

func clipUnitBox(v float64) float64 {
	switch {
	case v < -1:
		return -1
	case v > 1:
		return 1
	case v != v:
		return 0
	}
	return v
}

func checkSearch(u0 []float64, budget int) error {
	if len(u0) == 0 {
		return fmt.Errorf("search needs at least one parameter")
	}
	if budget < 1 {
		return fmt.Errorf("search budget %d: want at least 1 evaluation", budget)
	}
	return nil
}
