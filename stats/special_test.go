package stats

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

// TestSpecialAgainstGonum compares lgamma, gammaQ and betaI with math's
// Lgamma and gonum's mathext (Cephes ports) over a grid wider than the
// tests' χ² and Spearman arguments: half-integer and other shapes, bodies
// and tails.
func TestSpecialAgainstGonum(t *testing.T) {
	rel := func(got, want float64) float64 {
		if got == want {
			return 0
		}
		return math.Abs(got-want) / math.Abs(want)
	}
	shapes := []float64{0.5, 1, 1.5, 2, 3.5, 7, 9.99, 10, 12.5, 40, 149.5, 1000}
	for _, a := range shapes {
		want, _ := math.Lgamma(a)
		if e := rel(lgamma(a), want); e > 1e-13 && math.Abs(lgamma(a)-want) > 1e-14 {
			t.Errorf("lgamma(%g) = %.17g, want %.17g", a, lgamma(a), want)
		}
		for _, x := range []float64{1e-6, 0.01, 0.3, 1, 2.5, a / 2, a, a + 1, 2 * a, 5 * a, a + 50, a + 300} {
			got, want := gammaQ(a, x), mathext.GammaIncRegComp(a, x)
			if want > 1e-290 && rel(got, want) > 1e-10 {
				t.Errorf("gammaQ(%g, %g) = %.17g, gonum %.17g", a, x, got, want)
			}
		}
		for _, b := range []float64{0.5, 1, 3, a} {
			for _, x := range []float64{1e-9, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-9} {
				got, want := betaI(a, b, x, 1-x), mathext.RegIncBeta(a, b, x)
				if want > 1e-290 && rel(got, want) > 1e-10 {
					t.Errorf("betaI(%g, %g, %g) = %.17g, gonum %.17g", a, b, x, got, want)
				}
			}
		}
	}
}
