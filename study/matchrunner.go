package study

import (
	"context"
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/match"
	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/synth"
)

// MatchRunner runs a study's trials with match.Run: the real thing, as
// opposed to the stand-ins tests inject through Runner.
type MatchRunner struct {
	cfg   *Config
	progs map[string]*synth.Program // compiled once; workers clone them
}

// NewMatchRunner compiles every program of cfg and checks its optimizer and
// losses, so a bad .dsp file or name is reported before any trial runs.
func NewMatchRunner(cfg *Config) (*MatchRunner, error) {
	if _, err := cfg.Identity(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &MatchRunner{cfg: cfg, progs: map[string]*synth.Program{}}
	for _, p := range cfg.Programs {
		ref := p.Name
		if p.Path != "" {
			ref = p.Path
		}
		prog, err := synth.Load(ref, cfg.SampleRate)
		if err != nil {
			return nil, err
		}
		if len(prog.Params()) == 0 {
			return nil, fmt.Errorf("program %s has no sliders: nothing to match", p.Name)
		}
		r.progs[p.Name] = prog
	}
	return r, nil
}

// NewWorker gives a goroutine its own clones of the programs.
func (r *MatchRunner) NewWorker() (Worker, error) {
	w := &matchWorker{cfg: r.cfg, progs: make(map[string]*synth.Program, len(r.progs))}
	for name, p := range r.progs {
		w.progs[name] = p.Clone()
	}
	return w, nil
}

type matchWorker struct {
	cfg   *Config
	progs map[string]*synth.Program
}

// Run draws the trial from its seed (match.DrawTrial), renders the target
// sound, and matches it.
func (w *matchWorker) Run(ctx context.Context, t Task) (*store.Trial, error) {
	prog, ok := w.progs[t.Program.Name]
	if !ok {
		return nil, fmt.Errorf("study: program %s not compiled", t.Program.Name)
	}
	params := prog.Params()
	targetValues, start := match.DrawTrial(params, t.Seed)
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
	}
	// A fresh target per trial: the loss plan may keep it.
	target := make([]float64, w.cfg.Samples)
	prog.Render(targetValues, target, nil)
	for _, x := range target {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return &store.Trial{Params: names, Target: targetValues, Start: start,
				Status: store.StatusFailed, Reason: "the target sound is not finite"}, nil
		}
	}
	opt := w.cfg.OptimizerFor(t.Loss)
	res, err := match.Run(ctx, prog, target, targetValues, start, match.Config{
		Loss:         t.Loss.Name,
		LossSettings: t.Loss.Settings,
		Iterations:   w.cfg.Iterations,
		Optimizer:    opt.Name,
		LR:           opt.LR,
		Project:      opt.Project,
		Seed:         t.Seed,
		HybridSplit:  opt.HybridSplit,
	}, nil)
	if err != nil {
		return nil, err
	}
	tr := &store.Trial{
		Params: names, Target: res.Target, Start: res.Start, FinalU: res.FinalU, Final: res.Final,
		LossFinal: res.LossFinal, PLoss: res.PLoss, PLossU: res.PLossU, MSS: res.MSS,
		Status: res.Status, Reason: res.Reason, Iterations: res.Iterations,
		Trajectory: make([]store.Step, len(res.Trajectory)),
	}
	for i, s := range res.Trajectory {
		tr.Trajectory[i] = store.Step{Loss: s.Loss, GradNorm: s.GradNorm, Values: s.Values}
	}
	return tr, nil
}
