// Package study runs a grid of sound-matching trials — programs × losses ×
// seeded trial indices — into a store database: it reads the study config,
// plans every trial deterministically (so any worker count, shard split or
// machine gives the same records), runs them on a pool of goroutines, and
// resumes where a previous run stopped. It also merges shard databases,
// summarizes progress and exports the trials as CSV.
package study

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/soundmatch/soundmatch/match"

	"github.com/soundmatch/soundmatch/synth"
)

// Config is a study: which programs and losses, how many trials, and how
// each trial is optimized and evaluated. Its canonical text (Canonical) is
// stored in the database and identifies the study.
type Config struct {
	// Seed is the study seed every trial seed is derived from.
	Seed uint64 `toml:"seed"`
	// Trials is the number of trials per (program, loss) pair.
	Trials int `toml:"trials"`
	// Iterations is the number of optimizer updates per trial.
	Iterations int `toml:"iterations"`
	// Paired gives trial i of a program the same target and start for
	// every loss (METHOD §2); otherwise the loss enters the seed too.
	Paired bool `toml:"paired"`
	// SampleRate and Samples fix the rendering (METHOD §1: 44100 Hz, 1 s).
	SampleRate float64 `toml:"sample_rate"`
	Samples    int     `toml:"samples"`

	Programs []Program `toml:"programs"`
	Losses   []Loss    `toml:"losses"`

	Optimizer  Optimizer  `toml:"optimizer"`
	Evaluation Evaluation `toml:"evaluation"`

	// Build says which machines compute the same bits for this study
	// (Numerics): "portable" for all of them, or one architecture such as
	// "amd64 GOAMD64=v1". Canonical always writes it, so a database (or a
	// merge of shards) never mixes results that machines would round
	// differently.
	Build string `toml:"build"`
}

// Program is one synthesizer program of a study.
type Program struct {
	// Name identifies the program in the records (and in trial seeds): a
	// built-in's name, or a .dsp file's base name without extension.
	Name string `toml:"name"`
	// Source fingerprints the program's Faust text: "builtin:sha256:<hex>"
	// or "sha256:<hex>" of a .dsp file, so a changed program makes another
	// study.
	Source string `toml:"source"`
	// Path is where a .dsp program was read from. It is not part of the
	// canonical text: shards on different machines may keep it elsewhere.
	Path string `toml:"-"`
}

// Loss is one training loss of a study.
type Loss struct {
	// Label names the loss in the records; it defaults to Name and must be
	// set when the same loss appears twice with different settings.
	Label string `toml:"label"`
	// Name is the registered loss (loss.Names()).
	Name string `toml:"name"`
	// Settings override the loss's defaults (loss.Spec.Settings).
	Settings map[string]string `toml:"settings,omitempty"`
	// Optimizer, when set, replaces the study's optimizer for this arm, so
	// a study can rank optimizers (or loss × optimizer combinations) the
	// way it ranks losses: give each arm its own label.
	Optimizer *Optimizer `toml:"optimizer,omitempty"`
}

// Optimizer configures the update rule (METHOD §3): a gradient optimizer
// (rmsprop, adam, sgd), a gradient-free search (cmaes, ga, random) or a
// hybrid such as cmaes+rmsprop (match.OptimizerNames). For gradient-free
// and hybrid optimizers the study's iterations are the budget in loss
// evaluations, and the trial's seed drives the search.
type Optimizer struct {
	Name    string  `toml:"name"`
	LR      float64 `toml:"lr"`
	Project bool    `toml:"project"`
	// HybridSplit is the share of a hybrid's budget spent on the global
	// search (0 means one half).
	HybridSplit float64 `toml:"hybrid_split,omitempty"`
}

// OptimizerFor returns the optimizer an arm runs with: its own, or the
// study's.
func (c *Config) OptimizerFor(l Loss) Optimizer {
	if l.Optimizer != nil {
		return *l.Optimizer
	}
	return c.Optimizer
}

// Evaluation holds the settings the listening test and the report use.
// They are part of the study so that every reader analyses it the same way.
type Evaluation struct {
	ListenTrials int     `toml:"listen_trials"` // trials drawn per pair for listening (METHOD §7)
	Bootstrap    int     `toml:"bootstrap"`     // resamples (METHOD §8)
	Alpha        float64 `toml:"alpha"`         // Kruskal-Wallis significance level
	ScottKnott   string  `toml:"scott_knott"`   // "np" (default) or "p"
	Seed         uint64  `toml:"seed"`          // for listening draws and bootstrap
}

// Builtins lists the programs of the paper study (METHOD §1).
var Builtins = []string{"bp-noise", "add-sinesaw", "noise-am", "sinesaw-am"}

// PaperLosses lists the losses of the paper study, in its column order.
var PaperLosses = []string{"l1-spec", "simse-spec", "dtw-envelope", "jtfs", "scattering"}

// Paper returns the study of METHOD: the four built-in programs × l1-spec,
// simse-spec, dtw-envelope, jtfs and scattering × 300 paired trials × 200
// RMSProp updates at learning rate 0.045, 1 s at 44100 Hz.
func Paper() *Config {
	c := &Config{
		Seed:       1,
		Trials:     300,
		Iterations: 200,
		Paired:     true,
		SampleRate: 44100,
		Samples:    44100,
		Optimizer:  Optimizer{Name: "rmsprop", LR: 0.045},
		Evaluation: Evaluation{ListenTrials: 40, Bootstrap: 1000, Alpha: 0.05, ScottKnott: "np", Seed: 1},
	}
	for _, name := range Builtins {
		p, err := builtinRef(name)
		if err != nil {
			panic("study: the paper's program is not built in: " + name)
		}
		c.Programs = append(c.Programs, p)
	}
	for _, l := range PaperLosses {
		c.Losses = append(c.Losses, Loss{Label: l, Name: l})
	}
	return c
}

// PaperText is the paper study written as a config file: the starting
// point for a custom study ('soundmatch study config paper').
func PaperText() string {
	return `# soundmatch study config: the study of METHOD ("paper").
# Every trial seed derives from seed, the program name and the trial index
# (and the loss label when paired = false).
seed = 1
trials = 300         # per (program, loss) pair
iterations = 200     # optimizer updates per trial
paired = true        # trial i of a program has the same target and start for every loss
sample_rate = 44100
samples = 44100      # 1 s

# Built-in names or .dsp files (relative to this file).
programs = ["bp-noise", "add-sinesaw", "noise-am", "sinesaw-am"]

# One [[losses]] table per loss; label defaults to name, settings override
# the loss's defaults ('soundmatch losses' lists them). An arm may bring its
# own optimizer, so a study can rank optimizers like losses, e.g.
#   [[losses]]
#   name = "l1-spec"
#   label = "l1-spec/cmaes+rmsprop"
#   optimizer = { name = "cmaes+rmsprop", hybrid_split = 0.5 }
[[losses]]
name = "l1-spec"
[[losses]]
name = "simse-spec"
[[losses]]
name = "dtw-envelope"
[[losses]]
name = "jtfs"
[[losses]]
name = "scattering"

[optimizer]
name = "rmsprop"     # rmsprop, adam, sgd; cmaes, ga, random; or a hybrid such as cmaes+rmsprop
                     # (gradient-free and hybrid: iterations = budget in loss evaluations)
lr = 0.045
project = false      # clip u back into [-1, 1] after each update

[evaluation]
listen_trials = 40   # trials per pair in the listening test
bootstrap = 1000     # bootstrap resamples
alpha = 0.05         # Kruskal-Wallis level
scott_knott = "np"   # np (non-parametric ESD) or p
seed = 1
`
}

// fileConfig is the shape of a config file: programs are plain strings
// (names or paths) and settings may be written as TOML numbers.
type fileConfig struct {
	Seed       *uint64       `toml:"seed"`
	Trials     *int          `toml:"trials"`
	Iterations *int          `toml:"iterations"`
	Paired     *bool         `toml:"paired"`
	SampleRate *float64      `toml:"sample_rate"`
	Samples    *int          `toml:"samples"`
	Programs   []string      `toml:"programs"`
	Losses     []fileLoss    `toml:"losses"`
	Optimizer  fileOptimizer `toml:"optimizer"`
	Evaluation struct {
		ListenTrials *int     `toml:"listen_trials"`
		Bootstrap    *int     `toml:"bootstrap"`
		Alpha        *float64 `toml:"alpha"`
		ScottKnott   *string  `toml:"scott_knott"`
		Seed         *uint64  `toml:"seed"`
	} `toml:"evaluation"`
}

type fileLoss struct {
	Label     string         `toml:"label"`
	Name      string         `toml:"name"`
	Settings  map[string]any `toml:"settings"`
	Optimizer *fileOptimizer `toml:"optimizer"`
}

type fileOptimizer struct {
	Name        *string  `toml:"name"`
	LR          *float64 `toml:"lr"`
	Project     *bool    `toml:"project"`
	HybridSplit *float64 `toml:"hybrid_split"`
}

// apply overrides o's fields with those the file sets.
func (f fileOptimizer) apply(o *Optimizer) {
	if f.Name != nil {
		o.Name = *f.Name
	}
	if f.LR != nil {
		o.LR = *f.LR
	}
	if f.Project != nil {
		o.Project = *f.Project
	}
	if f.HybridSplit != nil {
		o.HybridSplit = *f.HybridSplit
	}
}

// Load reads a study config: the word "paper" for the built-in study, or a
// TOML file. Fields a file leaves out take the paper's values.
func Load(nameOrPath string) (*Config, error) {
	if nameOrPath == "paper" {
		return Paper(), nil
	}
	src, err := os.ReadFile(nameOrPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such study config (give a .toml file or \"paper\")", nameOrPath)
		}
		return nil, err
	}
	return Parse(nameOrPath, src)
}

// Parse reads a study config from TOML text; filename names it in errors
// and anchors relative .dsp paths.
func Parse(filename string, src []byte) (*Config, error) {
	var f fileConfig
	dec := toml.NewDecoder(bytes.NewReader(src)).DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var de *toml.DecodeError
		var se *toml.StrictMissingError
		switch {
		case errors.As(err, &se) && len(se.Errors) > 0:
			e := se.Errors[0]
			row, col := e.Position()
			return nil, fmt.Errorf("%s:%d:%d: unknown field %q (accepted: seed, trials, iterations, paired, sample_rate, samples, programs, [[losses]] name/label/settings/optimizer, [optimizer] name/lr/project/hybrid_split, [evaluation] listen_trials/bootstrap/alpha/scott_knott/seed)",
				filename, row, col, strings.Join(e.Key(), "."))
		case errors.As(err, &de):
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: %v", filename, row, col, de.Error())
		}
		return nil, fmt.Errorf("%s: %v", filename, err)
	}
	c := Paper()
	set := func(dst any, src any) {
		switch d := dst.(type) {
		case *uint64:
			if s := src.(*uint64); s != nil {
				*d = *s
			}
		case *int:
			if s := src.(*int); s != nil {
				*d = *s
			}
		case *bool:
			if s := src.(*bool); s != nil {
				*d = *s
			}
		case *float64:
			if s := src.(*float64); s != nil {
				*d = *s
			}
		case *string:
			if s := src.(*string); s != nil {
				*d = *s
			}
		}
	}
	set(&c.Seed, f.Seed)
	set(&c.Trials, f.Trials)
	set(&c.Iterations, f.Iterations)
	set(&c.Paired, f.Paired)
	set(&c.SampleRate, f.SampleRate)
	set(&c.Samples, f.Samples)
	f.Optimizer.apply(&c.Optimizer)
	set(&c.Evaluation.ListenTrials, f.Evaluation.ListenTrials)
	set(&c.Evaluation.Bootstrap, f.Evaluation.Bootstrap)
	set(&c.Evaluation.Alpha, f.Evaluation.Alpha)
	set(&c.Evaluation.ScottKnott, f.Evaluation.ScottKnott)
	set(&c.Evaluation.Seed, f.Evaluation.Seed)
	if f.Programs != nil {
		c.Programs = nil
		dir := filepath.Dir(filename)
		for _, p := range f.Programs {
			prog, err := ProgramRef(p, dir)
			if err != nil {
				return nil, fmt.Errorf("%s: programs: %v", filename, err)
			}
			c.Programs = append(c.Programs, prog)
		}
	}
	if f.Losses != nil {
		c.Losses = nil
		for i, l := range f.Losses {
			settings := map[string]string{}
			for k, v := range l.Settings {
				s, err := settingText(v)
				if err != nil {
					return nil, fmt.Errorf("%s: losses[%d] %s: setting %s: %v", filename, i, l.Name, k, err)
				}
				settings[k] = s
			}
			if len(settings) == 0 {
				settings = nil
			}
			label := l.Label
			if label == "" {
				label = l.Name
			}
			arm := Loss{Label: label, Name: l.Name, Settings: settings}
			if l.Optimizer != nil {
				o := c.Optimizer
				l.Optimizer.apply(&o)
				arm.Optimizer = &o
			}
			c.Losses = append(c.Losses, arm)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", filename, err)
	}
	return c, nil
}

// settingText writes a TOML value the way loss settings are written on a
// command line.
func settingText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("want a string, number or boolean, got %T", v)
}

// ProgramRef makes a Program from a built-in name or a .dsp path (relative
// paths are taken from dir). A .dsp file is read to fingerprint it.
func ProgramRef(nameOrPath, dir string) (Program, error) {
	if !strings.HasSuffix(nameOrPath, ".dsp") {
		return builtinRef(nameOrPath)
	}
	path := nameOrPath
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return Program{}, fmt.Errorf("%s: %v", nameOrPath, err)
	}
	sum := sha256.Sum256(src)
	return Program{
		Name:   strings.TrimSuffix(filepath.Base(path), ".dsp"),
		Source: "sha256:" + hex.EncodeToString(sum[:]),
		Path:   path,
	}, nil
}

// builtinRef fingerprints a built-in program by its embedded source, so a
// database made by a build with another version of the program is another
// study.
func builtinRef(name string) (Program, error) {
	src, ok := synth.BuiltinSource(name)
	if !ok {
		return Program{}, fmt.Errorf("unknown program %q: want a built-in (%s) or a .dsp file", name, strings.Join(synth.Builtins(), ", "))
	}
	sum := sha256.Sum256(src)
	return Program{Name: name, Source: "builtin:sha256:" + hex.EncodeToString(sum[:])}, nil
}

// Validate checks the config for values no study can use.
func (c *Config) Validate() error {
	if c.Trials < 1 {
		return fmt.Errorf("trials = %d: want at least 1", c.Trials)
	}
	if c.Iterations < 0 {
		return fmt.Errorf("iterations = %d: want 0 or more", c.Iterations)
	}
	if !(c.SampleRate > 0) || math.IsInf(c.SampleRate, 0) {
		return fmt.Errorf("sample_rate = %v: want a positive number of Hz", c.SampleRate)
	}
	if c.Samples < 1 {
		return fmt.Errorf("samples = %d: want at least 1", c.Samples)
	}
	if len(c.Programs) == 0 {
		return fmt.Errorf("no programs: list built-in names (%s) or .dsp files", strings.Join(Builtins, ", "))
	}
	if len(c.Losses) == 0 {
		return fmt.Errorf("no losses: add [[losses]] tables")
	}
	seen := map[string]bool{}
	for _, p := range c.Programs {
		if seen[p.Name] {
			return fmt.Errorf("program %q appears twice (a .dsp file is named by its base name)", p.Name)
		}
		seen[p.Name] = true
	}
	seen = map[string]bool{}
	for _, l := range c.Losses {
		if l.Name == "" {
			return fmt.Errorf("a [[losses]] table has no name")
		}
		if seen[l.Label] {
			return fmt.Errorf("loss %q appears twice: give the copies different labels", l.Label)
		}
		seen[l.Label] = true
	}
	if err := c.Optimizer.validate("optimizer"); err != nil {
		return err
	}
	for _, l := range c.Losses {
		if l.Optimizer != nil {
			if err := l.Optimizer.validate("loss " + l.Label + ": optimizer"); err != nil {
				return err
			}
		}
	}
	switch c.Evaluation.ScottKnott {
	case "np", "p":
	default:
		return fmt.Errorf("evaluation scott_knott = %q: want np or p", c.Evaluation.ScottKnott)
	}
	if c.Evaluation.ListenTrials < 0 || c.Evaluation.Bootstrap < 1 || !(c.Evaluation.Alpha > 0 && c.Evaluation.Alpha < 1) {
		return fmt.Errorf("evaluation: want listen_trials ≥ 0, bootstrap ≥ 1 and 0 < alpha < 1")
	}
	return nil
}

// Canonical is the config's identity as text: every field that changes
// what a trial computes, in a fixed order, with loss settings resolved by
// resolve (when non-nil) so that writing out a default does not make a new
// study. It is what the database stores and what its hash is taken of.
func (c *Config) Canonical(resolve func(name string, overrides map[string]string) (map[string]string, error)) (string, error) {
	cc := *c
	cc.Build = c.Numerics()
	cc.Losses = make([]Loss, len(c.Losses))
	for i, l := range c.Losses {
		s := l.Settings
		if resolve != nil {
			r, err := resolve(l.Name, l.Settings)
			if err != nil {
				return "", err
			}
			s = r
		}
		if len(s) == 0 {
			s = nil
		}
		cc.Losses[i] = Loss{Label: l.Label, Name: l.Name, Settings: s, Optimizer: l.Optimizer}
	}
	var buf bytes.Buffer
	buf.WriteString("# soundmatch study (canonical form; its SHA-256 identifies the study)\n")
	enc := toml.NewEncoder(&buf)
	if err := enc.Encode(cc); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// Portable is the Numerics of a study every machine computes to the same
// bits.
const Portable = "portable"

// Numerics names what, besides the config, decides the bits of the
// study's results. soundmatch's own numerics (synthesizer, losses, FFTs,
// scattering, gradient optimizers, the genetic and random searches) give
// the same bits on every machine: no product is fused into a
// multiply-add and the elementary functions are its own, not the
// architecture's. So a study is Portable, and shards run on amd64 and
// arm64 machines merge, unless an arm uses CMA-ES, which runs on gonum's
// linear algebra (assembly on amd64, fused multiply-adds on arm64): then
// it is the running binary's architecture (BuildArch).
func (c *Config) Numerics() string {
	for _, l := range c.Losses {
		if strings.Contains(c.OptimizerFor(l).Name, "cmaes") {
			return BuildArch()
		}
	}
	if len(c.Losses) == 0 && strings.Contains(c.Optimizer.Name, "cmaes") {
		return BuildArch()
	}
	return Portable
}

// BuildArch names the architecture of the running binary and its
// instruction-set level (the GOAMD64, GOARM64, ... build setting): the
// inputs besides the config that decide the bits of a result.
func BuildArch() string {
	arch := runtime.GOARCH
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return arch
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOAMD64", "GOARM64", "GOARM", "GO386", "GOPPC64", "GORISCV64", "GOMIPS", "GOMIPS64", "GOLOONG64":
			arch += " " + s.Key + "=" + s.Value
		}
	}
	return arch
}

// ParseCanonical reads back a config stored by a database.
func ParseCanonical(text string) (*Config, error) {
	var c Config
	if err := toml.Unmarshal([]byte(text), &c); err != nil {
		return nil, fmt.Errorf("stored study config: %v", err)
	}
	return &c, nil
}

// Diff explains how two canonical config texts differ, one line per
// field: "trials: 300 (database) vs 10 (given)".
func Diff(have, want string) []string { return diffNamed(have, want, "database", "given") }

func diffNamed(have, want, haveName, wantName string) []string {
	a, b := flatten(have), flatten(want)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []string
	for _, k := range sorted {
		va, oka := a[k]
		vb, okb := b[k]
		switch {
		case oka && okb && va == vb:
		case !oka:
			out = append(out, fmt.Sprintf("%s: unset (%s) vs %s (%s)", k, haveName, vb, wantName))
		case !okb:
			out = append(out, fmt.Sprintf("%s: %s (%s) vs unset (%s)", k, va, haveName, wantName))
		default:
			out = append(out, fmt.Sprintf("%s: %s (%s) vs %s (%s)", k, va, haveName, vb, wantName))
		}
	}
	return out
}

func flatten(text string) map[string]string {
	var m map[string]any
	out := map[string]string{}
	if err := toml.Unmarshal([]byte(text), &m); err != nil {
		out["(config)"] = "unreadable"
		return out
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, e)
			}
		case []any:
			allScalar := true
			for _, e := range x {
				switch e.(type) {
				case map[string]any, []any:
					allScalar = false
				}
			}
			if allScalar {
				out[prefix] = fmt.Sprint(x)
				return
			}
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", prefix, i), e)
			}
		default:
			out[prefix] = fmt.Sprint(x)
		}
	}
	walk("", m)
	return out
}

func (o Optimizer) validate(what string) error {
	if !slices.Contains(match.OptimizerNames(), o.Name) {
		return fmt.Errorf("%s name = %q: unknown optimizer (accepted: %s)", what, o.Name, strings.Join(match.OptimizerNames(), ", "))
	}
	if !(o.LR >= 0) || math.IsInf(o.LR, 0) {
		return fmt.Errorf("%s lr = %v: want 0 (the optimizer's default) or more", what, o.LR)
	}
	if !(o.HybridSplit >= 0 && o.HybridSplit <= 1) {
		return fmt.Errorf("%s hybrid_split = %v: want a fraction in [0, 1]", what, o.HybridSplit)
	}
	return nil
}
