package detmath

import (
	"fmt"
	"math"
	"testing"
)

// class sorts a result into NaN, ±Inf, ±0 and finite nonzero of either
// sign: special-value semantics means detmath and math agree on it.
func class(x float64) string {
	switch {
	case x != x:
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	case x == 0 && math.Signbit(x):
		return "-0"
	case x == 0:
		return "+0"
	case x < 0:
		return "-finite"
	}
	return "+finite"
}

// specials are arguments at and around the special cases of the functions.
var specials = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	1, -1, 0.5, -0.5, 2, -2, 3, -3, 0.75, -1.5, 2.5, -7,
	math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
	0x1p-1022, -0x1p-1022, math.MaxFloat64, -math.MaxFloat64,
	math.Pi, -math.Pi, math.Pi / 2, 700, -700, 709.7, -745, 1e300, -1e300, 1e-300, -1e-300,
	0x1p53, -0x1p53, 0x1p53 + 2, 1 - 0x1p-53, 1 + 0x1p-52, 1e22,
}

// TestSpecialValues checks every function on all special arguments (and
// all pairs for the two-argument functions) against math: the class of the
// result (NaN, ±Inf, ±0, sign) must match, and when it is exact (±0, ±Inf,
// ±1, ±π/2, …) math returns, so must detmath, bit for bit.
func TestSpecialValues(t *testing.T) {
	unary := []struct {
		name string
		f, g func(float64) float64
	}{
		{"Sin", Sin, math.Sin}, {"Cos", Cos, math.Cos}, {"Tan", Tan, math.Tan},
		{"SincosSin", func(x float64) float64 { s, _ := Sincos(x); return s }, func(x float64) float64 { s, _ := math.Sincos(x); return s }},
		{"SincosCos", func(x float64) float64 { _, c := Sincos(x); return c }, func(x float64) float64 { _, c := math.Sincos(x); return c }},
		{"Exp", Exp, math.Exp}, {"Exp2", Exp2, math.Exp2}, {"Expm1", Expm1, math.Expm1},
		{"Log", Log, math.Log}, {"Log2", Log2, math.Log2}, {"Log10", Log10, math.Log10}, {"Log1p", Log1p, math.Log1p},
		{"Atan", Atan, math.Atan}, {"Asin", Asin, math.Asin}, {"Acos", Acos, math.Acos},
		{"Sinh", Sinh, math.Sinh}, {"Cosh", Cosh, math.Cosh}, {"Tanh", Tanh, math.Tanh},
	}
	for _, c := range unary {
		for _, x := range specials {
			checkSpecial(t, c.name, []float64{x}, c.f(x), c.g(x))
		}
	}
	binary := []struct {
		name string
		f, g func(float64, float64) float64
	}{
		{"Pow", Pow, math.Pow}, {"Atan2", Atan2, math.Atan2}, {"Hypot", Hypot, math.Hypot},
	}
	for _, c := range binary {
		for _, x := range specials {
			for _, y := range specials {
				checkSpecial(t, c.name, []float64{x, y}, c.f(x, y), c.g(x, y))
			}
		}
	}
}

// mathWrong holds the special arguments where math is wrong (checked with
// mpmath, whose correctly rounded value is given): math.Exp in the amd64
// assembly overflows already at 709.7 (and Sinh, Cosh with it), the
// portable math.Exp (arm64) underflows to 0 at -745 (e^-745 is 0.57 of
// the smallest subnormal, so it rounds up to it), and
// math.Atan2 returns +π for a tiny negative y and negative x, taking the
// sign from y/x after it underflowed to +0 (the result is -π + |y/x|).
var mathWrong = map[string]float64{
	"Exp[709.7]":  0x1.d75ae7a50ee14p+1023,
	"Sinh[709.7]": 0x1.d75ae7a50ee14p+1022,
	"Cosh[709.7]": 0x1.d75ae7a50ee14p+1022,
	"Exp[-745]":   0x1p-1074,
}

func init() {
	for _, y := range []float64{-0x1p-1074, -0x1p-1022, -1e-300} {
		for _, x := range []float64{-2, -3, -7, -math.MaxFloat64, -math.Pi, -700, -745, -1e300, -0x1p53} {
			if y/x == 0 {
				mathWrong[fmt.Sprint("Atan2", []float64{y, x})] = -math.Pi
			}
		}
	}
}

func checkSpecial(t *testing.T, name string, in []float64, got, want float64) {
	t.Helper()
	if v, ok := mathWrong[fmt.Sprint(name, in)]; ok {
		if got != v {
			t.Errorf("%s%v = %v, want %v (mpmath; math gives %v)", name, in, got, v, want)
		}
		return
	}
	if class(got) != class(want) {
		t.Errorf("%s%v = %v, math gives %v", name, in, got, want)
		return
	}
	// Results fixed by a special case: ±0 and ±Inf, and whatever math
	// returns for a ±0 or ±Inf argument (±π/2, ±π, 1, -1, …).
	exact := want == 0 || math.IsInf(want, 0)
	for _, x := range in {
		exact = exact || x == 0 || math.IsInf(x, 0)
	}
	if exact && math.Float64bits(got) != math.Float64bits(want) {
		t.Errorf("%s%v = %v, math gives exactly %v", name, in, got, want)
	}
}

// FuzzPow checks Pow's special-value semantics against math.Pow on
// arbitrary arguments, and that finite results agree to 1e-9 relative
// (math.Pow is off by tens of ulps for large exponents, so this is only a
// sanity bound; TestReference measures the accuracy). Subnormal x is left
// out: math.Log on amd64 returns -709.09 for Log(5e-324) (exact: -744.44),
// and math.Pow inherits it.
func FuzzPow(f *testing.F) {
	for _, x := range specials {
		for _, y := range []float64{0, 1, -1, 0.5, 2, 3, -3, 1e300, math.Inf(1), math.NaN(), 0.3} {
			f.Add(x, y)
		}
	}
	f.Fuzz(func(t *testing.T, x, y float64) {
		got, want := Pow(x, y), math.Pow(x, y)
		if math.Abs(x) < 0x1p-1022 && x != 0 {
			return // math.Log, hence math.Pow, is wrong for subnormals on amd64
		}
		if class(got) != class(want) {
			// Only tolerated right at the overflow and underflow thresholds,
			// where math.Pow's own error can cross them.
			if a := math.Abs(got) + math.Abs(want); !(a > 1e307 || a < 1e-300) {
				t.Fatalf("Pow(%v, %v) = %v, math gives %v", x, y, got, want)
			}
			return
		}
		if got != want && !math.IsInf(want, 0) && math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Fatalf("Pow(%v, %v) = %v, math gives %v", x, y, got, want)
		}
	})
}
