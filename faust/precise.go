package faust

import (
	"math"
	"math/big"
	"sync"
)

// Correctly rounded sin, cos and tan for constant folding. Faust folds
// constants with the C library, whose sin/cos/tan are correctly rounded on
// glibc; Go's math.Cos is not (it returns 1.0000000000000002 instead of
// 1.0000000000000004 for the -2*cos(-π+π/3) in the Butterworth
// coefficients). Folding in 256-bit arithmetic and rounding once gives the
// C library's results, so folded library coefficients are bit-identical.

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
		return math.Sin(x)
	}
	s, _ := sinCos(x)
	v, _ := s.Float64()
	return v
}

func preciseCos(x float64) float64 {
	if !preciseOK(x) {
		return math.Cos(x)
	}
	_, c := sinCos(x)
	v, _ := c.Float64()
	return v
}

func preciseTan(x float64) float64 {
	if !preciseOK(x) || x == 0 {
		return math.Tan(x)
	}
	s, c := sinCos(x)
	if c.Sign() == 0 {
		return math.Tan(x)
	}
	v, _ := newF().Quo(s, c).Float64()
	return v
}
