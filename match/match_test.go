package match

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/soundmatch/soundmatch/synth"
)

// linearProgram renders out[n] = Σ_k v_k·basis[k][n]: its Jacobian is the
// basis itself, so the whole trial can be recomputed by hand.
type linearProgram struct {
	params []synth.Param
	basis  [][]float64
}

func (p *linearProgram) Params() []synth.Param { return p.params }

func (p *linearProgram) Render(values, out []float64, jac [][]float64) {
	for n := range out {
		var s float64
		for k, b := range p.basis {
			s += values[k] * b[n]
		}
		out[n] = s
	}
	if jac != nil {
		for k, b := range p.basis {
			copy(jac[k], b[:len(out)])
		}
	}
}

// mseLoss is mean((x−t)²) with gradient 2(x−t)/N.
type mseLoss struct{ t []float64 }

func (l mseLoss) Eval(x, grad []float64) float64 {
	var s float64
	n := float64(len(x))
	for i := range x {
		d := x[i] - l.t[i]
		s += d * d
		if grad != nil {
			grad[i] = 2 * d / n
		}
	}
	return s / n
}

func newLinear(n int) *linearProgram {
	b0, b1 := make([]float64, n), make([]float64, n)
	for i := range b0 {
		b0[i] = math.Sin(2 * math.Pi * 3 * float64(i) / float64(n))
		b1[i] = 0.5 + 0.3*math.Cos(2*math.Pi*5*float64(i)/float64(n)) + 0.2*b0[i]
	}
	return &linearProgram{
		params: []synth.Param{{Name: "a", Init: 1, Min: 0, Max: 5, Step: 0.01}, {Name: "b", Init: 0, Min: -2, Max: 3, Step: 1}},
		basis:  [][]float64{b0, b1},
	}
}

// handTrajectory re-derives the trial from METHOD §2–3 in closed form:
// L(v) = vᵀGv − 2bᵀv + c with G_jk = mean(s_j s_k), b_k = mean(t s_k), so
// dL/dv = 2(Gv − b); dv/du = (max−min)/2 inside [-1, 1] (ends included),
// 0 outside; RMSProp with global-norm clip 1.
func handTrajectory(p *linearProgram, t []float64, start []float64, iters int, lr float64) (losses, u []float64) {
	P, N := len(p.params), float64(len(t))
	G := make([][]float64, P)
	b := make([]float64, P)
	var c float64
	for _, v := range t {
		c += v * v / N
	}
	for j := range G {
		G[j] = make([]float64, P)
		for k := range G[j] {
			for n := range t {
				G[j][k] += p.basis[j][n] * p.basis[k][n] / N
			}
		}
		for n := range t {
			b[j] += t[n] * p.basis[j][n] / N
		}
	}
	u = make([]float64, P)
	nu := make([]float64, P)
	for k, pr := range p.params {
		u[k] = 2*(start[k]-pr.Min)/(pr.Max-pr.Min) - 1
	}
	for it := 0; it < iters; it++ {
		v := make([]float64, P)
		for k, pr := range p.params {
			cu := math.Max(-1, math.Min(1, u[k]))
			v[k] = pr.Min + (cu+1)*(pr.Max-pr.Min)/2
		}
		l := c
		g := make([]float64, P)
		var norm2 float64
		for j := range v {
			for k := range v {
				l += v[j] * G[j][k] * v[k]
			}
			l -= 2 * b[j] * v[j]
			var gv float64
			for k := range v {
				gv += 2 * G[j][k] * v[k]
			}
			gv -= 2 * b[j]
			if u[j] >= -1 && u[j] <= 1 {
				g[j] = gv * (p.params[j].Max - p.params[j].Min) / 2
			}
			norm2 += g[j] * g[j]
		}
		losses = append(losses, l)
		if norm := math.Sqrt(norm2); norm > 1 {
			for j := range g {
				g[j] /= norm
			}
		}
		for j := range u {
			nu[j] = 0.9*nu[j] + 0.1*g[j]*g[j]
			u[j] -= lr * g[j] / math.Sqrt(nu[j]+1e-8)
		}
	}
	return losses, u
}

func runFake(t *testing.T, prog *linearProgram, targetValues, start []float64, cfg Config) (*Result, []float64) {
	t.Helper()
	n := len(prog.basis[0])
	target := make([]float64, n)
	prog.Render(targetValues, target, nil)
	r, err := newRunnerWithLoss(prog, "linear", mseLoss{target}, target, targetValues, start, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return res, target
}

func TestRunReproducesHandTrajectory(t *testing.T) {
	prog := newLinear(512)
	targetValues := []float64{3.2, 1}
	start := []float64{0.5, -2} // b starts on its lower end: the gradient must pass there
	res, target := runFake(t, prog, targetValues, start, DefaultConfig())
	losses, _ := handTrajectory(prog, target, start, 200, 0.045)
	if len(res.Trajectory) != 200 || res.Iterations != 200 {
		t.Fatalf("trajectory %d steps, %d iterations; want 200", len(res.Trajectory), res.Iterations)
	}
	// Until the loss is tiny the two computations agree to rounding. Near
	// the exact minimum g → 0 and ν decays towards eps, so RMSProp's steps
	// lr·g/√(ν+eps) amplify the rounding differences between the closed
	// form and the sample sums (and eventually kick the iterate out of the
	// minimum, in both computations alike); the comparison stops there.
	l0 := losses[0]
	compared := 0
	for i, st := range res.Trajectory {
		if st.Iter != i {
			t.Fatalf("step %d has Iter %d", i, st.Iter)
		}
		if losses[i] < 1e-6*l0 {
			break
		}
		if math.Abs(st.Loss-losses[i]) > 1e-9*losses[i] {
			t.Fatalf("iteration %d: loss %v, want %v", i, st.Loss, losses[i])
		}
		compared++
	}
	if compared < 20 {
		t.Errorf("only %d iterations compared", compared)
	}
	if res.Trajectory[0].Values[1] != -2 || res.Trajectory[1].Values[1] == -2 {
		t.Errorf("parameter starting at its minimum did not move: %v → %v", res.Trajectory[0].Values, res.Trajectory[1].Values)
	}
	// The first update moves every u by 0.045/√0.1 ≈ 0.1423.
	for k, p := range prog.params {
		du := math.Abs(ToU(p, res.Trajectory[1].Values[k]) - ToU(p, start[k]))
		if math.Abs(du-0.045/math.Sqrt(0.1)) > 1e-6 {
			t.Errorf("first update moved u[%d] by %v, want 0.1423", k, du)
		}
	}
	if res.Status != StatusOK {
		t.Errorf("status %q (%s), want ok", res.Status, res.Reason)
	}
	// The final sound is rendered after the 200th update.
	want := make([]float64, len(target))
	prog.Render(res.Final, want, nil)
	for i := range want {
		if res.Output[i] != want[i] {
			t.Fatalf("output[%d] = %v, want the render of the final values %v", i, res.Output[i], want[i])
		}
	}
	if l := (mseLoss{target}).Eval(want, nil); res.LossFinal != l {
		t.Errorf("LossFinal %v, want %v", res.LossFinal, l)
	}
	if res.LossFinal > 1e-2*l0 {
		t.Errorf("loss %v → %v: the fake trial did not converge", l0, res.LossFinal)
	}
}

// TestRunReproducesHandTrajectorySlow uses a learning rate small enough that
// 200 updates never reach the minimum, so the whole trajectory, u included,
// must agree to rounding.
func TestRunReproducesHandTrajectorySlow(t *testing.T) {
	prog := newLinear(512)
	start := []float64{0.2, 3}
	cfg := DefaultConfig()
	cfg.LR = 0.002
	res, target := runFake(t, prog, []float64{4.9, -2}, start, cfg)
	losses, u := handTrajectory(prog, target, start, 200, 0.002)
	for i, st := range res.Trajectory {
		if math.Abs(st.Loss-losses[i]) > 1e-10*losses[i] {
			t.Fatalf("iteration %d: loss %v, want %v", i, st.Loss, losses[i])
		}
	}
	for k := range u {
		if math.Abs(res.FinalU[k]-u[k]) > 1e-10 {
			t.Errorf("final u[%d] = %v, want %v", k, res.FinalU[k], u[k])
		}
	}
	if losses[199] > 0.9*losses[0] || losses[199] < 1e-3*losses[0] {
		t.Errorf("loss %v → %v: want a trial still descending", losses[0], losses[199])
	}
}

func TestRunDivergesOutsideRange(t *testing.T) {
	// The target needs a = 7, beyond the slider's max 5: u runs past +1,
	// gets zero gradient there and stays, so the trial is diverged.
	prog := newLinear(256)
	res, target := runFake(t, prog, []float64{7, 1}, []float64{4, 0}, DefaultConfig())
	_, u := handTrajectory(prog, target, []float64{4, 0}, 200, 0.045)
	if res.FinalU[0] <= 1 || math.Abs(res.FinalU[0]-u[0]) > 1e-9 {
		t.Errorf("final u[0] = %v, want %v (> 1)", res.FinalU[0], u[0])
	}
	if res.Status != StatusDiverged || res.Final[0] != 5 {
		t.Errorf("status %q, final %v; want diverged with a clipped to 5", res.Status, res.Final)
	}

	cfg := DefaultConfig()
	cfg.Project = true
	res, _ = runFake(t, prog, []float64{7, 1}, []float64{4, 0}, cfg)
	if res.FinalU[0] != 1 || res.Status != StatusOK {
		t.Errorf("projected: final u %v, status %q; want u[0] = 1, ok", res.FinalU, res.Status)
	}
}

type nanLoss struct{ after int }

func (l *nanLoss) Eval(x, grad []float64) float64 {
	l.after--
	if l.after < 0 {
		return math.NaN()
	}
	for i := range grad {
		grad[i] = 1e-3
	}
	return 1
}

func TestRunFailsOnNaN(t *testing.T) {
	prog := newLinear(64)
	target := make([]float64, 64)
	r, err := newRunnerWithLoss(prog, "linear", &nanLoss{after: 5}, target, nil, []float64{1, 0}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusFailed || res.Iterations != 5 || len(res.Trajectory) != 6 {
		t.Errorf("status %q (%s), %d iterations, %d steps; want failed after 5", res.Status, res.Reason, res.Iterations, len(res.Trajectory))
	}
	if !math.IsNaN(res.PLoss) || res.Target != nil {
		t.Errorf("out-of-domain trial has PLoss %v, Target %v", res.PLoss, res.Target)
	}
}

func TestRunCancel(t *testing.T) {
	prog := newLinear(64)
	target := make([]float64, 64)
	ctx, cancel := context.WithCancel(context.Background())
	r, _ := newRunnerWithLoss(prog, "linear", mseLoss{target}, target, nil, []float64{1, 0}, DefaultConfig())
	res, err := r.run(ctx, func(it int) {
		if it == 7 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res == nil || res.Iterations != 7 || len(res.Output) != 64 || res.Status != StatusFailed {
		t.Fatalf("cancelled result: %+v", res)
	}
}

func TestIterationsAllocateNothing(t *testing.T) {
	prog := newLinear(1024)
	target := make([]float64, 1024)
	prog.Render([]float64{2, 1}, target, nil)
	cfg := DefaultConfig()
	cfg.Iterations = 200
	r, err := newRunnerWithLoss(prog, "linear", mseLoss{target}, target, []float64{2, 1}, []float64{1, 0}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	it := 0
	if a := testing.AllocsPerRun(150, func() { r.step(it); it++ }); a != 0 {
		t.Errorf("%v allocations per iteration", a)
	}
}

func TestUMapping(t *testing.T) {
	p := synth.Param{Name: "f", Min: 20, Max: 1000, Step: 1}
	for _, v := range []float64{20, 1000, 510, 333} {
		if got := FromU(p, ToU(p, v)); math.Abs(got-v) > 1e-12 {
			t.Errorf("FromU(ToU(%v)) = %v", v, got)
		}
	}
	if ToU(p, 20) != -1 || ToU(p, 1000) != 1 || ToU(p, 510) != 0 {
		t.Error("ToU does not map min, max, middle to -1, 1, 0")
	}
	if FromU(p, 1.7) != 1000 || FromU(p, -3) != 20 {
		t.Error("FromU does not clip")
	}
	if dvdu(p, 1) != 490 || dvdu(p, -1) != 490 || dvdu(p, 1.0000001) != 0 || dvdu(p, -1.5) != 0 {
		t.Error("dv/du must be (max−min)/2 on [-1, 1] including its ends and 0 outside")
	}
}
