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
			u[i] = 2*uniform(rng) - 1
		}
	}
	return b.result()
}

// uniform is rng.Float64(), rounded: Float64 is a product (an integer
// times 2⁻⁵³), and amd64 v3 would fuse it with the sum it feeds (2·x is
// compiled as x + x) into a multiply-add. The value is the same bits either
// way, but the module is kept free of fused multiply-adds so that a check
// of the compiled code can demand none.
func uniform(rng *rand.Rand) float64 { return float64(rng.Float64()) }
