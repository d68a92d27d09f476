package synth

import (
	"math"
	"testing"

	"github.com/soundmatch/soundmatch/synth/reference"
)

type renderFunc func(values, out []float64, jac [][]float64)

// checkJacobianFD compares jac with a fourth-order central finite
// difference, (−f(v+2h) + 8f(v+h) − 8f(v−h) + f(v−2h))/12h, with
// h = rel·(max−min) of each slider (rel is chosen per program: the
// truncation error grows with h, the rounding error with 1/h). Samples where the rendering jumps
// between stencil points (a saw wrapping on a different sample, where the
// signal is not differentiable in the parameter) are skipped and counted;
// they must be rare. Elsewhere the error must be ≤ 1e-6 relative to the
// largest |∂out/∂v| of the rendering.
func checkJacobianFD(t *testing.T, label string, render renderFunc, params []Param, values []float64, rel float64, n int) {
	t.Helper()
	K := len(values)
	out := make([]float64, n)
	jac := make([][]float64, K)
	for k := range jac {
		jac[k] = make([]float64, n)
	}
	render(values, out, jac)
	base := make([]float64, n)
	render(values, base, nil)
	for i := range out {
		if out[i] != base[i] {
			t.Fatalf("%s: value with jacobian differs from value alone at %d: %g vs %g", label, i, out[i], base[i])
		}
	}
	st := make([][]float64, 4)
	for i := range st {
		st[i] = make([]float64, n)
	}
	v := make([]float64, K)
	for k := range K {
		h := rel * (params[k].Max - params[k].Min)
		scale := 0.0
		for _, d := range jac[k] {
			scale = math.Max(scale, math.Abs(d))
		}
		for i, off := range []float64{-2, -1, 1, 2} {
			copy(v, values)
			v[k] += off * h
			render(v, st[i], nil)
		}
		skipped, worst, worstAt := 0, 0.0, -1
		for i := range n {
			jump := math.Max(math.Max(math.Abs(st[1][i]-st[0][i]), math.Abs(base[i]-st[1][i])),
				math.Max(math.Abs(st[2][i]-base[i]), math.Abs(st[3][i]-st[2][i])))
			if jump > 1e-6*math.Abs(base[i])+100*h*(math.Abs(jac[k][i])+1e-3*scale)+1e-12 {
				skipped++
				continue
			}
			fd := (-st[3][i] + 8*st[2][i] - 8*st[1][i] + st[0][i]) / (12 * h)
			if e := math.Abs(fd - jac[k][i]); e > worst {
				worst, worstAt = e, i
			}
		}
		if skipped > n/100 {
			t.Errorf("%s: ∂/∂%s: %d of %d samples not smooth", label, params[k].Name, skipped, n)
		}
		if scale == 0 {
			continue
		}
		if worst > 1e-6*scale {
			t.Errorf("%s: ∂/∂%s: max |jac−fd| = %.3g at sample %d (jac %.9g), scale %.3g: relative %.3g > 1e-6",
				label, params[k].Name, worst, worstAt, jac[k][worstAt], scale, worst/scale)
		} else {
			t.Logf("%s: ∂/∂%s: relative error %.2g, %d wrap samples skipped", label, params[k].Name, worst/scale, skipped)
		}
	}
}

// fdSettings are the slider settings the Jacobians are checked at: the
// defaults, and others covering each range.
var fdSettings = map[string][][]float64{
	"bp-noise":    {{900, 100}, {500, 60}, {60, 110}, {1000, 5}},
	"add-sinesaw": {{800, 300}, {20, 1000}, {441.5, 55.25}},
	"noise-am":    {{0.5, 0.5}, {1.23, 3.7}, {5, 0.01}},
	"sinesaw-am":  {{100, 6}, {1000, 20}, {37.3, 1.5}},
}

// fdStep is the finite-difference step relative to each slider's range:
// the filters are smooth in their cutoffs (large steps keep rounding noise
// small), the oscillators' phase derivatives grow with time (small steps
// keep the truncation error small).
var fdStep = map[string]float64{"bp-noise": 1e-4, "add-sinesaw": 1e-6, "noise-am": 1e-6, "sinesaw-am": 1e-6}

var builtinParams = map[string][]Param{
	"bp-noise":    {{"lp_cut", 900, 50, 1000, 1}, {"hp_cut", 100, 1, 120, 1}},
	"add-sinesaw": {{"saw_freq", 800, 20, 1000, 1}, {"sine_freq", 300, 20, 1000, 1}},
	"noise-am":    {{"amp", 0.5, 0, 5, 0.01}, {"modulator", 0.5, 0, 4, 0.01}},
	"sinesaw-am":  {{"carrier", 100, 20, 1000, 1}, {"amp", 6, 1, 20, 1}},
}

func TestReferenceJacobianFD(t *testing.T) {
	n := 44100
	if testing.Short() {
		n = 8192
	}
	for name, sets := range fdSettings {
		for _, vals := range sets {
			render := func(values, out []float64, jac [][]float64) {
				reference.Render(name, 44100, values, out, jac)
			}
			checkJacobianFD(t, name, render, builtinParams[name], vals, fdStep[name], n)
		}
	}
}
