package match

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/soundmatch/soundmatch/optim"
)

// This file runs trials with gradient-free searchers (optim.Searcher) and
// hybrids of a global search followed by gradient refinement, on the same
// budget the gradient methods get, so a study can rank optimizers the way
// it ranks losses.
//
// Budgets are counted in loss evaluations. A gradient iteration is one
// evaluation (value and gradient together), a searcher's probe is one
// evaluation (value only); the final render after the last update is the
// trial's scoring, not part of the budget, for every method alike.

// OptimizerNames lists every name Config.Optimizer accepts: the gradient
// optimizers, the gradient-free searchers, and the hybrids "search+gradient".
func OptimizerNames() []string {
	names := append([]string(nil), optim.Names()...)
	names = append(names, optim.SearcherNames...)
	for _, s := range []string{"cmaes", "ga"} {
		for _, g := range optim.Names() {
			names = append(names, s+"+"+g)
		}
	}
	return names
}

// splitOptimizer parses Config.Optimizer into its global search (a
// searcher name, or "") and its gradient optimizer (or "").
func splitOptimizer(name string) (search, gradient string, err error) {
	if a, b, ok := strings.Cut(name, "+"); ok {
		if slices.Contains(optim.SearcherNames, a) && slices.Contains(optim.Names(), b) {
			return a, b, nil
		}
	} else if slices.Contains(optim.SearcherNames, name) {
		return name, "", nil
	} else if slices.Contains(optim.Names(), name) {
		return "", name, nil
	}
	return "", "", fmt.Errorf("unknown optimizer %q (accepted: %s)", name, strings.Join(OptimizerNames(), ", "))
}

// searchBudget is how many of the trial's evaluations go to the global
// search: all of them for a pure searcher, HybridSplit (default one half)
// of them for a hybrid.
func (r *runner) searchBudget() int {
	if r.search == nil {
		return 0
	}
	if r.opt == nil {
		return r.cfg.Iterations
	}
	split := r.cfg.HybridSplit
	if split == 0 {
		split = 0.5
	}
	return int(math.Round(split * float64(r.cfg.Iterations)))
}

// runSearch runs the global search phase for n evaluations from the
// current u, recording every evaluation in the trajectory, and leaves the
// best point found in r.u. It returns the number of evaluations made.
func (r *runner) runSearch(ctx context.Context, n int, progress func(int)) (int, error) {
	if n == 0 {
		return 0, nil
	}
	f := func(u []float64) float64 {
		for k, p := range r.params {
			r.values[k] = FromU(p, u[k])
		}
		r.prog.Render(r.values, r.out, nil)
		l := r.lossFn.Eval(r.out, nil)
		it := len(r.traj)
		r.traj = r.traj[:it+1]
		st := &r.traj[it]
		// A searcher sees no gradient: its norm is recorded as NaN.
		st.Iter, st.Loss, st.GradNorm = it, l, math.NaN()
		copy(st.Values, r.values)
		if progress != nil {
			progress(it + 1)
		}
		return l
	}
	u0 := append([]float64(nil), r.u...)
	for k := range u0 {
		u0[k] = math.Max(-1, math.Min(1, u0[k]))
	}
	res, err := r.search.Search(ctx, f, u0, n)
	if res.U != nil && !math.IsInf(res.F, 1) {
		copy(r.u, res.U)
	}
	return res.Evals, err
}
