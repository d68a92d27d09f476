package match

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/synth"
)

// TestChainRuleAgainstFiniteDifferences checks dL/du, as the loop computes
// it from the synth's Jacobian and the loss's gradient, against central
// differences of u ↦ L(render(FromU(u))) for every built-in program.
func TestChainRuleAgainstFiniteDifferences(t *testing.T) {
	const n = 8192
	for _, name := range synth.Builtins() {
		prog, err := synth.Load(name, 44100)
		if err != nil {
			t.Fatal(err)
		}
		params := prog.Params()
		tv, sv := DrawTrial(params, 11)
		// Off the step grid: an integer frequency wraps its phase exactly
		// on some sample, where any step in it makes a sawtooth jump.
		for k, p := range params {
			sv[k] = math.Min(p.Max, sv[k]+0.37*p.Step)
		}
		target := make([]float64, n)
		prog.Render(tv, target, nil)
		lossFn, err := loss.New("l1-spec", target, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newRunnerWithLoss(prog, name, lossFn, target, tv, sv, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for k, p := range params {
			r.u[k] = ToU(p, sv[k])
		}
		u := append([]float64(nil), r.u...)
		r.step(0)
		out := make([]float64, n)
		v := make([]float64, len(params))
		outUp := make([]float64, n)
		lossAt := func(u []float64, out []float64) float64 {
			for k, p := range params {
				v[k] = FromU(p, u[k])
			}
			prog.Render(v, out, nil)
			return lossFn.Eval(out, nil)
		}
		for k := range params {
			// A sawtooth jumps by 1 where its phase wraps; a difference
			// step that moves a sample across a wrap measures the jump,
			// which forward-mode differentiation (like JAX's) leaves out.
			// So h shrinks until no sample jumps.
			var fd float64
			ok := false
			for h := 1e-6; h >= 1e-10; h /= 10 {
				up := append([]float64(nil), u...)
				dn := append([]float64(nil), u...)
				up[k] += h
				dn[k] -= h
				lu := lossAt(up, outUp)
				ld := lossAt(dn, out)
				if floats.Distance(outUp, out, math.Inf(1)) < 0.01 {
					fd, ok = (lu-ld)/(2*h), true
					break
				}
			}
			if !ok {
				t.Errorf("%s: no difference step avoids a jump for %s", name, params[k].Name)
				continue
			}
			got := r.gradU[k]
			if math.Abs(got-fd) > 1e-4*math.Max(math.Abs(fd), 1e-2) {
				t.Errorf("%s: dL/du[%s] = %v, finite difference %v", name, params[k].Name, got, fd)
			}
		}
	}
}
