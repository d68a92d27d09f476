package stats

import (
	"math"
	"slices"
	"sort"
)

// Magnitude is the verbal size of an effect.
type Magnitude int

const (
	Negligible Magnitude = iota
	Small
	Medium
	Large
)

func (m Magnitude) String() string {
	switch m {
	case Negligible:
		return "negligible"
	case Small:
		return "small"
	case Medium:
		return "medium"
	case Large:
		return "large"
	}
	return "unknown"
}

// CliffDelta returns Cliff's δ = (#{a_i > b_j} − #{a_i < b_j}) / (n_a n_b),
// counted exactly in integers with sorting and binary search
// (O((n_a+n_b) log n_b)). Both must be non-empty.
func CliffDelta(a, b []float64) float64 {
	sb := slices.Clone(b)
	slices.Sort(sb)
	return cliffSorted(a, sb)
}

// cliffSorted is CliffDelta with b already sorted ascending.
func cliffSorted(a, sb []float64) float64 {
	if len(a) == 0 || len(sb) == 0 {
		panic("stats: Cliff's delta of an empty sample")
	}
	var d int64
	nb := len(sb)
	for _, v := range a {
		lo := sort.SearchFloat64s(sb, v) // count of b < v
		hi := lo
		for hi < nb && sb[hi] == v {
			hi++
		}
		d += int64(lo) - int64(nb-hi)
	}
	return float64(d) / (float64(len(a)) * float64(nb))
}

// cliffBothSorted counts Cliff's δ of two sorted samples by merging, O(n_a+n_b).
func cliffBothSorted(sa, sb []float64) float64 {
	var d int64
	lo, hi := 0, 0 // sb[:lo] < v, sb[:hi] <= v
	nb := len(sb)
	for _, v := range sa {
		for lo < nb && sb[lo] < v {
			lo++
		}
		if hi < lo {
			hi = lo
		}
		for hi < nb && sb[hi] <= v {
			hi++
		}
		d += int64(lo) - int64(nb-hi)
	}
	return float64(d) / (float64(len(sa)) * float64(nb))
}

// CliffMagnitude labels |δ| with the thresholds of R's effsize package
// (Romano et al.): negligible < 0.147 ≤ small < 0.33 ≤ medium < 0.474 ≤ large.
func CliffMagnitude(delta float64) Magnitude {
	d := math.Abs(delta)
	switch {
	case d < 0.147:
		return Negligible
	case d < 0.33:
		return Small
	case d < 0.474:
		return Medium
	}
	return Large
}

// CohenD returns Cohen's d = (mean(a) − mean(b)) / s_pooled with
// s_pooled = sqrt(((n_a−1)s_a² + (n_b−1)s_b²)/(n_a+n_b−2)), as effsize's
// cohen.d without Hedges' correction. Needs n_a + n_b > 2; zero pooled
// deviation gives ±Inf (or NaN for equal means).
func CohenD(a, b []float64) float64 {
	if len(a)+len(b) <= 2 || len(a) == 0 || len(b) == 0 {
		panic("stats: Cohen's d needs two non-empty samples with more than 2 values in all")
	}
	ma, mb := mean(a), mean(b)
	var ssa, ssb float64
	for _, v := range a {
		ssa += float64((v - ma) * (v - ma))
	}
	for _, v := range b {
		ssb += float64((v - mb) * (v - mb))
	}
	s := math.Sqrt((ssa + ssb) / float64(len(a)+len(b)-2))
	return (ma - mb) / s
}

// CohenMagnitude labels |d|: negligible < 0.2 ≤ small < 0.5 ≤ medium < 0.8 ≤ large.
// NaN counts as negligible.
func CohenMagnitude(d float64) Magnitude {
	d = math.Abs(d)
	switch {
	case d < 0.2 || math.IsNaN(d):
		return Negligible
	case d < 0.5:
		return Small
	case d < 0.8:
		return Medium
	}
	return Large
}
