package detmath

import "math"

// Atan, Asin and Acos evaluate the rational and polynomial approximations
// of fdlibm (s_atan.c, e_asin.c, e_acos.c; Sun Microsystems 1993) with
// their published coefficients. Atan moves x next to 0, 1/2, 1, 3/2 or ∞
// and adds the tabulated atan there as head + tail; Asin and Acos split
// their square root into an exact head and a tail, so that the last
// addition carries most of the rounding. Every product is rounded on its
// own (float64(...)) so that no build fuses it into a multiply-add.

var atanCoef = [11]float64{
	3.33333333333329318027e-01,
	-1.99999999998764832476e-01,
	1.42857142725034663711e-01,
	-1.11111104054623557880e-01,
	9.09088713343650656196e-02,
	-7.69187620504482999495e-02,
	6.66107313738753120669e-02,
	-5.83357013379057348645e-02,
	4.97687799461593236017e-02,
	-3.65315727442169155270e-02,
	1.62858201153657823623e-02,
}

// atanPos returns atan(x) + c = hi + lo (unrounded) for x >= 0 (not NaN),
// where c is a correction far below ulp(atan x) that Atan2 uses for the
// rounding error of y/x.
func atanPos(x, c float64) (hi, lo float64) {
	if x >= 0x1p66 {
		return atanInfHi, atanInfLo + c
	}
	id := -1
	switch {
	case x < 0.4375:
		if x < 0x1p-27 {
			return x, c
		}
	case x < 0.6875: // atan(x) = atan(1/2) + atan((2x-1)/(2+x))
		id = 0
		hi, lo = atanHalfHi, atanHalfLo
		x = (float64(2*x) - 1) / (2 + x)
	case x < 1.1875: // atan(1) + atan((x-1)/(x+1))
		id = 1
		hi, lo = atanOneHi, atanOneLo
		x = (x - 1) / (x + 1)
	case x < 2.4375: // atan(3/2) + atan((x-1.5)/(1+1.5x))
		id = 2
		hi, lo = atanThreeHalvesHi, atanThreeHalvesLo
		x = (x - 1.5) / (1 + float64(1.5*x))
	default: // π/2 + atan(-1/x)
		id = 3
		hi, lo = atanInfHi, atanInfLo
		x = -1 / x
	}
	a := &atanCoef
	z := float64(x * x)
	w := float64(z * z)
	// Odd and even coefficients in w = x⁴ (fdlibm's split), Horner each.
	e := a[8] + float64(w*a[10])
	e = a[6] + float64(w*e)
	e = a[4] + float64(w*e)
	e = a[2] + float64(w*e)
	s1 := float64(z * (a[0] + float64(w*e)))
	o := a[7] + float64(w*a[9])
	o = a[5] + float64(w*o)
	o = a[3] + float64(w*o)
	s2 := float64(w * (a[1] + float64(w*o)))
	if id < 0 {
		return x, c - float64(x*(s1+s2))
	}
	return hi, c - ((float64(x*(s1+s2)) - lo) - x)
}

// Atan returns the arctangent, in radians, of x.
//
// Special cases are:
//
//	Atan(±0) = ±0
//	Atan(±Inf) = ±Pi/2
func Atan(x float64) float64 {
	if x != x {
		return x
	}
	if x < 0 || (x == 0 && math.Signbit(x)) {
		h, l := atanPos(-x, 0)
		return -(h + l)
	}
	h, l := atanPos(x, 0)
	return h + l
}

// Atan2 returns the arc tangent of y/x, using the signs of the two to
// determine the quadrant of the return value.
//
// Special cases are (in order):
//
//	Atan2(y, NaN) = NaN
//	Atan2(NaN, x) = NaN
//	Atan2(+0, x>=0) = +0
//	Atan2(-0, x>=0) = -0
//	Atan2(+0, x<=-0) = +Pi
//	Atan2(-0, x<=-0) = -Pi
//	Atan2(y>0, 0) = +Pi/2
//	Atan2(y<0, 0) = -Pi/2
//	Atan2(+Inf, +Inf) = +Pi/4
//	Atan2(-Inf, +Inf) = -Pi/4
//	Atan2(+Inf, -Inf) = 3Pi/4
//	Atan2(-Inf, -Inf) = -3Pi/4
//	Atan2(y, +Inf) = 0
//	Atan2(y>0, -Inf) = +Pi
//	Atan2(y<0, -Inf) = -Pi
//	Atan2(+Inf, x) = +Pi/2
//	Atan2(-Inf, x) = -Pi/2
func Atan2(y, x float64) float64 {
	switch {
	case x != x || y != y:
		return math.NaN()
	case y == 0:
		if x >= 0 && !math.Signbit(x) {
			return math.Copysign(0, y)
		}
		return math.Copysign(piHi, y)
	case x == 0:
		return math.Copysign(pio2Hi, y)
	case math.IsInf(x, 0):
		if math.IsInf(x, 1) {
			if math.IsInf(y, 0) {
				return math.Copysign(pio4Hi, y)
			}
			return math.Copysign(0, y)
		}
		if math.IsInf(y, 0) {
			return math.Copysign(3*pio4Hi, y)
		}
		return math.Copysign(piHi, y)
	case math.IsInf(y, 0):
		return math.Copysign(pio2Hi, y)
	}
	ay, ax := math.Abs(y), math.Abs(x)
	ey := int(math.Float64bits(ay) >> 52)
	ex := int(math.Float64bits(ax) >> 52)
	var zh, zl float64
	switch {
	case ey-ex > 60: // |y/x| > 2^60: π/2 to within far below an ulp
		zh, zl = pio2Hi, pio2Lo
	case x < 0 && ey-ex < -60: // |y/x| < 2^-60 and the result is ±π - tiny
	default:
		// q + qe = |y|/|x| to double-double precision; the tail enters atan
		// through its derivative 1/(1+q²).
		q := ay / ax
		p, pe := twoProd(q, ax)
		// qe/(1+q²) = (ay - q·ax)/(ax + ay·q), one division.
		c := ((ay - p) - pe) / (ax + float64(ay*q))
		if q < 0x1p-900 || ax > 0x1p1000 {
			c = 0 // the error terms under- or overflow; q is accurate enough
		}
		zh, zl = atanPos(q, c)
	}
	if x > 0 {
		return math.Copysign(zh+zl, y)
	}
	// π - z in double-double, rounded once.
	s, se := twoSum(piHi, -zh)
	return math.Copysign(s+(se+(piLo-zl)), y)
}

// Asin and Acos: fdlibm's rational approximation R(t) of (asin(√t)/√t - 1)/t
// on [0, 1/4] (e_asin.c).
const (
	ps0 = 1.66666666666666657415e-01
	ps1 = -3.25565818622400915405e-01
	ps2 = 2.01212532134862925881e-01
	ps3 = -4.00555345006794114027e-02
	ps4 = 7.91534994289814532176e-04
	ps5 = 3.47933107596021167570e-05
	qs1 = -2.40339491173441421878e+00
	qs2 = 2.02094576023350569471e+00
	qs3 = -6.88283971605453293030e-01
	qs4 = 7.70381505559019352791e-02
)

// asinR returns R(t) = P(t)/Q(t).
func asinR(t float64) float64 {
	p := ps4 + float64(t*ps5)
	p = ps3 + float64(t*p)
	p = ps2 + float64(t*p)
	p = ps1 + float64(t*p)
	p = float64(t * (ps0 + float64(t*p)))
	q := qs3 + float64(t*qs4)
	q = qs2 + float64(t*q)
	q = qs1 + float64(t*q)
	q = 1 + float64(t*q)
	return p / q
}

// low32 clears the low 32 bits of x: the head of a head+tail pair whose
// square is exact.
func low32(x float64) float64 {
	return math.Float64frombits(math.Float64bits(x) &^ (1<<32 - 1))
}

// Asin returns the arcsine, in radians, of x.
//
// Special cases are:
//
//	Asin(±0) = ±0
//	Asin(x) = NaN if x < -1 or x > 1
func Asin(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case !(ax <= 1):
		return math.NaN()
	case ax == 1:
		return math.Copysign(pio2Hi, x)
	case ax < 0.5:
		if ax < 0x1p-26 {
			return x
		}
		return x + float64(x*asinR(float64(x*x)))
	}
	// asin(x) = π/2 - 2·asin(√((1-x)/2)).
	t := float64((1 - ax) * 0.5)
	r := asinR(t)
	s := math.Sqrt(t)
	var res float64
	if ax >= 0.975 {
		res = pio2Hi - (float64(2*(s+float64(s*r))) - pio2Lo)
	} else {
		// s = w + c with w's square exact, to keep π/4 - w exact.
		w := low32(s)
		c := (t - float64(w*w)) / (s + w)
		p := float64(float64(2*s)*r) - (pio2Lo - float64(2*c))
		q := pio4Hi - float64(2*w)
		res = pio4Hi - (p - q)
	}
	return math.Copysign(res, x)
}

// Acos returns the arccosine, in radians, of x.
//
// Special case is:
//
//	Acos(x) = NaN if x < -1 or x > 1
func Acos(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case !(ax <= 1):
		return math.NaN()
	case x == 1:
		return 0
	case x == -1:
		return piHi + 2*pio2Lo
	case ax < 0.5:
		if ax <= 0x1p-57 {
			return pio2Hi + pio2Lo
		}
		r := asinR(float64(x * x))
		return pio2Hi - (x - (pio2Lo - float64(x*r)))
	case x < 0: // acos(x) = π - 2·asin(√((1+x)/2))
		// With √ split as df + c, π - 2df is formed exactly (twoSum), so
		// only the small terms are rounded before the final addition.
		z := float64((1 + x) * 0.5)
		s := math.Sqrt(z)
		df := low32(s)
		c := (z - float64(df*df)) / (s + df)
		w := float64(asinR(z) * s)
		h, e := twoSum(piHi, -float64(2*df))
		return h + (e + (piLo - float64(2*(c+w))))
	}
	// acos(x) = 2·asin(√((1-x)/2)), with √ split as df + c.
	z := float64((1 - x) * 0.5)
	s := math.Sqrt(z)
	df := low32(s)
	c := (z - float64(df*df)) / (s + df)
	w := float64(asinR(z)*s) + c
	return float64(2 * (df + w))
}
