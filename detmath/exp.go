package detmath

import "math"

// exp is computed as 2^(k/64)·e^r: k = round(x·64/ln2), r = x - k·ln2/64
// (|r| <= ln2/128, Cody–Waite with a 26-bit head of ln2 so that k·ln2Hi/64
// is exact), 2^(j/64) from a table stored as head and relative tail, and
// e^r - 1 as its Taylor polynomial to degree 6 (truncation error below
// 2^-64). All products are rounded on their own (float64(...)) so that no
// build fuses them into multiply-adds.

// expCore returns e^(hi+lo) rounded once, for |lo| <= 2^-20·|hi| (or
// tiny): results beyond the float64 range become +Inf or 0, NaN stays NaN.
func expCore(hi, lo float64) float64 {
	if !(hi >= -746 && hi <= 710) {
		switch {
		case hi != hi:
			return hi
		case hi > 0:
			return math.Inf(1)
		default:
			return 0
		}
	}
	const shift = 0x1.8p52
	kd := float64(hi*invLn2x64) + shift
	k := int64(math.Float64bits(kd)) // low bits hold round(hi·64/ln2)
	kd -= shift
	k = int64(int32(k))
	r := hi - float64(kd*(ln2Hi/64)) // exact
	r = r - float64(kd*(ln2Lo/64)) + lo
	j := int(k & 63)
	e := k >> 6
	th := exp2Tab[2*j]
	tt := exp2Tab[2*j+1]
	r2 := float64(r * r)
	// p = e^r - 1 - r, Taylor to r^6 (Estrin-like grouping for speed).
	p := float64(r2*(0.5+float64(r*(1.0/6)))) +
		float64(float64(r2*r2)*(1.0/24+float64(r*(1.0/120))+float64(r2*(1.0/720))))
	q := tt + (r + p)          // e^r·(1+tt) - 1 up to r·tt (< 2^-60)
	if e > -1010 && e < 1020 { // sc·q stays normal, so it is rounded like sc
		sc := math.Float64frombits(math.Float64bits(th) + uint64(e)<<52)
		return sc + float64(sc*q)
	}
	if e > 0 {
		// Build the result with exponent e-1 then double it (may overflow).
		sc := math.Float64frombits(math.Float64bits(th) + uint64(e-1)<<52)
		return float64((sc + float64(sc*q)) * 2)
	}
	// Near or below the underflow threshold: build the result 2^1022
	// higher, so that the smallest normal is 1. A result below 1 is about
	// to be subnormal: adding 1 makes its one rounding happen at the
	// subnormal's precision, and the -1 and the scaling back are exact.
	sc := math.Float64frombits(math.Float64bits(th) + uint64(e+1022)<<52)
	t := float64(sc * q)
	y := sc + t
	if y < 1 {
		lo := (sc - y) + t // rounding error of y
		hi := 1 + y
		lo = ((1 - hi) + y) + lo
		y = (hi + lo) - 1
	}
	return float64(y * 0x1p-1022)
}

// Exp returns e**x, the base-e exponential of x.
//
// Special cases are:
//
//	Exp(+Inf) = +Inf
//	Exp(NaN) = NaN
//
// Results beyond the float64 range overflow to +Inf or underflow to 0
// (subnormal results are rounded correctly); for tiny |x| the result is 1.
func Exp(x float64) float64 {
	return expCore(x, 0)
}

// Exp2 returns 2**x, the base-2 exponential of x.
//
// Special cases are the same as Exp.
func Exp2(x float64) float64 {
	if !(x >= -1080 && x < 1024) {
		switch {
		case x != x:
			return x
		case x > 0:
			return math.Inf(1)
		default:
			return 0
		}
	}
	// x·ln2 as a double-double: the 26-bit head of x times ln2Hi is exact.
	xh := head(x)
	xl := x - xh
	hi := float64(xh * ln2Hi)
	lo := float64(xh*ln2Lo) + float64(xl*ln2Hi) + float64(xl*ln2Lo)
	return expCore(hi, lo)
}
