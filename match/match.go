// Package match runs one sound-matching trial (METHOD §2–3): starting from
// some slider values, it renders the program, compares the sound with the
// target through a differentiable loss, chains the loss gradient through the
// program's Jacobian to the sliders, and lets an optimizer turn them, for a
// fixed number of iterations; then it renders the final sound and scores it.
//
// Sliders are optimized as unitless u ∈ [-1, 1] (ToU/FromU). The synth sees
// the clipped value, u itself is never clamped unless Config.Project is set,
// and a slider that leaves [-1, 1] gets zero gradient: the trial is then
// "diverged". The loop allocates nothing per iteration: every buffer,
// including the trajectory's, is made before the first render.
package match

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/optim"
	"github.com/soundmatch/soundmatch/synth"
)

// Config holds the settings of a trial other than the program and sounds.
type Config struct {
	Loss         string            // registered loss name (loss.Names)
	LossSettings map[string]string // overrides of the loss's settings
	// Optimizer is a gradient optimizer (rmsprop, adam, sgd), a
	// gradient-free searcher (cmaes, ga, random), or a hybrid
	// "search+gradient" such as cmaes+rmsprop (see OptimizerNames).
	Optimizer string
	// Iterations is the budget in loss evaluations: one per gradient
	// update, one per searcher probe; a hybrid spends HybridSplit of it on
	// the search and the rest on gradient updates from the best point.
	Iterations int
	LR         float64 // learning rate; 0 = the optimizer's default
	Project    bool    // clamp u to [-1, 1] after each update instead of letting it leave
	// Seed drives the stochastic searchers (cmaes, ga, random); gradient
	// optimizers are deterministic and ignore it.
	Seed uint64
	// HybridSplit is the fraction of a hybrid's budget given to the global
	// search; 0 means 0.5.
	HybridSplit float64
	// Score, when non-nil, computes the MSS of the final sound in place of
	// loss.MSS(output, target): a study passes a loss.MSSReference's
	// Score shared by every arm of a paired trial, so the target's half of
	// the score is computed once.
	Score func(output []float64) float64
}

// DefaultConfig returns the method's defaults: RMSProp at 0.045 for 200
// updates, no projection, and the l1-spec loss.
func DefaultConfig() Config {
	return Config{Loss: "l1-spec", Iterations: 200, Optimizer: "rmsprop", LR: 0.045}
}

// Status values of a Result.
const (
	StatusOK       = "ok"       // finished with every u in [-1, 1]
	StatusDiverged = "diverged" // finished with some u outside [-1, 1] (stuck there with zero gradient)
	StatusFailed   = "failed"   // stopped early: a NaN/Inf loss or gradient, or cancellation (see Reason)
)

// Step is one iteration of the trajectory: the loss and the global L2 norm
// of dL/du (before the optimizer's clip) at the slider values rendered in
// that iteration, before its update.
type Step struct {
	Iter           int
	Loss, GradNorm float64
	Values         []float64
}

// Result is a finished (or stopped) trial.
type Result struct {
	Program, Loss string
	// Slider values in Params order; Target is nil for an out-of-domain
	// target. Final is what the synth played (after the clip); FinalU is
	// the raw, unclipped u.
	Target, Start, Final, FinalU []float64
	// LossFinal is the loss of Output. PLoss and PLossU are NaN for an
	// out-of-domain target.
	LossFinal, PLoss, PLossU, MSS float64
	Output                        []float64 // the final sound, rendered after the last update
	Trajectory                    []Step    // one per completed iteration
	Iterations                    int       // updates applied
	Seconds                       float64   // wall time of the whole trial
	Status, Reason                string
}

// ToU maps a slider value to the unitless u: -1 at min, +1 at max. A slider
// with min == max maps to 0.
func ToU(p synth.Param, v float64) float64 {
	if p.Max == p.Min {
		return 0
	}
	return -1 + 2*(v-p.Min)/(p.Max-p.Min)
}

// FromU maps u to the value the synth plays: u is clipped to [-1, 1] first.
func FromU(p synth.Param, u float64) float64 {
	u = math.Max(-1, math.Min(1, u))
	return p.Min + float64((u+1)/2*(p.Max-p.Min))
}

// dvdu is ∂FromU/∂u: (max−min)/2 inside [-1, 1] including its ends (so a
// start on a slider's end can move), zero outside.
func dvdu(p synth.Param, u float64) float64 {
	if u < -1 || u > 1 {
		return 0
	}
	return (p.Max - p.Min) / 2
}

// trialStream separates DrawTrial's PCG stream from other uses of the same
// seed ("soundmt" in ASCII).
const trialStream = 0x736f756e646d74

// DrawTrial draws a trial's target and start values (METHOD §2): for every
// parameter, independently and uniformly in [min, max], snapped to the
// slider's step grid; all targets are drawn first, then all starts. The
// generator is math/rand/v2's PCG seeded with seed, and the arithmetic is
// written so that no operation can be fused, so the same seed gives the
// same values on every machine.
func DrawTrial(params []synth.Param, seed uint64) (target, start []float64) {
	r := rand.New(rand.NewPCG(seed, trialStream))
	draw := func() []float64 {
		v := make([]float64, len(params))
		for i, p := range params {
			v[i] = Snap(p, p.Min+float64(r.Float64()*(p.Max-p.Min)))
		}
		return v
	}
	target = draw()
	start = draw()
	return target, start
}

// Snap rounds v to the nearest point min + k·step of p's grid inside
// [min, max], written with as many decimals as step and min have (so step
// 0.01 gives the float64 nearest to a two-decimal number, not min + k·0.01
// with its rounding error). A step of 0 only clamps v to [min, max].
func Snap(p synth.Param, v float64) float64 {
	if p.Step <= 0 || p.Max <= p.Min {
		return math.Max(p.Min, math.Min(p.Max, v))
	}
	k := math.Round((v - p.Min) / p.Step)
	// (max−min)/step can fall a hair below a whole number in floating
	// point; the tolerance keeps max itself on the grid.
	if top := math.Floor((p.Max - p.Min) / p.Step * (1 + 1e-12)); k > top {
		k = top
	}
	k = math.Max(k, 0)
	s := p.Min + float64(k*p.Step)
	if d, dm := decimals(p.Step), decimals(p.Min); d >= 0 && dm >= 0 {
		s, _ = strconv.ParseFloat(strconv.FormatFloat(s, 'f', max(d, dm), 64), 64)
	}
	return math.Max(p.Min, math.Min(p.Max, s))
}

// decimals returns how many decimals step is written with (0.01 → 2, 1 → 0),
// or -1 when it has no short decimal form.
func decimals(step float64) int {
	s := strconv.FormatFloat(step, 'f', -1, 64)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			if d := len(s) - i - 1; d <= 12 {
				return d
			}
			return -1
		}
	}
	return 0
}

// renderer is what Run needs of a synth.Program; tests substitute small
// programs whose Jacobians are known in closed form.
type renderer interface {
	Params() []synth.Param
	Render(values, out []float64, jac [][]float64)
}

// Run matches prog's sound to target, starting from the slider values start.
// The render length is len(target). targetValues are the slider values that
// made target (an in-domain trial) or nil (an out-of-domain target: PLoss
// and PLossU are NaN). progress, if non-nil, is called after each update
// with the number of updates done.
//
// Errors are for bad arguments (unknown loss or optimizer, wrong lengths)
// and for cancellation: when ctx is cancelled, Run stops before the next
// render, renders the final sound from the current u, scores it, and
// returns that Result (Status failed, Reason "interrupted ...") together
// with ctx's error. A NaN or Inf loss or gradient is not an error: Run stops
// and returns a Result with Status failed and the Reason.
func Run(ctx context.Context, prog *synth.Program, target []float64, targetValues, start []float64, cfg Config, progress func(iter int)) (*Result, error) {
	r, err := newRunner(prog, prog.Name(), target, targetValues, start, cfg)
	if err != nil {
		return nil, err
	}
	return r.run(ctx, progress)
}

// runner is one trial's plan: the loss, the optimizer and every buffer the
// loop touches.
type runner struct {
	prog         renderer
	name         string
	params       []synth.Param
	lossFn       loss.Loss
	opt          optim.Optimizer // nil for a pure searcher
	search       optim.Searcher  // nil for a gradient optimizer
	cfg          Config
	target       []float64
	targetValues []float64
	start        []float64

	u, values, gradU []float64
	out, gradX       []float64
	jac              [][]float64
	traj             []Step
}

func newRunner(prog renderer, name string, target, targetValues, start []float64, cfg Config) (*runner, error) {
	params := prog.Params()
	if len(target) == 0 {
		return nil, errors.New("match: empty target sound")
	}
	if len(start) != len(params) {
		return nil, fmt.Errorf("match: %d start values for the %d parameters of %s", len(start), len(params), name)
	}
	if targetValues != nil && len(targetValues) != len(params) {
		return nil, fmt.Errorf("match: %d target values for the %d parameters of %s", len(targetValues), len(params), name)
	}
	if cfg.Iterations < 0 {
		return nil, fmt.Errorf("match: %d iterations: want 0 or more", cfg.Iterations)
	}
	lossFn, err := loss.New(cfg.Loss, target, cfg.LossSettings)
	if err != nil {
		return nil, err
	}
	return newRunnerWithLoss(prog, name, lossFn, target, targetValues, start, cfg)
}

func newRunnerWithLoss(prog renderer, name string, lossFn loss.Loss, target, targetValues, start []float64, cfg Config) (*runner, error) {
	params := prog.Params()
	P, n := len(params), len(target)
	searchName, gradName, err := splitOptimizer(cfg.Optimizer)
	if err != nil {
		return nil, err
	}
	if !(cfg.HybridSplit >= 0 && cfg.HybridSplit <= 1) {
		return nil, fmt.Errorf("match: hybrid split %g: want a fraction in [0, 1]", cfg.HybridSplit)
	}
	var opt optim.Optimizer
	if gradName != "" {
		if opt, err = optim.New(gradName, P, cfg.LR); err != nil {
			return nil, err
		}
	}
	var search optim.Searcher
	if searchName != "" {
		if search, err = optim.NewSearcher(searchName, cfg.Seed); err != nil {
			return nil, err
		}
	}
	r := &runner{
		prog: prog, name: name, params: params, lossFn: lossFn, opt: opt, search: search, cfg: cfg,
		target: target, targetValues: targetValues, start: start,
		u: make([]float64, P), values: make([]float64, P), gradU: make([]float64, P),
		out: make([]float64, n), gradX: make([]float64, n),
		jac:  make([][]float64, P),
		traj: make([]Step, 0, cfg.Iterations),
	}
	for k := range r.jac {
		r.jac[k] = make([]float64, n)
	}
	slab := make([]float64, P*cfg.Iterations)
	r.traj = r.traj[:cfg.Iterations]
	for i := range r.traj {
		r.traj[i].Values = slab[i*P : (i+1)*P : (i+1)*P]
	}
	r.traj = r.traj[:0]
	return r, nil
}

func (r *runner) run(ctx context.Context, progress func(int)) (*Result, error) {
	t0 := time.Now()
	for k, p := range r.params {
		r.u[k] = ToU(p, r.start[k])
	}
	res := &Result{Program: r.name, Loss: r.cfg.Loss, Status: StatusOK}
	first, stopErr := r.runSearch(ctx, r.searchBudget(), progress)
	res.Iterations = first
	if stopErr != nil {
		res.Status, res.Reason = StatusFailed, fmt.Sprintf("interrupted after %d of %d evaluations", first, r.cfg.Iterations)
	} else if r.search != nil && first > 0 && !searchFoundFinite(r.traj) {
		res.Status, res.Reason = StatusFailed, "the search found no finite loss"
	}
	for it := first; stopErr == nil && res.Status == StatusOK && r.opt != nil && it < r.cfg.Iterations; it++ {
		if err := ctx.Err(); err != nil {
			stopErr = err
			res.Status, res.Reason = StatusFailed, fmt.Sprintf("interrupted after %d of %d iterations", it, r.cfg.Iterations)
			break
		}
		if !r.step(it) {
			l := r.traj[it].Loss
			res.Status = StatusFailed
			if math.IsNaN(l) || math.IsInf(l, 0) {
				res.Reason = fmt.Sprintf("loss is %v at iteration %d", l, it)
			} else {
				res.Reason = fmt.Sprintf("gradient is not finite at iteration %d", it)
			}
			break
		}
		res.Iterations = it + 1
		if progress != nil {
			progress(it + 1)
		}
	}
	r.finish(res)
	res.Seconds = time.Since(t0).Seconds()
	return res, stopErr
}

// step runs iteration it: it renders at the current u with the Jacobian,
// evaluates the loss and its gradient, chains it to dL/du, records the
// trajectory entry, and (when the loss and gradient are finite) applies the
// optimizer's update. It reports whether the update was applied.
func searchFoundFinite(traj []Step) bool {
	for _, s := range traj {
		if !math.IsNaN(s.Loss) && !math.IsInf(s.Loss, 0) {
			return true
		}
	}
	return false
}

func (r *runner) step(it int) bool {
	for k, p := range r.params {
		r.values[k] = FromU(p, r.u[k])
	}
	r.prog.Render(r.values, r.out, r.jac)
	l := r.lossFn.Eval(r.out, r.gradX)
	for k, p := range r.params {
		// dL/dv_k = Σ_n dL/dx[n] · ∂x[n]/∂v_k, then dv/du.
		r.gradU[k] = dot(r.gradX, r.jac[k][:len(r.gradX)]) * dvdu(p, r.u[k])
	}
	gnorm := optim.GlobalNorm(r.gradU)
	r.traj = r.traj[:it+1] // within the capacity made by newRunner
	st := &r.traj[it]
	st.Iter, st.Loss, st.GradNorm = it, l, gnorm
	copy(st.Values, r.values)
	if math.IsNaN(l) || math.IsInf(l, 0) || math.IsNaN(gnorm) || math.IsInf(gnorm, 0) {
		return false
	}
	r.opt.Step(r.u, r.gradU)
	if r.cfg.Project {
		for k, v := range r.u {
			r.u[k] = math.Max(-1, math.Min(1, v))
		}
	}
	return true
}

// finish renders the final sound from the current u and scores it.
func (r *runner) finish(res *Result) {
	P := len(r.params)
	res.Start = append([]float64(nil), r.start...)
	res.FinalU = append([]float64(nil), r.u...)
	res.Final = make([]float64, P)
	for k, p := range r.params {
		res.Final[k] = FromU(p, r.u[k])
	}
	res.Output = make([]float64, len(r.target))
	r.prog.Render(res.Final, res.Output, nil)
	res.LossFinal = r.lossFn.Eval(res.Output, nil)
	res.Trajectory = r.traj
	if res.Status == StatusOK {
		for _, u := range r.u {
			if u < -1 || u > 1 {
				res.Status = StatusDiverged
				res.Reason = "a parameter left [-1, 1] in u and stayed there with zero gradient"
				break
			}
		}
	}
	res.PLoss, res.PLossU = math.NaN(), math.NaN()
	if r.targetValues != nil {
		res.Target = append([]float64(nil), r.targetValues...)
		mins, maxs, tu := make([]float64, P), make([]float64, P), make([]float64, P)
		for k, p := range r.params {
			mins[k], maxs[k] = p.Min, p.Max
			tu[k] = ToU(p, r.targetValues[k])
		}
		res.PLoss = loss.PLoss(mins, maxs, res.Final, res.Target)
		res.PLossU = loss.PLossU(res.FinalU, tu)
	}
	if r.cfg.Score != nil {
		res.MSS = r.cfg.Score(res.Output)
	} else {
		res.MSS = loss.MSS(res.Output, r.target)
	}
}

// IterationTimes runs warmup + n iterations of a trial (as Run would,
// without the final render and scores) and returns the wall time of each of
// the last n: render with Jacobian, loss and gradient, chain rule, update.
// A trial that stops early (NaN) returns the times it has.
func IterationTimes(prog *synth.Program, target, start []float64, cfg Config, warmup, n int) ([]time.Duration, error) {
	cfg.Iterations = warmup + n
	r, err := newRunner(prog, prog.Name(), target, nil, start, cfg)
	if err != nil {
		return nil, err
	}
	if r.opt == nil || r.search != nil {
		return nil, fmt.Errorf("match: iteration times are measured for gradient optimizers only, not %q", cfg.Optimizer)
	}
	for k, p := range r.params {
		r.u[k] = ToU(p, start[k])
	}
	times := make([]time.Duration, 0, n)
	for it := 0; it < warmup+n; it++ {
		t0 := time.Now()
		ok := r.step(it)
		if it >= warmup {
			times = append(times, time.Since(t0))
		}
		if !ok {
			break
		}
	}
	return times, nil
}

// dot is Σ x[i]·y[i] in a fixed order with every product rounded: gonum's
// floats.Dot sums in an order that depends on the machine (assembly on
// amd64, a fused multiply-add loop on arm64), and a trial must give the
// same bits everywhere. Four interleaved sums keep it as fast.
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i] * y[i])
		s1 += float64(x[i+1] * y[i+1])
		s2 += float64(x[i+2] * y[i+2])
		s3 += float64(x[i+3] * y[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i] * y[i])
	}
	return (s0 + s1) + (s2 + s3)
}
