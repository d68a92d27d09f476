package detmath

import (
	"math"
	"testing"
)

// TestExactResults checks results that are exactly representable and so
// must come out exactly: integer powers, powers of two and of ten.
func TestExactResults(t *testing.T) {
	for a := int64(-30); a <= 30; a++ {
		p := int64(1) // a^b while |a^b| <= 2^53
		for b := 0; b <= 60 && p <= 1<<53 && p >= -(1<<53); b++ {
			if got := Pow(float64(a), float64(b)); got != float64(p) {
				t.Errorf("Pow(%d, %d) = %v, want %d", a, b, got, p)
			}
			p *= a
		}
	}
	for k := -1074; k <= 1023; k++ {
		x := math.Ldexp(1, k)
		if got := Exp2(float64(k)); got != x {
			t.Errorf("Exp2(%d) = %v, want %v", k, got, x)
		}
		if got := Log2(x); got != float64(k) {
			t.Errorf("Log2(2^%d) = %v", k, got)
		}
		if got := Pow(2, float64(k)); got != x {
			t.Errorf("Pow(2, %d) = %v, want %v", k, got, x)
		}
		if k >= -300 && k <= 300 {
			if got := Pow(x, 0.5); k%2 == 0 && got != math.Ldexp(1, k/2) {
				t.Errorf("Pow(2^%d, 0.5) = %v", k, got)
			}
		}
	}
	ten := 1.0
	for k := 0; k <= 22; k++ { // 10^k is exact in float64 up to 1e22
		if got := Log10(ten); got != float64(k) {
			t.Errorf("Log10(1e%d) = %v", k, got)
		}
		if got := Pow(10, float64(k)); got != ten {
			t.Errorf("Pow(10, %d) = %v, want %v", k, got, ten)
		}
		ten *= 10
	}
	for _, c := range []struct{ f, want float64 }{
		{Exp(0), 1}, {Log(1), 0}, {Cos(0), 1}, {Sin(0), 0}, {Tan(0), 0}, {Atan(1), math.Pi / 4},
		{Asin(1), math.Pi / 2}, {Acos(-1), math.Pi}, {Acos(0), math.Pi / 2}, {Hypot(3, 4), 5},
		{Hypot(5, 12), 13}, {Cosh(0), 1}, {Tanh(0), 0}, {Expm1(0), 0}, {Log1p(0), 0},
		{Atan2(1, 1), math.Pi / 4}, {Atan2(1, -1), 3 * math.Pi / 4},
	} {
		if c.f != c.want {
			t.Errorf("got %v, want %v", c.f, c.want)
		}
	}
}
