package detmath

import "math"

// The helpers below build exact products and sums (double-double arithmetic)
// out of plain float64 operations. Every product is wrapped in float64(...)
// so that no compiler may fuse it with the following addition: a fused
// multiply-add would change the rounding and break both exactness and
// bit-identity across architectures.

// head returns x with its low 27 mantissa bits cleared: a 26-bit number whose
// products with other 26-bit numbers are exact.
func head(x float64) float64 {
	return math.Float64frombits(math.Float64bits(x) &^ (1<<27 - 1))
}

// twoSum returns s = fl(a+b) and the exact error e = a + b - s.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return
}

// fastTwoSum is twoSum for |a| >= |b| (or a == 0).
func fastTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return
}

// twoProd returns p = fl(a*b) and an error e with a*b = p + e (exact unless
// the low halves' product underflows or a*b overflows).
func twoProd(a, b float64) (p, e float64) {
	p = float64(a * b)
	ah := head(a)
	al := a - ah
	bh := head(b)
	bl := b - bh
	e = float64(ah*bh) - p + float64(ah*bl) + float64(al*bh) + float64(al*bl)
	return
}

// square returns p = fl(x*x) and e with x*x = p + e, splitting x with
// Veltkamp's constant 2^27+1 (no overflow for |x| < 2^996).
func square(x float64) (p, e float64) {
	p = float64(x * x)
	c := float64(x * 134217729)
	xh := c - (c - x)
	xl := x - xh
	e = float64(xh*xh) - p + float64(2*float64(xh*xl)) + float64(xl*xl)
	return
}

// mul26 is twoProd for a constant c with at most 26 significant bits: only
// x needs splitting, and both partial products are exact.
func mul26(x, c float64) (p, e float64) {
	p = float64(x * c)
	xh := head(x)
	e = float64(xh*c) - p + float64((x-xh)*c)
	return
}
