package detmath

import (
	"math"
	"math/bits"
)

// Kernel polynomials of fdlibm (k_sin.c, k_cos.c; Sun Microsystems 1993),
// coefficients as published. On |x| <= π/4 they approximate sin and cos with
// a relative error below 2^-58.
const (
	s1 = -1.66666666666666324348e-01
	s2 = 8.33333333332248946124e-03
	s3 = -1.98412698298579493134e-04
	s4 = 2.75573137070700676789e-06
	s5 = -2.50507602534068634195e-08
	s6 = 1.58969099521155010221e-10

	c1 = 4.16666666666666019037e-02
	c2 = -1.38888888888741095749e-03
	c3 = 2.48015872894767294178e-05
	c4 = -2.75573143513906633035e-07
	c5 = 2.08757232129817482790e-09
	c6 = -1.13596475577881948265e-11
)

// ksinz returns sin(x+y) for |x+y| <= π/4 given z = x² and w = z², where y
// is the tail of a reduced argument (|y| < ulp(x)/2). The polynomial is
// grouped in Estrin's scheme to shorten the chain of dependent operations.
// Every product is rounded on its own (float64(...)) so that no build fuses
// it into a multiply-add.
func ksinz(x, y, z, w float64) float64 {
	v := float64(z * x)
	r := (s2 + float64(z*s3)) + float64(w*(s4+float64(z*s5)+float64(w*s6)))
	if y == 0 {
		return x + float64(v*(s1+float64(z*r)))
	}
	return x - (float64(z*(float64(0.5*y)-float64(v*r))) - y - float64(v*s1))
}

// kcosz returns cos(x+y) for |x+y| <= π/4 given z = x², w = z² (products
// rounded, see ksinz).
func kcosz(x, y, z, w float64) float64 {
	r := float64(z*(c1+float64(z*c2)+float64(w*c3))) + float64(float64(w*w)*(c4+float64(z*c5)+float64(w*c6)))
	hz := float64(0.5 * z)
	u := 1 - hz
	return u + (((1 - u) - hz) + (float64(z*r) - float64(x*y)))
}

// reduceMedium is the Cody–Waite reduction with π/2 split in 33-bit pieces:
// fn·pio2x1 is exact for |fn| < 2^20, and the next pieces are only used
// when the first subtraction cancelled so many bits that the first tail
// no longer suffices.
func reduceMedium(x float64) (int, float64, float64) {
	const shift = 0x1.8p52
	fn := float64(x*invPio2) + shift
	fn -= shift
	n := int(fn)
	r := x - float64(fn*pio2x1) // exact
	w := float64(fn * pio2x1t)
	y0 := r - w
	ex := int(math.Float64bits(x)>>52) & 0x7ff
	if ex-int(math.Float64bits(y0)>>52&0x7ff) > 16 {
		// Cancellation: subtract the second piece exactly too.
		t := r
		w = float64(fn * pio2x2)
		r = t - w
		w = float64(fn*pio2x2t) - ((t - r) - w)
		y0 = r - w
		if ex-int(math.Float64bits(y0)>>52&0x7ff) > 49 {
			t = r
			w = float64(fn * pio2x3)
			r = t - w
			w = float64(fn*pio2x3t) - ((t - r) - w)
			y0 = r - w
		}
	}
	y1 := (r - y0) - w
	return n, y0, y1
}

// reducePayneHanek reduces a huge x exactly in integer arithmetic: with
// x = m·2^e (m a 53-bit integer), x·2/π mod 4 is m times a 192-bit window of
// the bits of 2/π, taken mod 2^192 (bits above the window only add multiples
// of 4). The top two bits are the quadrant; the rest is the fraction, which
// is converted to a double-double and multiplied by π/2.
func reducePayneHanek(x float64) (int, float64, float64) {
	b := math.Float64bits(x)
	neg := b>>63 != 0
	e := int(b>>52&0x7ff) - 1075 // x = m·2^e
	m := b&(1<<52-1) | 1<<52
	// Bit k (k >= 1) of 2/π has weight 2^-k; the window starts at the bit
	// whose product with 2^e has weight 2^1, i.e. k = e-1. twoOverPi has one
	// leading zero word, so bit k lives at position k+63 of the array.
	start := e - 1 + 63
	w0, w1, w2 := window(start)
	// m·(w0:w1:w2) mod 2^192.
	h2, l2 := bits.Mul64(m, w2)
	h1, l1 := bits.Mul64(m, w1)
	_, l0 := bits.Mul64(m, w0)
	p2 := l2
	p1, c := bits.Add64(l1, h2, 0)
	p0 := l0 + h1 + c
	// p0:p1:p2 is x·2/π mod 4 in units of 2^-190.
	n := int(p0 >> 62)
	p0 &= 1<<62 - 1
	// Round to the nearest quadrant: a fraction >= 1/2 belongs to n+1.
	fneg := false
	if p0>>61 != 0 {
		n++
		// 1 - f: two's complement of the 190-bit fraction.
		p2 = ^p2
		p1 = ^p1
		p0 = ^p0 & (1<<62 - 1)
		var c uint64
		p2, c = bits.Add64(p2, 1, 0)
		p1, c = bits.Add64(p1, 0, c)
		p0 += c
		fneg = true
	}
	// Normalise the magnitude G of the fraction (G·2^-190 < 1/2) so that
	// its leading one is the top bit of hi. No float64 lies closer than
	// about 2^-61 quadrants to a multiple of π/2, so G >= 2^128 and p0 is
	// never zero; the word shift only guards that bound.
	sh := 0
	if p0 == 0 {
		p0, p1, p2 = p1, p2, 0
		sh = 64
	}
	z := bits.LeadingZeros64(p0)
	hi := p0<<uint(z) | p1>>uint(64-z) // a shift by 64 gives 0 in Go
	lo := p1<<uint(z) | p2>>uint(64-z)
	z += sh
	// hi:lo·2^(-126-z) is the fraction; split it exactly into hi's top 53
	// bits and the (rounded) rest.
	fh := math.Ldexp(float64(hi>>11), -51-z)
	fl := math.Ldexp(float64(float64(hi&(1<<11-1))*0x1p64)+float64(lo), -126-z)
	// (fh+fl)·π/2 as a double-double.
	ph, pe := twoProd(fh, pio2Hi)
	pe += float64(fh*pio2Lo) + float64(fl*pio2Hi)
	y0, y1 := fastTwoSum(ph, pe)
	if fneg {
		y0, y1 = -y0, -y1
	}
	if neg {
		n, y0, y1 = -n, -y0, -y1
	}
	return n, y0, y1
}

// window returns the 192 bits of twoOverPi starting at bit position p.
func window(p int) (uint64, uint64, uint64) {
	i := p >> 6
	s := uint(p & 63)
	get := func(k int) uint64 {
		if k < len(twoOverPi) {
			return twoOverPi[k]
		}
		return 0
	}
	if s == 0 {
		return get(i), get(i + 1), get(i + 2)
	}
	return get(i)<<s | get(i+1)>>(64-s), get(i+1)<<s | get(i+2)>>(64-s), get(i+2)<<s | get(i+3)>>(64-s)
}

// mediumLimit is where reduceMedium stops being exact (|fn| < 2^20).
const mediumLimit = 0x1p20 * pio2x1

// reduceArg returns n and y0+y1 = x - n·π/2 for finite |x| > π/4. The
// hot functions inline its test so that the common case costs one call.
func reduceArg(x, ax float64) (int, float64, float64) {
	if ax < mediumLimit {
		return reduceMedium(x)
	}
	return reducePayneHanek(x)
}

// Sin returns the sine of the radian argument x.
//
// Special cases are:
//
//	Sin(±0) = ±0
//	Sin(±Inf) = NaN
//	Sin(NaN) = NaN
func Sin(x float64) float64 {
	ax := math.Abs(x)
	if ax <= pio4Hi {
		if ax < 0x1p-26 {
			return x
		}
		z := float64(x * x)
		return ksinz(x, 0, z, float64(z*z))
	}
	if ax > math.MaxFloat64 || x != x {
		return math.NaN()
	}
	var n int
	var y0, y1 float64
	if ax < mediumLimit {
		n, y0, y1 = reduceMedium(x)
	} else {
		n, y0, y1 = reducePayneHanek(x)
	}
	z := float64(y0 * y0)
	w := float64(z * z)
	var r float64
	if n&1 == 0 {
		r = ksinz(y0, y1, z, w)
	} else {
		r = kcosz(y0, y1, z, w)
	}
	if n&2 != 0 {
		return -r
	}
	return r
}

// Cos returns the cosine of the radian argument x.
//
// Special cases are:
//
//	Cos(±Inf) = NaN
//	Cos(NaN) = NaN
func Cos(x float64) float64 {
	ax := math.Abs(x)
	if ax <= pio4Hi {
		if ax < 0x1p-27 {
			return 1
		}
		z := float64(x * x)
		return kcosz(x, 0, z, float64(z*z))
	}
	if ax > math.MaxFloat64 || x != x {
		return math.NaN()
	}
	var n int
	var y0, y1 float64
	if ax < mediumLimit {
		n, y0, y1 = reduceMedium(x)
	} else {
		n, y0, y1 = reducePayneHanek(x)
	}
	z := float64(y0 * y0)
	w := float64(z * z)
	var r float64
	if n&1 == 0 {
		r = kcosz(y0, y1, z, w)
	} else {
		r = ksinz(y0, y1, z, w)
	}
	if (n+1)&2 != 0 {
		return -r
	}
	return r
}

// Sincos returns Sin(x), Cos(x), bit for bit, reducing the argument once.
//
// Special cases are:
//
//	Sincos(±0) = ±0, 1
//	Sincos(±Inf) = NaN, NaN
//	Sincos(NaN) = NaN, NaN
func Sincos(x float64) (sin, cos float64) {
	ax := math.Abs(x)
	if ax <= pio4Hi {
		if ax < 0x1p-27 {
			return x, 1
		}
		z := float64(x * x)
		w := float64(z * z)
		return ksinz(x, 0, z, w), kcosz(x, 0, z, w)
	}
	if ax > math.MaxFloat64 || x != x {
		return math.NaN(), math.NaN()
	}
	var n int
	var y0, y1 float64
	if ax < mediumLimit {
		n, y0, y1 = reduceMedium(x)
	} else {
		n, y0, y1 = reducePayneHanek(x)
	}
	z := float64(y0 * y0)
	w := float64(z * z)
	s, c := ksinz(y0, y1, z, w), kcosz(y0, y1, z, w)
	switch n & 3 {
	case 0:
		return s, c
	case 1:
		return c, -s
	case 2:
		return -s, -c
	default:
		return -c, s
	}
}

// fdlibm's odd polynomial for tan on [0, 0.6744] (k_tan.c), coefficients as
// published: tan(x) ≈ x + x³·(T0 + T1·x² + … + T12·x²⁴).
var tanCoef = [13]float64{
	3.33333333333334091986e-01,
	1.33333333333201242699e-01,
	5.39682539762260521377e-02,
	2.18694882948595424599e-02,
	8.86323982359930005737e-03,
	3.59207910759131235356e-03,
	1.45620945432529025516e-03,
	5.88041240820264096874e-04,
	2.46463134818469906812e-04,
	7.81794442939557092300e-05,
	7.14072491382608190305e-05,
	-1.85586374855275456654e-05,
	2.59073051863633712884e-05,
}

// ktan returns tan(x+y) if odd is false and -1/tan(x+y) if it is true, for
// |x+y| <= π/4 (slightly more after a huge reduction). Above 0.6744 it
// uses tan(π/4 - t) = 1 - 2(tan t - tan²t/(1+tan t)); the reciprocal is
// computed from 21-bit heads whose product is exact, then corrected.
// Every product is rounded on its own (float64(...)).
func ktan(x, y float64, odd bool) float64 {
	big := math.Abs(x) >= 0.6744
	neg := x < 0
	if big {
		if neg {
			x, y = -x, -y
		}
		x = (pio4Hi - x) + (pio4Lo - y)
		y = 0
	}
	t := &tanCoef
	z := float64(x * x)
	w := float64(z * z)
	r := t[9] + float64(w*t[11])
	r = t[7] + float64(w*r)
	r = t[5] + float64(w*r)
	r = t[3] + float64(w*r)
	r = t[1] + float64(w*r)
	v := t[10] + float64(w*t[12])
	v = t[8] + float64(w*v)
	v = t[6] + float64(w*v)
	v = t[4] + float64(w*v)
	v = float64(z * (t[2] + float64(w*v)))
	s := float64(z * x)
	r = y + float64(z*(float64(s*(r+v))+y))
	r += float64(t[0] * s)
	w = x + r
	if big {
		v = 1
		if odd {
			v = -1
		}
		res := v - float64(2*(x-(float64(w*w)/(w+v)-r)))
		if neg {
			return -res
		}
		return res
	}
	if !odd {
		return w
	}
	// -1/(x+r) accurately: w = z + v exactly-ish with z's low word cleared.
	zh := low32(w)
	v = r - (zh - x)
	a := -1 / w
	th := low32(a)
	s = 1 + float64(th*zh)
	return th + float64(a*(s+float64(th*v)))
}

// Tan returns the tangent of the radian argument x.
//
// Special cases are:
//
//	Tan(±0) = ±0
//	Tan(±Inf) = NaN
//	Tan(NaN) = NaN
func Tan(x float64) float64 {
	ax := math.Abs(x)
	if ax <= pio4Hi {
		if ax < 0x1p-27 {
			return x
		}
		return ktan(x, 0, false)
	}
	if ax > math.MaxFloat64 || x != x {
		return math.NaN()
	}
	n, y0, y1 := reduceArg(x, ax)
	return ktan(y0, y1, n&1 != 0)
}
