package stats_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/soundmatch/soundmatch/stats"
)

func ExampleKruskalWallis() {
	groups := [][]float64{
		{2.9, 3.0, 2.5, 2.6, 3.2}, // loss A
		{3.8, 2.7, 4.0, 2.4},      // loss B
		{2.8, 3.4, 3.7, 2.2, 2.0}, // loss C
	}
	kw, err := stats.KruskalWallis(groups)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("H = %.4f, df = %d, p = %.4f, reject at 0.05: %v\n", kw.H, kw.DF, kw.P, kw.P < 0.05)
	// Output:
	// H = 0.7714, df = 2, p = 0.6800, reject at 0.05: false
}

func ExampleScottKnottESD() {
	// Bootstrap means of three losses' scores (higher = better), each
	// resampled with its own seeded stream. A is clearly best. B and C come
	// from the same distribution, but their sample means differ (1.11 and
	// 0.99) by more than the spread of 1000 bootstrap means, so Cliff's δ
	// between them is large (0.75) and they get separate ranks.
	rng := rand.New(rand.NewPCG(1, 2))
	sample := func(centre float64) []float64 {
		v := make([]float64, 200)
		for i := range v {
			v[i] = centre + rng.NormFloat64()
		}
		return v
	}
	a, b, c := sample(3), sample(1), sample(1)
	boot := func(x []float64, stream uint64) []float64 {
		return stats.BootstrapMeans(nil, x, 1000, rand.New(rand.NewPCG(7, stream)))
	}
	ranks, err := stats.ScottKnottESD([][]float64{boot(a, 0), boot(b, 1), boot(c, 2)}, stats.SKOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ranks of A, B, C:", ranks)
	// Output:
	// ranks of A, B, C: [1 2 3]
}
