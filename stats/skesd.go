package stats

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
)

// SKVersion selects the Scott-Knott ESD variant.
type SKVersion int

const (
	// NonParametric is ScottKnottESD's version "np": treatments ordered by
	// median, split where the Kruskal-Wallis H over all the data is
	// largest, Cliff's δ as the effect size.
	NonParametric SKVersion = iota
	// Parametric is version "p": ordered by mean, split where the
	// between-group sum of squares of the means is largest, Cohen's d as
	// the effect size.
	Parametric
)

// SKBranch selects how a segment is judged negligible.
type SKBranch int

const (
	// Development (the default, ScottKnottESD's development branch):
	// every pair of treatments in the segment must be negligible.
	Development SKBranch = iota
	// Master compares only the two ends of the segment (the first and last
	// in median or mean order), as the master branch does.
	Master
)

// SKOptions configures ScottKnottESD. The zero value is the
// non-parametric test of the development branch.
type SKOptions struct {
	Version SKVersion
	Branch  SKBranch
}

// ScottKnottESD ranks treatments (one slice of values per treatment,
// higher = better) with the Scott-Knott effect-size-difference test and
// returns the rank of each treatment in input order: 1 for the best group,
// consecutive integers down. Treatments in one rank are contiguous in
// median (np) or mean (p) order. There is no significance test: a segment
// stops splitting when its effect sizes are negligible (|δ| < 0.147 or
// |d| < 0.2). The traversal is that of ScottKnottESD's Partition (depth
// first, left first); testdata/NOTE.md summarizes the exact rules.
//
// Treatments may have different lengths (R needs equal ones). Ties of the
// median put the later treatment first, as R's stable sort followed by a
// reversal does; ties of the split criterion take the first cut, which for
// np is decided in exact integer arithmetic. It returns an error for fewer
// than two treatments, an empty treatment, NaN values, or (parametric) a
// treatment with a single value.
func ScottKnottESD(groups [][]float64, opt SKOptions) ([]int, error) {
	if len(groups) < 2 {
		return nil, fmt.Errorf("Scott-Knott ESD needs at least 2 treatments, got %d", len(groups))
	}
	for i, g := range groups {
		if err := checkValues(fmt.Sprintf("treatment %d", i+1), g); err != nil {
			return nil, err
		}
		if opt.Version == Parametric && len(g) < 2 {
			return nil, fmt.Errorf("treatment %d has 1 value; the parametric test (Cohen's d) needs at least 2 per treatment", i+1)
		}
	}
	G := len(groups)
	sorted := make([][]float64, G)
	for i, g := range groups {
		sorted[i] = slices.Clone(g)
		slices.Sort(sorted[i])
	}
	// pos[p] = treatment at position p (0-based), best first.
	pos := make([]int, G)
	for i := range pos {
		pos[i] = i
	}
	var split func(k, g int) int
	var neg func(a, b int) bool
	switch opt.Version {
	case NonParametric:
		med := make([]float64, G)
		for i, s := range sorted {
			med[i] = median(s)
		}
		sort.SliceStable(pos, func(a, b int) bool { return med[pos[a]] < med[pos[b]] })
		slices.Reverse(pos)
		split = npSplitter(groups, pos)
		neg = func(a, b int) bool {
			return CliffMagnitude(cliffBothSorted(sorted[a], sorted[b])) == Negligible
		}
	case Parametric:
		m := make([]float64, G)
		for i, g := range groups {
			m[i] = mean(g)
		}
		// R's order(m, decreasing=TRUE) is stable: equal means keep column order.
		sort.SliceStable(pos, func(a, b int) bool { return m[pos[a]] > m[pos[b]] })
		split = func(k, g int) int {
			best, bestSS := k, math.Inf(-1)
			for k1 := k; k1 < g; k1++ {
				var t1, t2 float64
				for p := k; p <= k1; p++ {
					t1 += m[pos[p]]
				}
				for p := k1 + 1; p <= g; p++ {
					t2 += m[pos[p]]
				}
				ss := t1*t1/float64(k1-k+1) + t2*t2/float64(g-k1) - (t1+t2)*(t1+t2)/float64(g-k+1)
				if ss > bestSS {
					best, bestSS = k1, ss
				}
			}
			return best
		}
		neg = func(a, b int) bool {
			if slices.Equal(groups[a], groups[b]) {
				return true
			}
			return CohenMagnitude(CohenD(groups[a], groups[b])) == Negligible
		}
	default:
		panic("stats: unknown Scott-Knott version")
	}
	negligible := func(k, g int) bool {
		if k == g {
			return true
		}
		if opt.Branch == Master {
			return neg(pos[k], pos[g])
		}
		for i := k; i < g; i++ {
			for j := i + 1; j <= g; j++ {
				a, b := pos[i], pos[j]
				if opt.Version == NonParametric && slices.Equal(groups[a], groups[b]) {
					continue
				}
				if !neg(a, b) {
					return false
				}
			}
		}
		return true
	}
	byPos := partition(G, split, negligible)
	ranks := make([]int, G)
	for p, t := range pos {
		ranks[t] = byPos[p]
	}
	return ranks, nil
}

// partition is the Scott-Knott traversal over positions 0..G-1 and
// returns the group of each position.
func partition(G int, split func(k, g int) int, negligible func(k, g int) bool) []int {
	group := make([]int, G)
	markg := make([]int, G)
	ngroup := 0
	done := func() bool {
		for _, v := range group {
			if v == 0 {
				return false
			}
		}
		return true
	}
	k, g := 0, G-1
	for {
		ord1 := split(k, g)
		if n := negligible(k, g); n || ord1 == k {
			if !n {
				// The best treatment of the segment is a group by itself.
				ngroup++
				group[k] = ngroup
				k = ord1 + 1
			}
			if negligible(k, g) {
				ngroup++
				for p := k; p <= g; p++ {
					group[p] = ngroup
				}
				if done() {
					return group
				}
				k = g + 1
				g = markg[g]
			}
			for k == g {
				ngroup++
				group[g] = ngroup
				if done() {
					return group
				}
				k = g + 1
				g = markg[g]
			}
		} else {
			markg[ord1] = g
			g = ord1
		}
	}
}

// npSplitter returns the split rule of the np version: the cut k1 of
// segment [k, g] maximizing the Kruskal-Wallis H over all the data, with
// the treatments outside the segment keeping their own labels. Global
// ranks do not depend on the labels and the outside terms and the tie
// correction are the same for every cut, so the cut maximizing H is the
// one maximizing R_L²/n_L + R_R²/n_R (R = rank sums). Twice a rank is an
// integer, so this is compared exactly: near-equal H values of two cuts
// then cannot be reordered by rounding, and exact ties take the first cut
// as R does.
func npSplitter(groups [][]float64, pos []int) func(k, g int) int {
	var pooled []float64
	for _, g := range groups {
		pooled = append(pooled, g...)
	}
	ranks, _ := Ranks(nil, pooled)
	// rs2[p] = 2 × rank sum of the treatment at position p.
	G := len(groups)
	rsByT := make([]int64, G)
	nByT := make([]int64, G)
	off := 0
	for t, g := range groups {
		for _, r := range ranks[off : off+len(g)] {
			rsByT[t] += int64(2 * r)
		}
		nByT[t] = int64(len(g))
		off += len(g)
	}
	var num, den, bestNum, bestDen, x, y big.Int
	return func(k, g int) int {
		best := -1
		for k1 := k; k1 < g; k1++ {
			var a, na, b, nb int64
			for p := k; p <= k1; p++ {
				a += rsByT[pos[p]]
				na += nByT[pos[p]]
			}
			for p := k1 + 1; p <= g; p++ {
				b += rsByT[pos[p]]
				nb += nByT[pos[p]]
			}
			// value = (a²·nb + b²·na) / (na·nb)
			x.SetInt64(a)
			x.Mul(&x, &x)
			x.Mul(&x, y.SetInt64(nb))
			num.SetInt64(b)
			num.Mul(&num, &num)
			num.Mul(&num, y.SetInt64(na))
			num.Add(&num, &x)
			den.SetInt64(na * nb)
			if best >= 0 {
				// num/den > bestNum/bestDen ⇔ num·bestDen > bestNum·den
				x.Mul(&num, &bestDen)
				y.Mul(&bestNum, &den)
				if x.Cmp(&y) <= 0 {
					continue
				}
			}
			best = k1
			bestNum.Set(&num)
			bestDen.Set(&den)
		}
		return best
	}
}
