package detmath

import "math"

// The logarithms share logCore: x = 2^k·m with m in [√½, √2), i =
// round(256·(m-1)), and log x = k·ln2 - log(invc_i) + log1p(r) with
// r = m·invc_i - 1 (|r| < 2^-8.4). invc_i has 25 bits, so r is computed
// exactly from m's 26-bit head and 27-bit tail; -log(invc_i) comes from a
// table as a double-double whose head is a multiple of 2^-42, like the head
// of ln2, so that k·ln2 plus the table head is exact. log1p(r) is its
// Taylor series to r^8 (truncation below 2^-75 relative), with r² exact.
// The result is a double-double with relative error below 2^-68, enough for
// Pow to stay within one ulp. All products are rounded on their own
// (float64(...)) so that no build fuses them into multiply-adds.

// logReduce splits a positive, finite, nonzero x into x = 2^k·m and returns
// k, the table offset t of m's index and r = rh + rl = m·invc - 1 exactly.
func logReduce(x float64) (k float64, t int, rh, rl float64) {
	b := math.Float64bits(x)
	ke := int(b>>52) - 1023
	if b>>52 == 0 { // subnormal: scale into the normal range
		b = math.Float64bits(float64(x * 0x1p54))
		ke = int(b>>52) - 1023 - 54
	}
	b &= 1<<52 - 1
	if b > 0x6a09e667f3bcd { // m >= √2 (mantissa bits of √2): halve
		b |= 1022 << 52
		ke++
	} else {
		b |= 1023 << 52
	}
	m := math.Float64frombits(b)
	k = float64(ke)
	// i = round(256·(m-1)) in [-75, 106]; +128 keeps the truncation a floor.
	i := int(float64((m-1)*256)+128.5) - 128
	t = 3 * (i - logTabMin)
	invc := logTab[t]
	mh := head(m)
	a := float64(mh*invc) - 1 // exact: 26-bit × 25-bit product near 1
	rh, rl = twoSum(a, float64((m-mh)*invc))
	return
}

// logCore returns log(x) = hi + lo, |lo| <= ulp(hi)/2, for positive finite
// nonzero x, with the extra term add (|add| << |log x| or exact zero)
// included: log1p uses it for the part of 1+x lost when rounding.
func logCore(x, add float64) (hi, lo float64) {
	k, t, rh, rl := logReduce(x)
	l1, l2 := log1pSmall(rh, rl)
	// k·ln2Hi42 + table head is exact (both multiples of 2^-42, < 2^10).
	s := float64(k*ln2Hi42) + logTab[t+1]
	h, e1 := twoSum(s, l1)
	lo = e1 + l2 + logTab[t+2] + float64(k*ln2Lo42) + add
	return fastTwoSum(h, lo)
}

// log1pSmall returns log1p(rh+rl) as a double-double (h + l, unnormalised)
// for |rh| < 2^-8.4, |rl| <= ulp(rh)·(1/2 + a little).
func log1pSmall(rh, rl float64) (h, l float64) {
	// -rh²/2 exactly, as qh + ql.
	sq, sqe := twoProd(rh, rh)
	qh, ql := float64(-0.5*sq), float64(-0.5*sqe)
	r2 := float64(rh * rh)
	// r³·(1/3 - r/4 + r²/5 - r³/6 + r⁴/7 - r⁵/8)
	poly := float64(float64(r2*rh) * (1.0/3 + float64(rh*(-1.0/4)) + float64(r2*(1.0/5+float64(rh*(-1.0/6)))) +
		float64(float64(r2*r2)*(1.0/7+float64(rh*(-1.0/8))))))
	h, e := twoSum(rh, qh)
	// rl·(1 - r): the derivative of log1p at r is 1/(1+r).
	l = e + ql + (rl - float64(rh*rl)) + poly
	return
}

// Log returns the natural logarithm of x.
//
// Special cases are:
//
//	Log(+Inf) = +Inf
//	Log(0) = -Inf
//	Log(x < 0) = NaN
//	Log(NaN) = NaN
func Log(x float64) float64 {
	return logFast(x, 0)
}

// logFast returns log(x) + add (|add| <= 2^-53·|log x|) rounded, within
// about 0.5 ulp: like logCore but with -r²/2 rounded, which costs at most
// 2^-62 relative, and a single final rounding.
func logFast(x, add float64) float64 {
	if !(x > 0 && x <= math.MaxFloat64) {
		return logSpecial(x)
	}
	k, t, rh, rl := logReduce(x)
	r2 := float64(rh * rh)
	// -r²/2 + r³·(1/3 - r/4 + r²/5 - r³/6 + r⁴/7)
	p := float64(r2*-0.5) + float64(float64(r2*rh)*(1.0/3+float64(rh*(-1.0/4))+float64(r2*(1.0/5+float64(rh*(-1.0/6))))+
		float64(float64(r2*r2)*(1.0/7))))
	a := float64(k*ln2Hi42) + logTab[t+1] // exact
	h, e := twoSum(a, rh)
	return h + (e + (logTab[t+2] + float64(k*ln2Lo42)) + (rl + float64(rh*-rl)) + p + add)
}

func logSpecial(x float64) float64 {
	switch {
	case x == 0:
		return math.Inf(-1)
	case x > 0: // +Inf
		return x
	default: // x < 0 or NaN
		return math.NaN()
	}
}

// logMant returns log(m) = h + l (unnormalised, relative error near
// 2^-62) for the m that logReduce split off: the table's -log(invc) plus
// log1p(r), like logFast.
func logMant(t int, rh, rl float64) (h, l float64) {
	r2 := float64(rh * rh)
	p := float64(r2*-0.5) + float64(float64(r2*rh)*(1.0/3+float64(rh*(-1.0/4))+float64(r2*(1.0/5+float64(rh*(-1.0/6))))+
		float64(float64(r2*r2)*(1.0/7))))
	h, e := twoSum(logTab[t+1], rh)
	l = e + logTab[t+2] + (rl + float64(rh*-rl)) + p
	return
}

// Log2 returns the binary logarithm of x. Log2 of an exact power of two is
// exact.
//
// Special cases are the same as for Log.
func Log2(x float64) float64 {
	if !(x > 0 && x <= math.MaxFloat64) {
		return logSpecial(x)
	}
	k, t, rh, rl := logReduce(x)
	h, l := logMant(t, rh, rl)
	// k + log(m)/ln2, the product in double-double.
	p, pe := mul26(h, invLn2Hi)
	pe += float64(h*invLn2Lo) + float64(l*(invLn2Hi+invLn2Lo))
	s, se := twoSum(k, p)
	return s + (se + pe)
}

// Log10 returns the decimal logarithm of x.
//
// Special cases are the same as for Log.
func Log10(x float64) float64 {
	if !(x > 0 && x <= math.MaxFloat64) {
		return logSpecial(x)
	}
	k, t, rh, rl := logReduce(x)
	h, l := logMant(t, rh, rl)
	p, pe := mul26(h, invLn10Hi)
	pe += float64(h*invLn10Lo) + float64(l*(invLn10Hi+invLn10Lo))
	// k·log10(2): the head is a multiple of 2^-42, so k times it is exact.
	s, se := twoSum(float64(k*log10of2Hi), p)
	return s + (se + pe + float64(k*log10of2Lo))
}

// Log1p returns the natural logarithm of 1 plus its argument x.
// It is more accurate than Log(1 + x) when x is near zero.
//
// Special cases are:
//
//	Log1p(+Inf) = +Inf
//	Log1p(±0) = ±0
//	Log1p(-1) = -Inf
//	Log1p(x < -1) = NaN
//	Log1p(NaN) = NaN
func Log1p(x float64) float64 {
	if !(x > -1 && x <= math.MaxFloat64) {
		switch {
		case x == -1:
			return math.Inf(-1)
		case x > 0:
			return x
		default:
			return math.NaN()
		}
	}
	if ax := math.Abs(x); ax < 0x1p-10 {
		if ax < 0x1p-54 {
			return x // log1p(x) = x - x²/2 rounds to x (keeps ±0)
		}
		// Taylor series to x⁶ (truncation below 2^-62 relative): 1+x
		// would round away the bits that matter here.
		x2 := float64(x * x)
		p := -0.25 + float64(x*(0.2+float64(x*(-1.0/6))))
		p = -0.5 + float64(x*(1.0/3+float64(x*p)))
		return x + float64(x2*p)
	}
	// 1+x = u + ue exactly; log(u + ue) = log(u) + a - a²/2 with a = ue/u
	// (a² matters when u rounded to 1 and log(u) vanishes).
	u, ue := twoSum(1, x)
	if u > 0x1p60 {
		ue = 0
	}
	a := ue / u
	return logFast(u, a-float64(float64(0.5*a)*a))
}
