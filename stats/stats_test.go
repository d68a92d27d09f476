package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveRanks gives each value 1 + #smaller + (#equal−1)/2, the definition
// of the average rank, in O(n²).
func naiveRanks(x []float64) []float64 {
	r := make([]float64, len(x))
	for i, v := range x {
		less, eq := 0, 0
		for _, w := range x {
			if w < v {
				less++
			} else if w == v {
				eq++
			}
		}
		r[i] = 1 + float64(less) + float64(eq-1)/2
	}
	return r
}

func naiveCliff(a, b []float64) float64 {
	d := 0
	for _, x := range a {
		for _, y := range b {
			if x > y {
				d++
			} else if x < y {
				d--
			}
		}
	}
	return float64(d) / float64(len(a)*len(b))
}

func randomTies(rng *rand.Rand, n, levels int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(rng.IntN(levels)) * 0.25
	}
	return x
}

func TestRanksAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		x := randomTies(rng, 1+rng.IntN(40), 1+rng.IntN(10))
		got, ties := Ranks(nil, x)
		if want := naiveRanks(x); !slices.Equal(got, want) {
			t.Fatalf("Ranks(%v) = %v, want %v", x, got, want)
		}
		// Σ(t³−t) from the value counts.
		counts := map[float64]float64{}
		for _, v := range x {
			counts[v]++
		}
		wantTies := 0.0
		for _, c := range counts {
			wantTies += c*c*c - c
		}
		if ties != wantTies {
			t.Fatalf("tie term %v, want %v", ties, wantTies)
		}
	}
}

func TestCliffAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		a := randomTies(rng, 1+rng.IntN(30), 1+rng.IntN(8))
		b := randomTies(rng, 1+rng.IntN(30), 1+rng.IntN(8))
		want := naiveCliff(a, b)
		if got := CliffDelta(a, b); got != want {
			t.Fatalf("CliffDelta(%v, %v) = %v, want %v", a, b, got, want)
		}
		sa, sb := slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
		if got := cliffBothSorted(sa, sb); got != want {
			t.Fatalf("cliffBothSorted = %v, want %v", got, want)
		}
	}
}

// TestCohenD checks against values computed by hand (effsize::cohen.d
// conventions: pooled SD with n−1 denominators).
func TestCohenD(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5} // mean 3, SS 10
	b := []float64{2, 4, 6}       // mean 4, SS 8
	want := (3.0 - 4.0) / math.Sqrt(18.0/6.0)
	if got := CohenD(a, b); math.Abs(got-want) > 1e-15 {
		t.Errorf("CohenD = %v, want %v", got, want)
	}
	for _, c := range []struct {
		d    float64
		want Magnitude
	}{{0.199, Negligible}, {-0.2, Small}, {0.49, Small}, {0.5, Medium}, {-0.8, Large}, {math.Inf(1), Large}} {
		if got := CohenMagnitude(c.d); got != c.want {
			t.Errorf("CohenMagnitude(%v) = %v, want %v", c.d, got, c.want)
		}
	}
}

func TestBootstrapMeans(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	values := make([]float64, 80)
	for i := range values {
		values[i] = rng.NormFloat64()*2 + 10
	}
	const k = 20000
	got := BootstrapMeans(nil, values, k, rand.New(rand.NewPCG(42, 7)))
	again := BootstrapMeans(make([]float64, k), values, k, rand.New(rand.NewPCG(42, 7)))
	if !slices.Equal(got, again) {
		t.Fatal("same seed gave different bootstrap means")
	}
	other := BootstrapMeans(nil, values, k, rand.New(rand.NewPCG(43, 7)))
	if slices.Equal(got, other) {
		t.Fatal("different seeds gave the same bootstrap means")
	}
	// The bootstrap distribution of the mean has mean x̄ and variance
	// σ̂²/n with σ̂² the plug-in (1/n) variance.
	m := mean(values)
	ss := 0.0
	for _, v := range values {
		ss += (v - m) * (v - m)
	}
	wantVar := ss / float64(len(values)) / float64(len(values))
	bm := mean(got)
	bv := 0.0
	for _, v := range got {
		bv += (v - bm) * (v - bm)
	}
	bv /= k - 1
	if se := math.Sqrt(wantVar / k); math.Abs(bm-m) > 5*se {
		t.Errorf("bootstrap mean %v, sample mean %v (se %v)", bm, m, se)
	}
	// Relative SE of a variance estimate ≈ sqrt(2/k) ≈ 1%.
	if math.Abs(bv/wantVar-1) > 0.05 {
		t.Errorf("bootstrap variance %v, want ≈ %v", bv, wantVar)
	}
	out := make([]float64, k)
	r := rand.New(rand.NewPCG(1, 1))
	if allocs := testing.AllocsPerRun(5, func() { BootstrapMeans(out, values, k, r) }); allocs != 0 {
		t.Errorf("BootstrapMeans allocates %v times per call", allocs)
	}
}

func TestErrors(t *testing.T) {
	if _, err := KruskalWallis(nil); err == nil {
		t.Error("KruskalWallis(no groups): no error")
	}
	if _, err := KruskalWallis([][]float64{{1, 2, 3}}); err == nil {
		t.Error("KruskalWallis(one group): no error")
	}
	if _, err := KruskalWallis([][]float64{{1, 2}, {}}); err == nil {
		t.Error("KruskalWallis(empty group): no error")
	}
	if _, err := KruskalWallis([][]float64{{1, math.NaN()}, {2}}); err == nil {
		t.Error("KruskalWallis(NaN): no error")
	}
	if _, err := KruskalWallis([][]float64{{2, 2}, {2}}); !errors.Is(err, ErrAllTied) {
		t.Errorf("KruskalWallis(all tied): %v", err)
	}
	if _, err := Spearman([]float64{1, 2, 3}, []float64{1, 2}); err == nil {
		t.Error("Spearman(different lengths): no error")
	}
	if _, err := Spearman([]float64{1, 2}, []float64{1, 2}); err == nil {
		t.Error("Spearman(2 pairs): no error")
	}
	if _, err := ScottKnottESD([][]float64{{1, 2}}, SKOptions{}); err == nil {
		t.Error("ScottKnottESD(one treatment): no error")
	}
	if _, err := ScottKnottESD([][]float64{{1}, {2}}, SKOptions{Version: Parametric}); err == nil {
		t.Error("parametric ScottKnottESD(single values): no error")
	}
	if r, err := ScottKnottESD([][]float64{{1}, {2}}, SKOptions{}); err != nil || !slices.Equal(r, []int{2, 1}) {
		t.Errorf("ScottKnottESD(single values) = %v, %v; want [2 1]", r, err)
	}
	if _, err := ScottKnottESD([][]float64{{1, 2}, {}}, SKOptions{Version: Parametric}); err == nil {
		t.Error("ScottKnottESD(empty treatment): no error")
	}
}

// TestSKDegenerate: data with every value tied, identical treatments and
// constant treatments must end (R can loop forever on some of these) with
// one group or a sensible split.
func TestSKDegenerate(t *testing.T) {
	cases := []struct {
		cols [][]float64
		want []int
	}{
		{[][]float64{{1, 1}, {1, 1}, {1, 1}}, []int{1, 1, 1}},
		{[][]float64{{1, 2, 3}, {1, 2, 3}}, []int{1, 1}},
		{[][]float64{{5, 5, 5}, {1, 1, 1}, {5, 5, 5}}, []int{1, 2, 1}},
	}
	for _, v := range []SKVersion{NonParametric, Parametric} {
		for _, b := range []SKBranch{Development, Master} {
			for _, c := range cases {
				got, err := ScottKnottESD(c.cols, SKOptions{v, b})
				if err != nil || !slices.Equal(got, c.want) {
					t.Errorf("version %d branch %d %v: got %v, %v; want %v", v, b, c.cols, got, err, c.want)
				}
			}
		}
	}
}

// TestParametricSimple: well separated means give one rank each, best first.
func TestParametricSimple(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	cols := make([][]float64, 4)
	centres := []float64{1, 4, 2, 3}
	for i := range cols {
		cols[i] = make([]float64, 100)
		for j := range cols[i] {
			cols[i][j] = centres[i] + 0.1*rng.NormFloat64()
		}
	}
	got, err := ScottKnottESD(cols, SKOptions{Version: Parametric})
	if err != nil || !slices.Equal(got, []int{4, 1, 3, 2}) {
		t.Errorf("got %v, %v; want [4 1 3 2]", got, err)
	}
}

func BenchmarkNPSK(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	cols := make([][]float64, 6)
	for i := range cols {
		cols[i] = make([]float64, 1000)
		for j := range cols[i] {
			cols[i][j] = float64(i/2) + rng.NormFloat64()
		}
	}
	for b.Loop() {
		if _, err := ScottKnottESD(cols, SKOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
