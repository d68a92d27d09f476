package detmath

import "math"

// Hypot returns Sqrt(p*p + q*q), taking care to avoid unnecessary overflow
// and underflow. The sum of squares is formed exactly as a double-double
// and the square root gets one Newton correction, so the result is within
// about half an ulp (products rounded on their own, see twoProd).
//
// Special cases are:
//
//	Hypot(±Inf, q) = +Inf
//	Hypot(p, ±Inf) = +Inf
//	Hypot(NaN, q) = NaN
//	Hypot(p, NaN) = NaN
func Hypot(p, q float64) float64 {
	p, q = math.Abs(p), math.Abs(q)
	switch {
	case math.IsInf(p, 1) || math.IsInf(q, 1):
		return math.Inf(1)
	case p != p || q != q:
		return math.NaN()
	}
	if p < q {
		p, q = q, p
	}
	if q == 0 {
		return p
	}
	ep := int(math.Float64bits(p) >> 52)
	eq := int(math.Float64bits(q) >> 52)
	if ep-eq > 60 {
		return p + q // q²/p² < 2^-118: p + q rounds like the exact result
	}
	// Scale into a range where the squares neither overflow nor lose bits.
	scale := 1.0
	switch {
	case ep > 1023+500:
		p, q, scale = float64(p*0x1p-600), float64(q*0x1p-600), 0x1p600
	case eq < 1023-500:
		p, q, scale = float64(p*0x1p600), float64(q*0x1p600), 0x1p-600
	}
	ph, pl := square(p)
	qh, ql := square(q)
	sh, se := fastTwoSum(ph, qh) // p >= q
	sl := se + pl + ql
	h := math.Sqrt(sh)
	hh, hl := square(h)
	corr := (((sh - hh) - hl) + sl) / float64(2*h)
	if scale < 1 && h < 0x1p-422 {
		// The result h·2^-600 is subnormal: round once, at its precision,
		// by adding it to 1 at the scale where 1 is the smallest normal.
		h, corr = float64(h*0x1p422), float64(corr*0x1p422)
		hi := 1 + h
		lo := ((1 - hi) + h) + corr
		return float64(((hi + lo) - 1) * 0x1p-1022)
	}
	return float64((h + corr) * scale)
}
