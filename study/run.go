package study

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/store"
)

// Runner makes the trial runners of a study's worker goroutines.
type Runner interface {
	// NewWorker returns the trial runner of one goroutine. It owns its
	// own program clones and losses and is never used concurrently.
	NewWorker() (Worker, error)
}

// Worker runs one trial at a time.
type Worker interface {
	// Run runs the planned trial and returns its record (Program, Loss,
	// Index, Seed and WallMS are filled in by the caller). A trial whose
	// maths fails is a record with Status "failed" and a Reason, or an
	// error, which the study records as a failed trial. A cancelled ctx
	// ends the trial; its result is then discarded.
	Run(ctx context.Context, t Task) (*store.Trial, error)
}

// Options tune a run; the zero value runs the whole study on GOMAXPROCS
// workers.
type Options struct {
	Workers  int   // goroutines, one trial each; 0 = GOMAXPROCS
	Shard    Shard // the slice of the plan to run; zero = all of it
	Runner   Runner
	Progress func(Progress) // called once before the first trial (Done 0), then after each stored one, from one goroutine
	// Build fingerprints the code running the trials (ExecutableFingerprint);
	// it is added to the database's list of builds. Empty: not recorded.
	Build string
}

// Progress reports a run as it goes.
type Progress struct {
	Done    int // trials stored by this run
	Total   int // trials this run has to do (planned minus already stored)
	Failed  int // of Done, how many failed
	Skipped int // trials of the plan already stored before this run
	Workers int
	Elapsed time.Duration
	Trial   *store.Trial // the trial just stored
}

// Summary is what a run did.
type Summary struct {
	Planned  int // trials in the (shard of the) plan
	Skipped  int // already stored before this run
	Ran      int // stored by this run
	Failed   int // of Ran
	Diverged int // of Ran
	Elapsed  time.Duration
}

// Identity returns the canonical text of c with every loss setting
// resolved through the loss registry; unknown losses and settings are
// errors naming what is accepted.
func (c *Config) Identity() (string, error) {
	return c.Canonical(func(name string, overrides map[string]string) (map[string]string, error) {
		spec, ok := loss.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown loss %q (accepted: %s)", name, strings.Join(loss.Names(), ", "))
		}
		s, err := spec.Resolve(overrides)
		return map[string]string(s), err
	})
}

// CheckLosses builds every arm's loss once on a silent target of the
// study's length, so that a setting value the loss refuses (hop = "abc", a
// scattering T longer than the sound) stops the study before anything is
// stored, instead of filling the database with failed trials of a config
// that then has to be thrown away.
func (c *Config) CheckLosses() error {
	seen := map[string]bool{}
	silence := make([]float64, c.Samples)
	for _, l := range c.Losses {
		key := l.Name + "\x00" + fmt.Sprint(l.Settings)
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, err := loss.New(l.Name, silence, l.Settings); err != nil {
			return fmt.Errorf("losses %s: %v", l.Label, err)
		}
	}
	return nil
}

// ErrInterrupted is returned (wrapped) by Run when its context was
// cancelled: the trials stored so far are safe and a rerun resumes.
var ErrInterrupted = errors.New("interrupted")

// Run runs every planned trial of cfg (of opt.Shard) that db does not hold
// yet, storing each in its own transaction as soon as it finishes. The
// database must be empty or hold the same study (Identity); a database of
// another study is refused with the fields that differ.
func Run(ctx context.Context, db *store.DB, cfg *Config, opt Options) (Summary, error) {
	var sum Summary
	if opt.Runner == nil {
		return sum, errors.New("study: Run needs a Runner")
	}
	identity, err := cfg.Identity()
	if err != nil {
		return sum, err
	}
	if err := cfg.CheckLosses(); err != nil {
		return sum, err
	}
	if err := db.SaveConfig(ctx, identity, Diff); err != nil {
		return sum, explainMismatch(err)
	}
	if err := noteShard(ctx, db, opt.Shard); err != nil {
		return sum, err
	}
	tasks := opt.Shard.Select(cfg.Plan())
	sum.Planned = len(tasks)
	done, err := db.Done(ctx)
	if err != nil {
		return sum, err
	}
	todo := tasks[:0:0]
	for _, t := range tasks {
		if done[store.Key{Program: t.Program.Name, Loss: t.Loss.Label, Index: t.Index}] {
			sum.Skipped++
			continue
		}
		todo = append(todo, t)
	}
	if len(todo) == 0 {
		return sum, nil
	}
	if _, err := NoteBuilds(ctx, db, opt.Build); err != nil {
		return sum, err
	}

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(todo))
	runners := make([]Worker, workers)
	for i := range runners {
		if runners[i], err = opt.Runner.NewWorker(); err != nil {
			return sum, err
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	taskc := make(chan Task)
	results := make(chan *store.Trial, workers)
	go func() {
		defer close(taskc)
		for _, t := range todo {
			select {
			case taskc <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for _, w := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range taskc {
				tr := runOne(ctx, w, t)
				if tr == nil {
					continue // cancelled mid-trial: lost, rerun on resume
				}
				results <- tr
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	start := time.Now()
	if opt.Progress != nil {
		opt.Progress(Progress{Total: len(todo), Skipped: sum.Skipped, Workers: workers})
	}
	var storeErr error
	for tr := range results {
		if storeErr != nil {
			continue // drain the workers after a failed write
		}
		// A finished trial is stored even after Ctrl-C: only the trials
		// in flight are lost.
		if err := db.InsertTrial(context.WithoutCancel(ctx), tr); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				// Another process running the same database stored it first.
				sum.Skipped++
				continue
			}
			storeErr = err
			cancel()
			continue
		}
		sum.Ran++
		switch tr.Status {
		case store.StatusFailed:
			sum.Failed++
		case store.StatusDiverged:
			sum.Diverged++
		}
		if opt.Progress != nil {
			opt.Progress(Progress{Done: sum.Ran, Total: len(todo), Failed: sum.Failed, Skipped: sum.Skipped, Workers: workers, Elapsed: time.Since(start), Trial: tr})
		}
	}
	sum.Elapsed = time.Since(start)
	if storeErr != nil {
		return sum, storeErr
	}
	if err := ctx.Err(); err != nil && sum.Ran+sum.Skipped < sum.Planned {
		return sum, fmt.Errorf("%w after %d of %d trials (%v); every stored trial is safe: rerun the same command to resume", ErrInterrupted, sum.Ran, len(todo), context.Cause(ctx))
	}
	return sum, nil
}

// runOne runs a task and completes its record, or returns nil if the
// context was cancelled before it finished.
func runOne(ctx context.Context, w Worker, t Task) *store.Trial {
	start := time.Now()
	tr, err := w.Run(ctx, t)
	wall := time.Since(start)
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		tr = &store.Trial{Status: store.StatusFailed, Reason: err.Error()}
	}
	if tr == nil {
		tr = &store.Trial{Status: store.StatusFailed, Reason: "the trial runner returned no result"}
	}
	tr.Program, tr.Loss, tr.Index, tr.Seed = t.Program.Name, t.Loss.Label, t.Index, t.Seed
	tr.WallMS = float64(wall.Microseconds()) / 1000
	if tr.Status != store.StatusFailed {
		// The runner should have caught it; a NaN must never pass as a result.
		if math.IsNaN(tr.LossFinal) {
			tr.Status, tr.Reason = store.StatusFailed, "final loss is NaN"
		} else if hasNaN(tr.FinalU) || hasNaN(tr.Final) {
			tr.Status, tr.Reason = store.StatusFailed, "final parameters contain NaN"
		}
	}
	if tr.Status == store.StatusFailed && tr.Reason == "" {
		tr.Reason = "unknown failure"
	}
	return tr
}

func hasNaN(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) {
			return true
		}
	}
	return false
}

// ConfigMismatchError is returned by Run for a database made by another
// study config; its message names the fields that differ.
type ConfigMismatchError struct {
	msg string
	Err *store.ConfigMismatchError
}

func (e *ConfigMismatchError) Error() string { return e.msg }
func (e *ConfigMismatchError) Unwrap() error { return e.Err }

// explainMismatch turns a config mismatch into advice.
func explainMismatch(err error) error {
	var me *store.ConfigMismatchError
	if !errors.As(err, &me) {
		return err
	}
	d := me.Differences
	more := ""
	if len(d) > 6 {
		more = fmt.Sprintf("; and %d more", len(d)-6)
		d = d[:6]
	}
	return &ConfigMismatchError{Err: me, msg: fmt.Sprintf("%s was made by another study config — %s%s. Use a new --db file for this config, or rerun with the config (and --trials/--iterations/--programs/--losses/--seed) the database was made with",
		me.Path, strings.Join(d, "; "), more)}
}

// noteShard remembers which shard a database holds, so status can count
// what remains of that shard; a database holding several shards (or a
// whole study) counts against the whole plan.
func noteShard(ctx context.Context, db *store.DB, s Shard) error {
	have, ok, err := db.Meta(ctx, "shard")
	if err != nil {
		return err
	}
	want := s.String()
	switch {
	case !ok:
		return db.SetMeta(ctx, "shard", want)
	case have != want && have != "":
		return db.SetMeta(ctx, "shard", "")
	}
	return nil
}
