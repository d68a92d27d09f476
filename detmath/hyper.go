package detmath

import "math"

// Expm1, Sinh, Cosh and Tanh are built on expm1DD, e^x - 1 as a
// double-double with relative error near 2^-60, so each function needs
// only a final rounding and keeps within about half an ulp. Products are
// rounded on their own (float64(...)) so that no build fuses them.

// expm1DD returns e^x - 1 = h + l for x in [-38, 709].
func expm1DD(x float64) (h, l float64) {
	const shift = 0x1.8p52
	kd := float64(x*invLn2x64) + shift
	k := int64(int32(math.Float64bits(kd)))
	kd -= shift
	// r = rh + rl = x - kd·ln2/64 to double-double precision.
	rh, rl := twoSum(x-float64(kd*(ln2Hi/64)), -float64(kd*(ln2Lo/64)))
	j := int(k & 63)
	e := k >> 6
	th := exp2Tab[2*j]
	tt := exp2Tab[2*j+1]
	// e^r - 1 - r to r⁸: the result can be as small as r, so the
	// truncation must stay below 2^-60 relative to r, not to e^r.
	r2 := float64(rh * rh)
	p := float64(r2*(0.5+float64(rh*(1.0/6)))) +
		float64(float64(r2*r2)*(1.0/24+float64(rh*(1.0/120))+float64(r2*(1.0/720+float64(rh*(1.0/5040))+float64(r2*(1.0/40320))))))
	// e^r·(1+tt) - 1 = uh + ul; the product r·tt is far below ulp(r) but
	// not below ulp(e^x - 1) when e^x - 1 is small, so it stays.
	uh, ul := fastTwoSum(rh, rl+p+tt+float64(tt*rh))
	sc := math.Float64frombits(math.Float64bits(th) + uint64(e)<<52)
	// sc·(1 + u) - 1 = (sc - 1) + sc·u.
	a, ae := twoSum(sc, -1)
	m, me := twoProd(sc, uh)
	me += float64(sc * ul)
	s, se := twoSum(a, m)
	return fastTwoSum(s, se+ae+me)
}

// Expm1 returns e**x - 1, the base-e exponential of x minus 1.
// It is more accurate than Exp(x) - 1 when x is near zero.
//
// Special cases are:
//
//	Expm1(+Inf) = +Inf
//	Expm1(-Inf) = -1
//	Expm1(NaN) = NaN
//
// Very large values overflow to -1 or +Inf.
func Expm1(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 709:
		return Exp(x)
	case x < -38: // e^x < 2^-54: rounds to -1
		return -1
	case math.Abs(x) < 0x1p-54:
		return x
	}
	h, l := expm1DD(x)
	return h + l
}

// divDD returns (ah+al)/(bh+bl) rounded once, for bh far from zero.
func divDD(ah, al, bh, bl float64) float64 {
	q := ah / bh
	p, pe := twoProd(q, bh)
	return q + (((ah-p)-pe)+al-float64(q*bl))/bh
}

// expHalf returns e^|x|/2 for |x| >= 22, where e^-|x| no longer counts.
func expHalf(ax float64) float64 {
	if ax > 711.5 {
		return math.Inf(1)
	}
	h, l := twoSum(ax, -ln2Hi)
	return expCore(h, l-ln2Lo)
}

// Sinh returns the hyperbolic sine of x.
//
// Special cases are:
//
//	Sinh(±0) = ±0
//	Sinh(±Inf) = ±Inf
//	Sinh(NaN) = NaN
func Sinh(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case x != x:
		return x
	case ax < 0x1p-28: // x³/6 is below half an ulp of x
		return x
	case ax >= 22:
		return math.Copysign(expHalf(ax), x)
	}
	// sinh = (u + u/(1+u))/2 with u = e^|x| - 1: no cancellation.
	uh, ul := expm1DD(ax)
	eh, el := twoSum(1, uh)
	el += ul
	vq := uh / eh
	p, pe := twoProd(vq, eh)
	vl := (((uh - p) - pe) + ul - float64(vq*el)) / eh
	s, se := twoSum(uh, vq)
	return math.Copysign(float64(0.5*(s+(se+ul+vl))), x)
}

// Cosh returns the hyperbolic cosine of x.
//
// Special cases are:
//
//	Cosh(±0) = 1
//	Cosh(±Inf) = +Inf
//	Cosh(NaN) = NaN
func Cosh(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case x != x:
		return x
	case ax >= 22:
		return expHalf(ax)
	case ax < 0x1p-27:
		return 1
	}
	// cosh = (E + 1/E)/2 with E = 1 + u in double-double.
	uh, ul := expm1DD(ax)
	eh, el := twoSum(1, uh)
	el += ul
	ih := 1 / eh
	p, pe := twoProd(ih, eh)
	il := (((1 - p) - pe) - float64(ih*el)) / eh
	s, se := twoSum(eh, ih)
	return float64(0.5 * (s + (se + el + il)))
}

// Tanh returns the hyperbolic tangent of x.
//
// Special cases are:
//
//	Tanh(±0) = ±0
//	Tanh(±Inf) = ±1
//	Tanh(NaN) = NaN
func Tanh(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case x != x:
		return x
	case ax > 20: // 1 - tanh < 2^-56
		return math.Copysign(1, x)
	case ax < 0x1p-28:
		return x
	}
	// tanh = u/(u+2) with u = e^(2|x|) - 1.
	uh, ul := expm1DD(float64(2 * ax))
	dh, dl := twoSum(uh, 2)
	return math.Copysign(divDD(uh, ul, dh, dl+ul), x)
}
