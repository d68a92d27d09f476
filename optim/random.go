package optim

import (
	"context"
	"math/rand/v2"
)

// RandomSearch draws points uniformly in [-1,1]^d (the first one is u0).
// It is the floor any real searcher must beat at the same budget.
type RandomSearch struct {
	Seed uint64
}

// Search implements Searcher.
func (r *RandomSearch) Search(ctx context.Context, f Objective, u0 []float64, budget int) (SearchResult, error) {
	if err := checkSearch(u0, budget); err != nil {
		return SearchResult{}, err
	}
	rng := rand.New(rand.NewPCG(r.Seed, 0x72616e646f6d))
	b := newBudgeted(ctx, f, len(u0), budget)
	u := append([]float64(nil), u0...)
	for {
		if _, ok := b.eval(u); !ok {
			break
		}
		for i := range u {
			u[i] = float64(2*rng.Float64()) - 1
		}
	}
	return b.result()
}
