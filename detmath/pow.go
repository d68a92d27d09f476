package detmath

import "math"

// Pow computes e^(y·log|x|) with log|x| from logCore as a double-double
// (relative error below 2^-68) and the product y·log|x| kept as a
// double-double (26-bit heads make the leading product exact), so the only
// error of note is the final rounding in expCore: results are within about
// 0.52 ulp, and exact whenever the exact result is representable. All
// products are rounded on their own (float64(...)) so that no build fuses
// them into multiply-adds.

// isOddInt reports whether y is an odd integer.
func isOddInt(y float64) bool {
	if math.Abs(y) >= 0x1p53 {
		return false // all such floats are even
	}
	yi := math.Trunc(y)
	return yi == y && int64(yi)&1 == 1
}

// Pow returns x**y, the base-x exponential of y.
//
// Special cases are (in order):
//
//	Pow(x, ±0) = 1 for any x
//	Pow(1, y) = 1 for any y
//	Pow(x, 1) = x for any x
//	Pow(NaN, y) = NaN
//	Pow(x, NaN) = NaN
//	Pow(±0, y) = ±Inf for y an odd integer < 0
//	Pow(±0, -Inf) = +Inf
//	Pow(±0, +Inf) = +0
//	Pow(±0, y) = +Inf for finite y < 0 and not an odd integer
//	Pow(±0, y) = ±0 for y an odd integer > 0
//	Pow(±0, y) = +0 for finite y > 0 and not an odd integer
//	Pow(-1, ±Inf) = 1
//	Pow(x, +Inf) = +Inf for |x| > 1
//	Pow(x, -Inf) = +0 for |x| > 1
//	Pow(x, +Inf) = +0 for |x| < 1
//	Pow(x, -Inf) = +Inf for |x| < 1
//	Pow(+Inf, y) = +Inf for y > 0
//	Pow(+Inf, y) = +0 for y < 0
//	Pow(-Inf, y) = Pow(-0, -y)
//	Pow(x, y) = NaN for finite x < 0 and finite non-integer y
func Pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y == 1:
		return x
	case x != x || y != y:
		return math.NaN()
	case x == 0:
		switch {
		case y < 0:
			if math.Signbit(x) && isOddInt(y) {
				return math.Inf(-1)
			}
			return math.Inf(1)
		case y > 0:
			if math.Signbit(x) && isOddInt(y) {
				return x
			}
			return 0
		}
	case math.IsInf(y, 0):
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == (y > 0):
			return 0
		default:
			return math.Inf(1)
		}
	case math.IsInf(x, 0):
		if x < 0 {
			return Pow(1/x, -y) // Pow(-0, -y)
		}
		if y < 0 {
			return 0
		}
		return math.Inf(1)
	case y == 0.5:
		return math.Sqrt(x)
	}
	neg := false
	if x < 0 {
		if y != math.Trunc(y) {
			return math.NaN()
		}
		neg = isOddInt(y)
		x = -x
	}
	r := powPositive(x, y)
	if neg {
		return -r
	}
	return r
}

// powPositive returns x**y for finite x > 0 and finite y != 0.
func powPositive(x, y float64) float64 {
	if x == 1 { // from x = -1
		return 1
	}
	if math.Abs(y) >= 0x1p64 {
		// |log x| >= 2^-54 for x != 1, so |y·log x| >= 1024: the result
		// overflows or underflows.
		if (x > 1) == (y > 0) {
			return math.Inf(1)
		}
		return 0
	}
	lh, ll := logCore(x, 0)
	// y·(lh+ll) = yh·lhh (exact) + the rest.
	yh := head(y)
	yl := y - yh
	lhh := head(lh)
	ph := float64(yh * lhh)
	pl := float64(yh*(lh-lhh)) + float64(yl*lh) + float64(y*ll)
	return expCore(ph, pl)
}
