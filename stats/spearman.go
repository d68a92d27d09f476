package stats

import (
	"errors"
	"fmt"
	"math"
)

// ErrConstant is returned (wrapped) when one input of a correlation is
// constant, so the correlation is undefined.
var ErrConstant = errors.New("input is constant")

// Correlation is Spearman's rank correlation with its two-sided p-value.
type Correlation struct {
	Rho float64
	P   float64
	N   int
}

// Spearman returns Spearman's ρ of x and y — the Pearson correlation of
// their average ranks, correct with ties — and the two-sided p-value of
// the t approximation with n−2 degrees of freedom, as
// scipy.stats.spearmanr and R's cor.test(method="spearman", exact=FALSE):
// p = I_{1−ρ²}((n−2)/2, 1/2). |ρ| = 1 gives p = 0.
//
// Lengths must match and be at least 3. If x or y is constant, it returns
// ρ = p = NaN (as scipy) with an error wrapping ErrConstant.
func Spearman(x, y []float64) (Correlation, error) {
	if len(x) != len(y) {
		return Correlation{}, fmt.Errorf("Spearman: x has %d values, y has %d (need pairs)", len(x), len(y))
	}
	if len(x) < 3 {
		return Correlation{}, fmt.Errorf("Spearman: %d pairs (need at least 3)", len(x))
	}
	if err := checkValues("x", x); err != nil {
		return Correlation{}, err
	}
	if err := checkValues("y", y); err != nil {
		return Correlation{}, err
	}
	n := len(x)
	rx, _ := Ranks(nil, x)
	ry, _ := Ranks(nil, y)
	// Both rank vectors have mean (n+1)/2 exactly.
	m := float64(float64(n+1) / 2) // x/2 compiles to x·0.5
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-m, ry[i]-m
		sxy += float64(dx * dy)
		sxx += float64(dx * dx)
		syy += float64(dy * dy)
	}
	res := Correlation{N: n}
	if sxx == 0 || syy == 0 {
		res.Rho, res.P = math.NaN(), math.NaN()
		return res, fmt.Errorf("Spearman: %w, ρ is undefined", ErrConstant)
	}
	rho := sxy / math.Sqrt(sxx*syy)
	rho = math.Max(-1, math.Min(1, rho))
	res.Rho = rho
	if math.Abs(rho) == 1 {
		res.P = 0
		return res, nil
	}
	res.P = spearmanP(rho, n)
	return res, nil
}

// spearmanP is the two-sided p-value of ρ from n pairs by the t
// approximation: 2·P(T_{n−2} ≥ |t|) = I_{1−ρ²}((n−2)/2, 1/2). 1−ρ² is
// formed as (1−ρ)(1+ρ) to keep its relative accuracy near |ρ| = 1.
func spearmanP(rho float64, n int) float64 {
	dof := float64(n - 2)
	return betaI(dof/2, 0.5, float64((1-rho)*(1+rho)), float64(rho*rho))
}
