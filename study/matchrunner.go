package study

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/match"
	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/synth"
)

// MatchRunner runs a study's trials with match.Run: the real thing, as
// opposed to the stand-ins tests inject through Runner.
type MatchRunner struct {
	cfg   *Config
	progs map[string]*synth.Program // compiled once; workers clone them
	mss   *mssCache
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
	if cfg.Paired && len(cfg.Losses) > 1 {
		r.mss = newMSSCache(mssIdle) // arms share targets: share their half of the score
	}
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
	w := &matchWorker{cfg: r.cfg, progs: make(map[string]*synth.Program, len(r.progs)), mss: r.mss}
	for name, p := range r.progs {
		w.progs[name] = p.Clone()
	}
	return w, nil
}

type matchWorker struct {
	cfg   *Config
	progs map[string]*synth.Program
	mss   *mssCache
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
	render := func() []float64 {
		s := make([]float64, w.cfg.Samples)
		prog.Render(targetValues, s, nil)
		return s
	}
	var target []float64
	var score func([]float64) float64 // nil: match computes loss.MSS itself
	if w.mss != nil {
		key := mssKey(t.Program.Name, targetValues)
		ref := w.mss.acquire(key)
		defer w.mss.release(key, ref)
		// A copy per arm: the loss plan may keep it.
		target = slices.Clone(ref.sound(render))
		score = func(out []float64) float64 { return ref.score(out, target) }
	} else {
		target = render()
	}
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
		Score:        score,
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

// The MSS score of a trial is two halves: the target's spectra and the
// output's. In a paired study every loss of trial i matches the same
// target, and its half costs about as much as a 1.5-iteration l1-spec
// match, so the workers share it, and the rendered target sound with it:
// a target's sound is rendered by the first arm that starts, its
// loss.MSSReference computed by the first arm that finishes, and both are
// kept while any arm of that target runs, plus the last mssIdle released
// ones (the plan runs a trial's arms one after another, so that is enough
// to catch stragglers). A reference takes about 13 MB for 1 s at 44.1 kHz.
// The reference gives the same bits as loss.MSS, and a render the same
// bits every time, so the sharing cannot change a result. An unpaired
// study (or one with a single loss) has nothing to share, and computing a
// reference to use it once costs more than loss.MSS streaming through both
// sounds, so it does not use one.
const mssIdle = 4

type mssCache struct {
	mu      sync.Mutex
	entries map[string]*mssEntry
	idle    []string // keys of entries nobody holds, oldest first
	keep    int
}

type mssEntry struct {
	once      sync.Once
	ref       *loss.MSSReference
	err       error
	soundOnce sync.Once
	snd       []float64 // the target sound; read only
	users     int
}

func newMSSCache(keep int) *mssCache {
	return &mssCache{entries: map[string]*mssEntry{}, keep: keep}
}

// mssKey identifies a target: its program and the exact bits of its
// slider values (a target sound is a function of those).
func mssKey(program string, values []float64) string {
	var b strings.Builder
	b.WriteString(program)
	for _, v := range values {
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(math.Float64bits(v), 16))
	}
	return b.String()
}

func (c *mssCache) acquire(key string) *mssEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		e = &mssEntry{}
		c.entries[key] = e
	}
	if e.users == 0 {
		if i := slices.Index(c.idle, key); i >= 0 {
			c.idle = append(c.idle[:i], c.idle[i+1:]...)
		}
	}
	e.users++
	return e
}

func (c *mssCache) release(key string, e *mssEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.users--
	if e.users > 0 {
		return
	}
	c.idle = append(c.idle, key)
	for len(c.idle) > c.keep {
		delete(c.entries, c.idle[0])
		c.idle = c.idle[1:]
	}
}

// sound returns the target sound, rendering it on first use.
func (e *mssEntry) sound(render func() []float64) []float64 {
	e.soundOnce.Do(func() { e.snd = render() })
	return e.snd
}

// score is MSS(out, target), computing the target's half on first use.
func (e *mssEntry) score(out, target []float64) float64 {
	e.once.Do(func() { e.ref, e.err = loss.NewMSSReference(target) })
	if e.err != nil {
		return math.NaN() // too short for the largest scale, as loss.MSS says
	}
	return e.ref.Score(out)
}
