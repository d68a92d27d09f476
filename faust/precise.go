package faust

import (
	"math"
	"math/big"
	"sync"

	"github.com/soundmatch/soundmatch/detmath"
)

// Correctly rounded sin, cos and tan for constant folding. Faust folds
// constants with the C library, whose sin/cos/tan are correctly rounded on
// glibc; Go's math.Cos is not (it returns 1.0000000000000002 instead of
// 1.0000000000000004 for the -2*cos(-π+π/3) in the Butterworth
// coefficients). Folding in 256-bit arithmetic and rounding once gives the
// C library's results, so folded library coefficients are bit-identical.
// What falls outside the big-float paths (special values, huge
// arguments) goes to detmath, not math, whose results depend on the machine.

const precBits = 256

var (
	piOnce sync.Once
	bigPi  *big.Float
)

func newF() *big.Float { return new(big.Float).SetPrec(precBits) }

// bigAtanInv returns atan(1/n) by its Taylor series.
func bigAtanInv(n int64) *big.Float {
	x := newF().Quo(newF().SetInt64(1), newF().SetInt64(n))
	x2 := newF().Mul(x, x)
	sum := newF().Set(x)
	term := newF().Set(x)
	eps := newF().SetMantExp(newF().SetInt64(1), -precBits-8)
	for k := int64(1); ; k++ {
		term.Mul(term, x2)
		t := newF().Quo(term, newF().SetInt64(2*k+1))
		if k%2 == 1 {
			sum.Sub(sum, t)
		} else {
			sum.Add(sum, t)
		}
		if t.Abs(t).Cmp(eps) < 0 {
			return sum
		}
	}
}

func pi() *big.Float {
	piOnce.Do(func() {
		// Machin: π = 16 atan(1/5) − 4 atan(1/239).
		a := newF().Mul(newF().SetInt64(16), bigAtanInv(5))
		b := newF().Mul(newF().SetInt64(4), bigAtanInv(239))
		bigPi = newF().Sub(a, b)
	})
	return bigPi
}

// sinCos returns sin(x) and cos(x) to 256 bits (x finite, |x| < 2^40).
func sinCos(x float64) (s, c *big.Float) {
	twoPi := newF().Mul(pi(), newF().SetInt64(2))
	r := newF().SetFloat64(x)
	k := newF().Quo(r, twoPi)
	kf, _ := k.Float64()
	kr := newF().SetFloat64(math.Round(kf))
	r.Sub(r, newF().Mul(kr, twoPi))
	// Taylor series of sin and cos at r, |r| ≤ π (+ rounding).
	s, c = newF().Set(r), newF().SetInt64(1)
	r2 := newF().Mul(r, r)
	ts, tc := newF().Set(r), newF().SetInt64(1)
	eps := newF().SetMantExp(newF().SetInt64(1), -precBits-8)
	for n := int64(1); n < 400; n++ {
		tc.Mul(tc, r2)
		tc.Quo(tc, newF().SetInt64((2*n-1)*(2*n)))
		tc.Neg(tc)
		c.Add(c, tc)
		ts.Mul(ts, r2)
		ts.Quo(ts, newF().SetInt64((2*n)*(2*n+1)))
		ts.Neg(ts)
		s.Add(s, ts)
		if newF().Abs(tc).Cmp(eps) < 0 && newF().Abs(ts).Cmp(eps) < 0 {
			break
		}
	}
	return s, c
}

func preciseOK(x float64) bool { return !math.IsNaN(x) && math.Abs(x) < 1<<40 }

func preciseSin(x float64) float64 {
	if !preciseOK(x) || x == 0 {
		return detmath.Sin(x)
	}
	s, _ := sinCos(x)
	v, _ := s.Float64()
	return v
}

func preciseCos(x float64) float64 {
	if !preciseOK(x) {
		return detmath.Cos(x)
	}
	_, c := sinCos(x)
	v, _ := c.Float64()
	return v
}

func preciseTan(x float64) float64 {
	if !preciseOK(x) || x == 0 {
		return detmath.Tan(x)
	}
	s, c := sinCos(x)
	if c.Sign() == 0 {
		return detmath.Tan(x)
	}
	v, _ := newF().Quo(s, c).Float64()
	return v
}

// Correctly rounded exp, log, log10 and pow for constant folding, for the
// same reason: glibc's are correctly rounded, Go's are not always (Go's
// math.Pow(10, -12.5/20) is one ulp above the C library's).

var (
	lnOnce  sync.Once
	bigLn2  *big.Float
	bigLn10 *big.Float
)

// bigAtanh returns atanh(z) = z + z³/3 + z⁵/5 + ... for |z| ≤ 1/3.
func bigAtanh(z *big.Float) *big.Float {
	z2 := newF().Mul(z, z)
	sum := newF().Set(z)
	term := newF().Set(z)
	eps := newF().SetMantExp(newF().SetInt64(1), -precBits-8)
	for k := int64(1); k < 1000; k++ {
		term.Mul(term, z2)
		t := newF().Quo(term, newF().SetInt64(2*k+1))
		sum.Add(sum, t)
		if t.Abs(t).Cmp(eps) < 0 {
			break
		}
	}
	return sum
}

func lnConsts() {
	lnOnce.Do(func() {
		// ln 2 = 2 atanh(1/3).
		third := newF().Quo(newF().SetInt64(1), newF().SetInt64(3))
		bigLn2 = newF().Mul(newF().SetInt64(2), bigAtanh(third))
		bigLn10 = bigLog(newF().SetInt64(10))
	})
}

// bigLog returns ln(x) for x > 0: x = m·2^e with m in [0.5, 1), and
// ln m = 2 atanh((m−1)/(m+1)).
func bigLog(x *big.Float) *big.Float {
	m := newF()
	e := x.MantExp(m)
	z := newF().Quo(newF().Sub(m, newF().SetInt64(1)), newF().Add(m, newF().SetInt64(1)))
	r := newF().Mul(newF().SetInt64(2), bigAtanh(z))
	if e != 0 {
		r.Add(r, newF().Mul(newF().SetInt64(int64(e)), bigLn2))
	}
	return r
}

// bigExp returns e^x for |x| < 800: x = k·ln2 + r with |r| ≤ ln2/2, and a
// Taylor series for e^r.
func bigExp(x *big.Float) *big.Float {
	q, _ := newF().Quo(x, bigLn2).Float64()
	k := math.Round(q)
	r := newF().Sub(x, newF().Mul(newF().SetFloat64(k), bigLn2))
	sum, term := newF().SetInt64(1), newF().SetInt64(1)
	eps := newF().SetMantExp(newF().SetInt64(1), -precBits-8)
	for n := int64(1); n < 1000; n++ {
		term.Mul(term, r)
		term.Quo(term, newF().SetInt64(n))
		sum.Add(sum, term)
		if newF().Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	return sum.SetMantExp(sum, int(k))
}

func preciseExp(x float64) float64 {
	if math.IsNaN(x) || math.Abs(x) > 700 || x == 0 {
		return detmath.Exp(x)
	}
	lnConsts()
	v, _ := bigExp(newF().SetFloat64(x)).Float64()
	return v
}

func preciseLog(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) || x == 1 {
		return detmath.Log(x)
	}
	lnConsts()
	v, _ := bigLog(newF().SetFloat64(x)).Float64()
	return v
}

func preciseLog10(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) || x == 1 {
		return detmath.Log10(x)
	}
	lnConsts()
	v, _ := newF().Quo(bigLog(newF().SetFloat64(x)), bigLn10).Float64()
	return v
}

// precisePow handles x > 0 and finite results of moderate size, and x < 0
// with an integer exponent; everything else (zeros, infinities, NaN, huge
// results) goes to detmath.Pow, whose special cases are C's.
func precisePow(x, y float64) float64 {
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) || x == 0 || y == 0 || x == 1 {
		return detmath.Pow(x, y)
	}
	neg := false
	if x < 0 {
		if y != math.Trunc(y) {
			return detmath.Pow(x, y)
		}
		neg = math.Mod(y, 2) != 0
		x = -x
	}
	lnConsts()
	l := newF().Mul(newF().SetFloat64(y), bigLog(newF().SetFloat64(x)))
	if lf, _ := l.Float64(); math.Abs(lf) > 700 {
		r := detmath.Pow(x, y)
		if neg {
			r = -r
		}
		return r
	}
	v, _ := bigExp(l).Float64()
	if neg {
		v = -v
	}
	return v
}
