package listen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/study"
	"github.com/soundmatch/soundmatch/synth"
)

// Setup is what Prepare needs to start or continue a listening test.
type Setup struct {
	// Seed of the draw of items and of the raters' orders; SeedSet false
	// means the study config's evaluation seed (or, for an existing test,
	// the stored one).
	Seed    uint64
	SeedSet bool
	// PerPair is the number of trials drawn per (program, loss) pair; 0
	// means the study config's listen_trials (or the stored count).
	PerPair int
	// Raters to make sure of (new names are added; existing ones keep their
	// link). Empty means every stored rater.
	Raters []string
}

// Prepared describes the listening test Prepare found or made.
type Prepared struct {
	Created bool // the items were drawn by this call
	Seed    uint64
	PerPair int
	Items   int
	Short   []string // "program/loss: 12 finished trials" for pairs with fewer than PerPair
	// Stored and Planned count the study's trials when the items were
	// drawn: Stored < Planned means the study was still incomplete.
	Stored, Planned int
	Raters          []store.ListenRater
}

// Prepare makes sure db holds a listening test. The first time, it draws
// the items from the study's finished trials (METHOD §7) and stores them; a
// later call with the same database serves the very same items, and a seed
// or count different from the stored ones is an error rather than a silent
// redraw.
//
// A trial is finished when it has status ok or diverged and an in-domain
// target: its final parameters were played, and its target can be rendered
// from parameters. Failed trials are never drawn.
func Prepare(ctx context.Context, db *store.DB, s Setup) (*Prepared, error) {
	sess, err := db.ListenSession(ctx)
	switch {
	case errors.Is(err, store.ErrNoListenSession):
		sess = nil
	case err != nil:
		return nil, err
	}
	p := &Prepared{}
	if sess != nil {
		if s.SeedSet && s.Seed != sess.Seed {
			return nil, fmt.Errorf("%s already holds a listening test drawn with seed %d, not %d; leave out --seed to continue it", db.Path, sess.Seed, s.Seed)
		}
		if s.PerPair != 0 && s.PerPair != sess.PerPair {
			return nil, fmt.Errorf("%s already holds a listening test of %d trials per pair, not %d; leave out --per-pair to continue it", db.Path, sess.PerPair, s.PerPair)
		}
		p.Seed, p.PerPair, p.Items = sess.Seed, sess.PerPair, len(sess.Items)
	} else {
		if len(s.Raters) == 0 {
			return nil, fmt.Errorf("%s has no listening test yet; name its raters with --raters NAME,NAME", db.Path)
		}
		cfg, err := studyConfig(ctx, db)
		if err != nil {
			return nil, err
		}
		p.Seed, p.PerPair = cfg.Evaluation.Seed, cfg.Evaluation.ListenTrials
		if s.SeedSet {
			p.Seed = s.Seed
		}
		if s.PerPair != 0 {
			p.PerPair = s.PerPair
		}
		if p.PerPair < 1 {
			return nil, fmt.Errorf("%s: the study asks for %d listening trials per pair; give --per-pair N (N ≥ 1)", db.Path, p.PerPair)
		}
		fin, err := FinishedTrials(ctx, db)
		if err != nil {
			return nil, err
		}
		if len(fin) == 0 {
			return nil, fmt.Errorf("%s has no finished trials to listen to (run 'soundmatch study run' first)", db.Path)
		}
		items := store.DrawListenItems(p.Seed, p.PerPair, fin)
		if err := db.CreateListenSession(ctx, p.Seed, p.PerPair, items); err != nil {
			return nil, err
		}
		p.Created, p.Items = true, len(items)
		p.Short = shortPairs(fin, p.PerPair)
		p.Planned = cfg.Trials * len(cfg.Programs) * len(cfg.Losses)
		counts, err := db.Counts(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range counts {
			p.Stored += c.Done()
		}
	}
	if len(s.Raters) == 0 {
		p.Raters, err = db.ListenRaters(ctx)
		if err != nil {
			return nil, err
		}
		if len(p.Raters) == 0 {
			return nil, fmt.Errorf("%s: the listening test has no raters yet; name them with --raters NAME,NAME", db.Path)
		}
		return p, nil
	}
	p.Raters, err = db.AddListenRaters(ctx, s.Raters)
	return p, err
}

func shortPairs(fin []store.Key, perPair int) []string {
	counts := map[string]int{}
	for _, k := range fin {
		counts[k.Program+"/"+k.Loss]++
	}
	var out []string
	for pair, n := range counts {
		if n < perPair {
			out = append(out, fmt.Sprintf("%s: %d finished trials", pair, n))
		}
	}
	slices.Sort(out)
	return out
}

// FinishedTrials lists the trials a listening test may draw from: status ok
// or diverged, with an in-domain target.
func FinishedTrials(ctx context.Context, db *store.DB) ([]store.Key, error) {
	var out []store.Key
	err := db.EachTrial(ctx, store.Filter{Status: []string{store.StatusOK, store.StatusDiverged}}, func(t *store.Trial) error {
		if t.Target != nil && len(t.Final) == len(t.Target) {
			out = append(out, t.Key())
		}
		return nil
	})
	return out, err
}

func studyConfig(ctx context.Context, db *store.DB) (*study.Config, error) {
	text, _, err := db.Config(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := study.ParseCanonical(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", db.Path, err)
	}
	return cfg, nil
}

// StudySounds renders the items of a listening test with the synthesizer:
// the target from the trial's stored target values, the output from its
// stored final values (the clipped values the synth played), each for the
// study's sample count from zero state, exactly as the study rendered them.
type StudySounds struct {
	rate    int
	samples int
	progs   map[string]*lockedProgram
	trials  map[store.Key]trialValues
}

type trialValues struct{ target, final []float64 }

// lockedProgram serializes renders: a Program owns its buffers, and one
// render of a second of sound takes milliseconds, so a lock is cheaper than
// a clone per request.
type lockedProgram struct {
	mu sync.Mutex
	p  *synth.Program
}

// NewStudySounds loads what the listening test of db needs to render its
// items: the study's programs (built-ins by name; .dsp programs from the
// files in dsp, matched by base name and checked against the study's
// fingerprint) and the target and final values of every item.
func NewStudySounds(ctx context.Context, db *store.DB, dsp []string) (*StudySounds, error) {
	cfg, err := studyConfig(ctx, db)
	if err != nil {
		return nil, err
	}
	sess, err := db.ListenSession(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", db.Path, err)
	}
	rate := int(math.Round(cfg.SampleRate))
	if float64(rate) != cfg.SampleRate || rate <= 0 || cfg.Samples <= 0 {
		return nil, fmt.Errorf("%s: the study renders %d samples at %g Hz; a WAV needs a whole positive rate and length", db.Path, cfg.Samples, cfg.SampleRate)
	}
	files := map[string]string{} // program name → .dsp path
	for _, f := range dsp {
		name := strings.TrimSuffix(filepath.Base(f), ".dsp")
		if !strings.HasSuffix(f, ".dsp") {
			return nil, fmt.Errorf("--dsp %s: want a Faust file ending in .dsp", f)
		}
		files[name] = f
	}
	s := &StudySounds{rate: rate, samples: cfg.Samples, progs: map[string]*lockedProgram{}, trials: map[store.Key]trialValues{}}
	need := map[string]bool{}
	for _, it := range sess.Items {
		need[it.Program] = true
	}
	for _, sp := range cfg.Programs {
		if !need[sp.Name] {
			continue
		}
		p, err := loadStudyProgram(sp, files[sp.Name], cfg.SampleRate)
		if err != nil {
			return nil, err
		}
		s.progs[sp.Name] = &lockedProgram{p: p}
	}
	for name := range need {
		if s.progs[name] == nil {
			return nil, fmt.Errorf("%s: listening items use program %q, which the study config does not list", db.Path, name)
		}
	}
	want := map[store.Key]bool{}
	for _, it := range sess.Items {
		want[it.Key] = true
	}
	err = db.EachTrial(ctx, store.Filter{}, func(t *store.Trial) error {
		if !want[t.Key()] {
			return nil
		}
		params := s.progs[t.Program].p.Params()
		if len(t.Target) != len(params) || len(t.Final) != len(params) {
			return fmt.Errorf("%s: trial %s has %d target and %d final values; program %s has %d sliders",
				db.Path, t.Key(), len(t.Target), len(t.Final), t.Program, len(params))
		}
		s.trials[t.Key()] = trialValues{target: t.Target, final: t.Final}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k := range want {
		if _, ok := s.trials[k]; !ok {
			return nil, fmt.Errorf("%s: listening item %s has no stored trial", db.Path, k)
		}
	}
	return s, nil
}

// loadStudyProgram compiles one program of the study and checks that it
// is the program the study ran (same Faust text).
func loadStudyProgram(sp study.Program, path string, rate float64) (*synth.Program, error) {
	if src, ok := strings.CutPrefix(sp.Source, "builtin:"); ok {
		text, found := synth.BuiltinSource(sp.Name)
		if !found {
			return nil, fmt.Errorf("program %q of the study is not built into this soundmatch", sp.Name)
		}
		if fingerprint(text) != src {
			return nil, fmt.Errorf("program %q: this soundmatch's built-in differs from the one the study ran (%s); use the soundmatch build the study was run with", sp.Name, sp.Source)
		}
		return synth.Load(sp.Name, rate)
	}
	if path == "" {
		return nil, fmt.Errorf("program %q of the study is a .dsp file; give it with --dsp PATH/%s.dsp", sp.Name, sp.Name)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if fingerprint(text) != sp.Source {
		return nil, fmt.Errorf("%s: not the program the study ran (its text has changed: %s, study has %s)", path, fingerprint(text), sp.Source)
	}
	return synth.Compile(path, text, rate)
}

func fingerprint(src []byte) string {
	sum := sha256.Sum256(src)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Render implements Sounds.
func (s *StudySounds) Render(ctx context.Context, k store.Key) (target, output []float64, rate int, err error) {
	v, ok := s.trials[k]
	if !ok {
		return nil, nil, 0, fmt.Errorf("no stored values for %s", k)
	}
	lp := s.progs[k.Program]
	target = make([]float64, s.samples)
	output = make([]float64, s.samples)
	lp.mu.Lock()
	lp.p.Render(v.target, target, nil)
	lp.p.Render(v.final, output, nil)
	lp.mu.Unlock()
	return target, output, s.rate, nil
}
