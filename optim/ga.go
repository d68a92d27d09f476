package optim

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/soundmatch/soundmatch/detmath"
)

// GA is a real-coded genetic algorithm, the sound-matching field's classic
// gradient-free baseline: tournament selection (size 2), blend crossover
// (BLX-α, α = 0.5), Gaussian mutation, and elitism of one. The budget is
// counted per individual evaluated, so a last generation may be partial.
type GA struct {
	Seed uint64
	// Population size; 0 means 20.
	Population int
	// MutationRate per gene; 0 means 1/d.
	MutationRate float64
	// MutationSigma is the mutation's standard deviation in u units; 0 means 0.1.
	MutationSigma float64
}

type individual struct {
	u []float64
	f float64
}

// Search implements Searcher.
func (g *GA) Search(ctx context.Context, f Objective, u0 []float64, budget int) (SearchResult, error) {
	if err := checkSearch(u0, budget); err != nil {
		return SearchResult{}, err
	}
	d := len(u0)
	rng := rand.New(rand.NewPCG(g.Seed, 0x67656e65746963))
	b := newBudgeted(ctx, f, d, budget)
	n := g.Population
	if n == 0 {
		n = 20
	}
	rate := g.MutationRate
	if rate == 0 {
		rate = 1 / float64(d)
	}
	sigma := g.MutationSigma
	if sigma == 0 {
		sigma = 0.1
	}
	pop := make([]individual, 0, n)
	for i := 0; i < n; i++ {
		u := make([]float64, d)
		if i == 0 {
			copy(u, u0)
		} else {
			for k := range u {
				u[k] = 2*uniform(rng) - 1
			}
		}
		y, ok := b.eval(u)
		if !ok {
			return b.result()
		}
		pop = append(pop, individual{u, y})
	}
	next := make([]individual, n)
	for i := range next {
		next[i].u = make([]float64, d)
	}
	tournament := func() *individual {
		a, c := &pop[rng.IntN(n)], &pop[rng.IntN(n)]
		if lessNaNLast(c.f, a.f) {
			return c
		}
		return a
	}
	for {
		sort.SliceStable(pop, func(i, j int) bool { return lessNaNLast(pop[i].f, pop[j].f) })
		copy(next[0].u, pop[0].u)
		next[0].f = pop[0].f
		for i := 1; i < n; i++ {
			p, q := tournament(), tournament()
			child := next[i].u
			for k := range child {
				lo, hi := p.u[k], q.u[k]
				if lo > hi {
					lo, hi = hi, lo
				}
				span := hi - lo
				child[k] = lo - float64(0.5*span) + float64(uniform(rng)*2*span)
				if rng.Float64() < rate {
					child[k] += float64(sigma * normal(rng))
				}
			}
			y, ok := b.eval(child)
			if !ok {
				return b.result()
			}
			next[i].f = y
		}
		pop, next = next, pop
	}
}

// better orders values for minimisation with NaN last.
func lessNaNLast(a, b float64) bool {
	if a != a {
		return false
	}
	if b != b {
		return true
	}
	return a < b
}

// normal draws a standard normal deviate by Marsaglia's polar method.
// rand's NormFloat64 is not used because its rare tail cases call math.Log
// and math.Exp and multiply-adds that the compiler fuses on arm64 and
// amd64 v3, so a mutation could differ in its last bits between machines;
// here every operation is exact IEEE arithmetic or detmath's.
func normal(rng *rand.Rand) float64 {
	for {
		u, v := 2*uniform(rng)-1, 2*uniform(rng)-1
		s := float64(u*u) + float64(v*v)
		if s > 0 && s < 1 {
			return u * math.Sqrt(-2*detmath.Log(s)/s)
		}
	}
}
