package optim

import (
	"math"
	"testing"
)

// One RMSProp step from ν = 0 moves each parameter by lr·g/√(0.1g²+eps) ≈
// lr/√0.1 = 0.1423 against the sign of its gradient, whatever the
// gradient's scale (the clip rescales all components alike).
func TestRMSPropFirstStep(t *testing.T) {
	for _, grad := range [][]float64{
		{0.3, -0.2, 0.5}, // norm < 1: no clip
		{30, -20, 0.5},   // norm > 1: clipped
		{-0.05, 0.02, 1}, // small components, still ≫ √(eps/0.1) = 3.2e-4
	} {
		o, err := New("rmsprop", 3, 0)
		if err != nil {
			t.Fatal(err)
		}
		u := []float64{0.1, -0.5, 0.9}
		u0 := append([]float64(nil), u...)
		o.Step(u, grad)
		for i := range u {
			move := (u0[i] - u[i]) * math.Copysign(1, grad[i])
			if math.Abs(move-0.045/math.Sqrt(0.1)) > 2e-3 || math.Abs(move-0.1423) > 2e-3 {
				t.Errorf("grad %v: parameter %d moved %.6f, want ≈ 0.1423", grad, i, move)
			}
		}
	}
	// Exactly, for a unit-norm gradient component 0.6: ν = 0.036.
	o := NewRMSProp(2, 0.045)
	u := []float64{0, 0}
	o.Step(u, []float64{0.6, 0.8})
	if want := -0.045 * 0.6 / math.Sqrt(0.1*0.36+1e-8); math.Abs(u[0]-want) > 1e-16 {
		t.Errorf("u[0] = %v, want %v", u[0], want)
	}
}

// quadGrad is the gradient of L(u) = Σ a_i (u_i − c_i)² + b·u_0·u_1, a
// small coupled bowl whose gradient exceeds norm 1 far from the minimum, so
// the clip is exercised early and not late.
func quadGrad(g, u []float64) {
	a := []float64{3, 0.5, 8}
	c := []float64{0.4, -0.7, 0.05}
	const b = 0.6
	for i := range u {
		g[i] = 2 * a[i] * (u[i] - c[i])
	}
	g[0] += b * u[1]
	g[1] += b * u[0]
}

// TestRMSPropTrajectory runs 200 steps and compares every iterate with a
// scalar re-derivation of METHOD §3 written without the package's code.
func TestRMSPropTrajectory(t *testing.T) {
	u := []float64{-1, 1, 0.9}
	g := make([]float64, 3)
	o := NewRMSProp(3, 0.045)

	// Independent hand computation, one parameter at a time.
	eu := []float64{-1, 1, 0.9}
	enu := []float64{0, 0, 0}
	clipped := 0
	for it := 0; it < 200; it++ {
		quadGrad(g, u)
		o.Step(u, g)

		var eg [3]float64
		quadGrad(eg[:], eu)
		norm := math.Sqrt(eg[0]*eg[0] + eg[1]*eg[1] + eg[2]*eg[2])
		if norm > 1 {
			clipped++
			for i := range eg {
				eg[i] /= norm
			}
		}
		for i := range eu {
			enu[i] = 0.9*enu[i] + 0.1*eg[i]*eg[i]
			eu[i] = eu[i] - 0.045*eg[i]/math.Sqrt(enu[i]+1e-8)
		}
		for i := range u {
			if math.Abs(u[i]-eu[i]) > 1e-12 {
				t.Fatalf("iteration %d parameter %d: %v, want %v", it, i, u[i], eu[i])
			}
		}
	}
	if clipped == 0 || clipped == 200 {
		t.Errorf("clip active on %d of 200 steps; the test wants both regimes", clipped)
	}
	// RMSProp's steps shrink near the optimum only as fast as g/√ν allows;
	// with lr 0.045 it ends within a few step sizes of the bowl's minimum.
	var gn [3]float64
	quadGrad(gn[:], u)
	if n := GlobalNorm(gn[:]); n > 0.5 {
		t.Errorf("final gradient norm %v: RMSProp did not approach the minimum", n)
	}
}

func TestAdamMatchesHandComputation(t *testing.T) {
	u := []float64{-1, 1, 0.9}
	eu := append([]float64(nil), u...)
	var m, v [3]float64
	g := make([]float64, 3)
	o := NewAdam(3, 0.02)
	for it := 1; it <= 50; it++ {
		quadGrad(g, u)
		o.Step(u, g)
		var eg [3]float64
		quadGrad(eg[:], eu)
		s := 1 / math.Max(1, math.Hypot(math.Hypot(eg[0], eg[1]), eg[2]))
		for i := range eu {
			gi := eg[i] * s
			m[i] = 0.9*m[i] + 0.1*gi
			v[i] = 0.999*v[i] + 0.001*gi*gi
			mh := m[i] / (1 - math.Pow(0.9, float64(it)))
			vh := v[i] / (1 - math.Pow(0.999, float64(it)))
			eu[i] -= 0.02 * mh / (math.Sqrt(vh) + 1e-8)
		}
		for i := range u {
			if math.Abs(u[i]-eu[i]) > 1e-12 {
				t.Fatalf("iteration %d parameter %d: %v, want %v", it, i, u[i], eu[i])
			}
		}
	}
}

func TestSGDAndReset(t *testing.T) {
	o, _ := New("sgd", 2, 0.5)
	u := []float64{0, 0}
	o.Step(u, []float64{3, 4}) // clipped to (0.6, 0.8)
	if math.Abs(u[0]+0.3) > 1e-15 || math.Abs(u[1]+0.4) > 1e-15 {
		t.Errorf("SGD step: %v, want [-0.3 -0.4]", u)
	}
	r := NewRMSProp(1, 0.045)
	a, b := []float64{0}, []float64{0}
	r.Step(a, []float64{0.5})
	r.Reset()
	r.Step(b, []float64{0.5})
	if a[0] != b[0] {
		t.Errorf("after Reset the first step differs: %v vs %v", b[0], a[0])
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New("lbfgs", 2, 0); err == nil {
		t.Error("unknown optimizer accepted")
	}
	if _, err := New("adam", 2, -1); err == nil {
		t.Error("negative learning rate accepted")
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	u := []float64{0.1, 0.2, 0.3}
	g := []float64{0.5, -3, 1}
	for _, name := range Names() {
		o, _ := New(name, 3, 0)
		if a := testing.AllocsPerRun(100, func() { o.Step(u, g) }); a != 0 {
			t.Errorf("%s: %v allocations per Step", name, a)
		}
	}
}
