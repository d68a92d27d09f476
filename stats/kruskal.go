package stats

import (
	"errors"
	"fmt"
	"math"
)

// ErrAllTied is returned (wrapped) when every value is the same, so that a
// rank statistic is undefined (scipy raises, R returns NaN).
var ErrAllTied = errors.New("all values are identical")

// Kruskal is the result of a Kruskal-Wallis H test.
type Kruskal struct {
	H  float64 // tie-corrected H statistic
	P  float64 // P(χ²_DF ≥ H)
	DF int     // number of groups − 1
}

// KruskalWallis tests whether the groups come from the same distribution,
// like scipy.stats.kruskal and R's kruskal.test: average ranks over the
// pooled data, H corrected for ties, p from the χ² distribution with
// groups−1 degrees of freedom via the regularized upper incomplete gamma
// function, accurate down to the smallest representable p (it underflows
// to 0 only where scipy's does).
//
// It returns an error for fewer than two groups, an empty group or NaN
// values; when every value is tied it returns H = p = NaN with an error
// wrapping ErrAllTied.
func KruskalWallis(groups [][]float64) (Kruskal, error) {
	if len(groups) < 2 {
		return Kruskal{}, fmt.Errorf("Kruskal-Wallis needs at least 2 groups, got %d", len(groups))
	}
	n := 0
	for i, g := range groups {
		if err := checkValues(fmt.Sprintf("group %d", i+1), g); err != nil {
			return Kruskal{}, err
		}
		n += len(g)
	}
	pooled := make([]float64, 0, n)
	for _, g := range groups {
		pooled = append(pooled, g...)
	}
	ranks, ties := Ranks(nil, pooled)
	res := Kruskal{DF: len(groups) - 1}
	nf := float64(n)
	c := 1 - ties/(float64(nf*nf*nf)-nf)
	if c == 0 {
		res.H, res.P = math.NaN(), math.NaN()
		return res, fmt.Errorf("Kruskal-Wallis: %w, H is undefined", ErrAllTied)
	}
	ssbn, off := 0.0, 0
	for _, g := range groups {
		r := 0.0
		for _, v := range ranks[off : off+len(g)] {
			r += v
		}
		off += len(g)
		ssbn += r * r / float64(len(g))
	}
	h := float64(12/(nf*(nf+1))*ssbn) - float64(3*(nf+1))
	res.H = h / c
	res.P = ChiSquareSF(res.H, res.DF)
	return res, nil
}

// ChiSquareSF returns P(χ²_df ≥ x) = Q(df/2, x/2).
func ChiSquareSF(x float64, df int) float64 {
	if x <= 0 {
		return 1
	}
	return gammaQ(float64(df)/2, x/2)
}
