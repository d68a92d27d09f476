package stats

import (
	"fmt"
	"math"
	"sort"
)

// Ranks writes the average ranks (1-based; tied values share the mean of
// their positions) of x into dst and returns dst. A nil dst is allocated;
// a dst of another length than x panics. It also returns the tie term
// Σ(t³−t) over the tie blocks, which Kruskal-Wallis needs for its
// correction. x must not contain NaN (see checkFinite).
func Ranks(dst, x []float64) ([]float64, float64) {
	if dst == nil {
		dst = make([]float64, len(x))
	}
	if len(dst) != len(x) {
		panic("stats: destination length mismatch")
	}
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	ties := 0.0
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		// Positions i+1 .. j (1-based): their mean is (i+1+j)/2, a multiple
		// of 1/2, so the ranks and their sums are exact in float64.
		r := float64(i+1+j) / 2
		for m := i; m < j; m++ {
			dst[idx[m]] = r
		}
		t := float64(j - i)
		ties += float64(t*t*t) - t
		i = j
	}
	return dst, ties
}

// checkValues returns an error when x is empty or holds a NaN; what names
// the data in the message.
func checkValues(what string, x []float64) error {
	if len(x) == 0 {
		return fmt.Errorf("%s is empty (need at least one value)", what)
	}
	for i, v := range x {
		if math.IsNaN(v) {
			return fmt.Errorf("%s: value %d is NaN (only numbers are accepted)", what, i+1)
		}
	}
	return nil
}

// median returns the median of sorted s (mean of the two middle values for
// even length, as R and numpy do).
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
