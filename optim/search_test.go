package optim

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// rastrigin on [-1,1]^d scaled to the classic [-5.12, 5.12] domain, shifted
// so the global minimum (0) is off the centre: many regular local minima,
// like the loss of a periodic synth parameter.
func rastrigin(u []float64) float64 {
	s := 10 * float64(len(u))
	for _, v := range u {
		x := 5.12*v - 1.3
		s += x*x - 10*math.Cos(2*math.Pi*x)
	}
	return s
}

// ackley on [-1,1]^d scaled to [-5, 5], minimum 0 at 5u = 1.3.
func ackley(u []float64) float64 {
	var a, b float64
	for _, v := range u {
		x := 5*v - 1.3
		a += x * x
		b += math.Cos(2 * math.Pi * x)
	}
	n := float64(len(u))
	return -20*math.Exp(-0.2*math.Sqrt(a/n)) - math.Exp(b/n) + 20 + math.E
}

func TestSearchersHonourBudgetExactly(t *testing.T) {
	for _, name := range SearcherNames {
		for _, budget := range []int{1, 7, 137, 1000} {
			s, err := NewSearcher(name, 3)
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			res, err := s.Search(context.Background(), func(u []float64) float64 {
				calls++
				for _, v := range u {
					if v < -1 || v > 1 {
						t.Fatalf("%s evaluated outside the box: %v", name, u)
					}
				}
				return rastrigin(u)
			}, []float64{0.9, -0.9, 0.1}, budget)
			if err != nil {
				t.Fatal(err)
			}
			if calls != budget || res.Evals != budget || len(res.Best) != budget {
				t.Errorf("%s budget %d: %d calls, Evals %d, len(Best) %d", name, budget, calls, res.Evals, len(res.Best))
			}
			if got := rastrigin(res.U); got != res.F || res.F != res.Best[len(res.Best)-1] {
				t.Errorf("%s: reported F %v, f(U) %v, last best %v", name, res.F, got, res.Best[len(res.Best)-1])
			}
			for i := 1; i < len(res.Best); i++ {
				if res.Best[i] > res.Best[i-1] {
					t.Fatalf("%s: best-so-far curve rises at %d", name, i)
				}
			}
		}
	}
}

func TestSearchersBeatRandomOnMultimodal(t *testing.T) {
	// Two parameters, like the built-in programs; 2000 evaluations.
	const budget, seeds = 2000, 12
	for _, fn := range []struct {
		name string
		f    Objective
	}{{"rastrigin", rastrigin}, {"ackley", ackley}} {
		mean := map[string]float64{}
		for _, name := range SearcherNames {
			for seed := uint64(1); seed <= seeds; seed++ {
				s, _ := NewSearcher(name, seed)
				res, err := s.Search(context.Background(), fn.f, []float64{0.5, 0.5}, budget)
				if err != nil {
					t.Fatal(err)
				}
				mean[name] += res.F / seeds
			}
		}
		t.Logf("%s: mean best after %d evaluations: %v", fn.name, budget, mean)
		for _, name := range []string{"cmaes", "ga"} {
			if !(mean[name] < 0.5*mean["random"]) {
				t.Errorf("%s on %s: %.4f does not beat random search (%.4f) by 2× at equal budget", name, fn.name, mean[name], mean["random"])
			}
		}
	}
}

func TestSearchDeterministic(t *testing.T) {
	for _, name := range SearcherNames {
		a, _ := NewSearcher(name, 42)
		b, _ := NewSearcher(name, 42)
		ra, _ := a.Search(context.Background(), rastrigin, []float64{0.2, 0.3}, 300)
		rb, _ := b.Search(context.Background(), rastrigin, []float64{0.2, 0.3}, 300)
		if ra.F != rb.F || ra.U[0] != rb.U[0] || ra.U[1] != rb.U[1] {
			t.Errorf("%s: same seed, different results %v vs %v", name, ra, rb)
		}
	}
}

func TestSearchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	s, _ := NewSearcher("cmaes", 1)
	res, err := s.Search(ctx, func(u []float64) float64 {
		n++
		if n == 50 {
			cancel()
		}
		return rastrigin(u)
	}, []float64{0, 0}, 1000)
	if err == nil || res.Evals != 50 {
		t.Errorf("cancelled search: err %v, evals %d; want context error after 50", err, res.Evals)
	}
}

func TestSearchBadInput(t *testing.T) {
	s, _ := NewSearcher("ga", 1)
	if _, err := s.Search(context.Background(), rastrigin, nil, 10); err == nil {
		t.Error("no parameters: want error")
	}
	if _, err := s.Search(context.Background(), rastrigin, []float64{0}, 0); err == nil {
		t.Error("zero budget: want error")
	}
	if _, err := NewSearcher("simplex", 1); err == nil {
		t.Error("unknown searcher: want error")
	}
}

// TestNormalIsStandardNormal compares the GA's mutation deviates with the
// standard normal CDF of the math package (Φ(x) = erfc(−x/√2)/2) by the
// Kolmogorov–Smirnov distance: a wrong scale, shift or tail would put D far
// above the bound, which a correct sampler exceeds with probability < 1e-9.
func TestNormalIsStandardNormal(t *testing.T) {
	const n = 200000
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = normal(rng)
	}
	slices.Sort(x)
	d := 0.0
	for i, v := range x {
		phi := math.Erfc(-v/math.Sqrt2) / 2
		d = max(d, math.Abs(float64(i+1)/n-phi), math.Abs(phi-float64(i)/n))
	}
	if bound := 3.27 / math.Sqrt(n); d > bound {
		t.Errorf("Kolmogorov–Smirnov distance %.4f > %.4f", d, bound)
	}
}
