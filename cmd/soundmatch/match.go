package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"gonum.org/v1/plot/vg"

	"github.com/soundmatch/soundmatch/audio"
	"github.com/soundmatch/soundmatch/figure"
	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/match"
	"github.com/soundmatch/soundmatch/optim"
	"github.com/soundmatch/soundmatch/synth"
)

// matchFlags are the flags of "soundmatch match".
type matchFlags struct {
	loss        string
	targets     []string
	targetFile  string
	inits       []string
	seed        uint64
	iters       int
	optimizer   string
	hybridSplit float64
	lr          float64
	out         string
	json        bool
	project     bool
	sets        []string
	rate        float64
	duration    float64
}

func newMatchCmd() *cobra.Command {
	f := &matchFlags{}
	cmd := &cobra.Command{
		Use:   "match PROGRAM --loss NAME [-t name=value]... | --target FILE [-i name=value]... [flags]",
		Short: "Match a program's sliders to a target sound by gradient descent",
		Long: `match turns the sliders of PROGRAM (a built-in name or a .dsp file) by
gradient descent until its sound matches a target, then reports the final
slider values, the final loss, the P-Loss (in-domain targets only) and the
multi-scale spectral distance (MSS) between the final and target sounds.

The target is either
  in-domain:      rendered by PROGRAM itself at the -t values; any slider not
                  given takes a random value drawn with --seed, or
  out-of-domain:  a sound file (--target): WAV (8/16/24/32-bit PCM or 32/64-bit
                  float, any rate, any number of channels, mixed to mono) or
                  raw little-endian float64 (.f64, taken at the program's rate).
                  It is resampled to the program's rate and cut or zero-padded
                  to the render length (--duration), with a warning.
The start is given with -i; sliders not given start at a random value drawn
with --seed (the draw of 'soundmatch study', so a seed gives the same trial).

Each iteration renders the sound with its derivative with respect to every
slider, evaluates the loss and its gradient, and updates the sliders (as
unitless u in [-1, 1]; a slider pushed past an end stops receiving gradient
and the trial is reported "diverged", unless --project clamps it). The
default is the method's: RMSProp, learning rate 0.045, 200 iterations.

Gradient-free searches (--optimizer cmaes, ga or random) and hybrids
(cmaes+rmsprop: a CMA-ES global search, then RMSProp from its best point;
--hybrid-split sets the search's share) spend the same budget, counted in
loss evaluations: --iters is then the number of evaluations, one per
gradient update or per probe of the search. Their trajectory has one row per
evaluation, with grad_norm NaN where no gradient was computed.

With --out DIR, match writes target.wav, output.wav (32-bit float WAV),
trajectory.csv (iteration, loss, grad_norm, then each slider's value; one
row per iteration), result.json, loss.png (the loss curve) and
spectrogram.png (target and output side by side). Every file is written
whole or not at all, so Ctrl-C leaves complete files: the target first, and
on interrupt the output and trajectory reached so far.

With --json, result.json is printed on stdout. Its keys: program, loss,
target, start, final, final_u (objects from slider name to value; target is
null out-of-domain), loss_final, p_loss (null out-of-domain), p_loss_u, mss,
iterations, seconds, status (ok, diverged, failed), reason, and the
settings used.

A progress bar is drawn on stderr when it is a terminal (not in pipes or CI).
Loss settings are given with --set name=value ('soundmatch losses' lists
them).`,
		Example: `  soundmatch match add-sinesaw --loss l1-spec -t saw_freq=440 -t sine_freq=220 --out run1
  soundmatch match bp-noise --loss dtw-envelope --seed 7 --json
  soundmatch match noise-am --loss simse-spec -t amp=2 -i amp=4 -i modulator=1 --optimizer adam --lr 0.02
  soundmatch match sinesaw-am --loss l1-spec --optimizer cmaes+rmsprop --iters 400 --out run3
  soundmatch match sinesaw-am --loss jtfs --set J=10 --target voice.wav --out run2
  soundmatch match my-synth.dsp --loss l1-spec --target target.f64 --iters 500 --project`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMatch(cmd, args[0], *f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.loss, "loss", "l1-spec", "training loss ("+strings.Join(loss.Names(), ", ")+")")
	fl.StringArrayVarP(&f.targets, "target-param", "t", nil, "in-domain target slider `name=value` (repeatable)")
	fl.StringVar(&f.targetFile, "target", "", "out-of-domain target sound `FILE` (.wav or .f64)")
	fl.StringArrayVarP(&f.inits, "init", "i", nil, "start slider `name=value` (repeatable)")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of the random target and start values")
	fl.IntVar(&f.iters, "iters", 200, "optimizer updates")
	fl.StringVar(&f.optimizer, "optimizer", "rmsprop", "optimizer: gradient ("+strings.Join(optim.Names(), ", ")+"), gradient-free ("+strings.Join(optim.SearcherNames, ", ")+"), or a hybrid search+gradient such as cmaes+rmsprop; --iters is then the budget in loss evaluations")
	fl.Float64Var(&f.hybridSplit, "hybrid-split", 0.5, "fraction of a hybrid's evaluations spent on the global search")
	fl.Float64Var(&f.lr, "lr", 0, "learning rate (0 = the optimizer's default, 0.045)")
	fl.StringVar(&f.out, "out", "", "write sounds, trajectory, result and pictures to `DIR`")
	fl.BoolVar(&f.json, "json", false, "print result.json on stdout")
	fl.BoolVar(&f.project, "project", false, "clamp sliders to their range after each update instead of letting them diverge")
	fl.StringArrayVar(&f.sets, "set", nil, "loss setting `name=value` (repeatable)")
	fl.Float64Var(&f.rate, "rate", 44100, "sample rate of the program in Hz")
	fl.Float64Var(&f.duration, "duration", 1, "render length in seconds")
	return cmd
}

func init() { rootCmd.AddCommand(newMatchCmd()) }

// matchResult is result.json.
type matchResult struct {
	Program      string             `json:"program"`
	Loss         string             `json:"loss"`
	Target       map[string]float64 `json:"target"`
	Start        map[string]float64 `json:"start"`
	Final        map[string]float64 `json:"final"`
	FinalU       map[string]float64 `json:"final_u"`
	LossFinal    *float64           `json:"loss_final"`
	PLoss        *float64           `json:"p_loss"`
	PLossU       *float64           `json:"p_loss_u"`
	MSS          *float64           `json:"mss"`
	Iterations   int                `json:"iterations"`
	Seconds      float64            `json:"seconds"`
	Status       string             `json:"status"`
	Reason       string             `json:"reason,omitempty"`
	TargetFile   string             `json:"target_file,omitempty"`
	Seed         uint64             `json:"seed"`
	Optimizer    string             `json:"optimizer"`
	LR           float64            `json:"lr"`
	Project      bool               `json:"project"`
	LossSettings map[string]string  `json:"loss_settings"`
	SampleRate   float64            `json:"sample_rate"`
	Samples      int                `json:"samples"`
}

func runMatch(cmd *cobra.Command, program string, f matchFlags) error {
	stderr := cmd.ErrOrStderr()
	if f.targetFile != "" && len(f.targets) > 0 {
		return userErrf("give either -t values (in-domain target) or --target FILE (out-of-domain), not both")
	}
	if f.iters < 0 {
		return userErrf("--iters %d: want 0 or more", f.iters)
	}
	if !(f.rate >= 1000 && f.rate <= 768000) || f.rate != math.Trunc(f.rate) {
		return userErrf("--rate %g: want a whole number of Hz from 1000 to 768000", f.rate)
	}
	n := int(math.Round(f.duration * f.rate))
	if !(f.duration > 0) || n < 1 || f.duration > 600 {
		return userErrf("--duration %g: want more than 0 and at most 600 seconds", f.duration)
	}
	spec, ok := loss.Lookup(f.loss)
	if !ok {
		return userErrf("unknown loss %q (accepted: %s)", f.loss, strings.Join(loss.Names(), ", "))
	}
	settings, err := parseSettings("--set", f.sets)
	if err != nil {
		return userErr(err)
	}
	resolved, err := spec.Resolve(settings)
	if err != nil {
		return userErr(err)
	}
	if !slices.Contains(match.OptimizerNames(), f.optimizer) {
		return userErrf("--optimizer: unknown optimizer %q (accepted: %s)", f.optimizer, strings.Join(match.OptimizerNames(), ", "))
	}
	if slices.Contains(optim.SearcherNames, f.optimizer) {
		// A pure search has no gradient step and stays inside the box:
		// these flags would be silently meaningless.
		for _, name := range []string{"lr", "project"} {
			if cmd.Flags().Changed(name) {
				return userErrf("--%s has no effect with --optimizer %s, a gradient-free search (it applies to rmsprop, adam, sgd and the gradient phase of hybrids such as cmaes+rmsprop)", name, f.optimizer)
			}
		}
	}
	if cmd.Flags().Changed("hybrid-split") && !strings.Contains(f.optimizer, "+") {
		return userErrf("--hybrid-split applies to hybrid optimizers such as cmaes+rmsprop, not --optimizer %s", f.optimizer)
	}
	if _, err := optim.New("rmsprop", 1, f.lr); err != nil {
		return userErr(fmt.Errorf("--lr %g: %v", f.lr, err))
	}
	if !(f.hybridSplit >= 0 && f.hybridSplit <= 1) {
		return userErrf("--hybrid-split %g: want a fraction in [0, 1]", f.hybridSplit)
	}
	prog, err := synth.Load(program, f.rate)
	if err != nil {
		return userErr(err)
	}
	params := prog.Params()
	if len(params) == 0 {
		return userErrf("%s has no sliders: nothing to match (a program for match declares hslider, vslider or nentry controls)", program)
	}
	drawnT, drawnS := match.DrawTrial(params, f.seed)

	var targetValues []float64
	target := make([]float64, n)
	if f.targetFile != "" {
		if err := matchReadTarget(f.targetFile, target, int(f.rate), stderr); err != nil {
			return userErr(err)
		}
	} else {
		targetValues = drawnT
		if err := applySliders(prog, "-t", f.targets, targetValues); err != nil {
			return userErr(err)
		}
		prog.Render(targetValues, target, nil)
	}
	start := drawnS
	if err := applySliders(prog, "-i", f.inits, start); err != nil {
		return userErr(err)
	}

	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return userErr(err)
		}
		if err := audio.WriteFile(filepath.Join(f.out, "target.wav"), target, int(f.rate)); err != nil {
			return err
		}
	}

	cfg := match.DefaultConfig()
	cfg.Loss, cfg.LossSettings, cfg.Iterations = f.loss, settings, f.iters
	cfg.Optimizer, cfg.LR, cfg.Project = f.optimizer, f.lr, f.project
	cfg.Seed, cfg.HybridSplit = f.seed, f.hybridSplit

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var progress func(int)
	if bar := matchProgressBar(stderr, f.iters, prog.Name()+" / "+f.loss); bar != nil {
		progress = func(int) { bar.Add(1) }
		defer bar.Finish()
	}
	res, runErr := match.Run(ctx, prog, target, targetValues, start, cfg, progress)
	interrupted := runErr != nil && (errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded))
	if runErr != nil && !interrupted {
		return userErr(runErr)
	}
	lr := f.lr
	if lr == 0 {
		lr = optim.DefaultLR
	}
	out := matchResult{
		Program: res.Program, Loss: res.Loss,
		Target: matchNamed(params, res.Target), Start: matchNamed(params, res.Start),
		Final: matchNamed(params, res.Final), FinalU: matchNamed(params, res.FinalU),
		LossFinal: matchNum(res.LossFinal), PLoss: matchNum(res.PLoss), PLossU: matchNum(res.PLossU),
		MSS: matchNum(res.MSS), Iterations: res.Iterations, Seconds: res.Seconds,
		Status: res.Status, Reason: res.Reason, TargetFile: f.targetFile, Seed: f.seed,
		Optimizer: f.optimizer, LR: lr, Project: f.project, LossSettings: resolved,
		SampleRate: f.rate, Samples: n,
	}
	js, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	js = append(js, '\n')
	var written []string
	if f.out != "" {
		if written, err = matchWriteOutputs(f.out, prog, res, js, int(f.rate), target); err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	if f.json {
		w.Write(js)
	} else {
		matchSummary(w, params, res, f.out, written)
	}
	if interrupted {
		where := ""
		if f.out != "" {
			where = "; files written to " + f.out
		}
		return fmt.Errorf("interrupted after %d of %d iterations%s", res.Iterations, f.iters, where)
	}
	return nil
}

// matchReadTarget reads an out-of-domain target into dst (the render
// length): mono mixdown, resampled to rate, cut or zero-padded.
func matchReadTarget(path string, dst []float64, rate int, warn io.Writer) error {
	x, fileRate, err := audio.ReadFile(path)
	if err != nil {
		return err
	}
	if fileRate == 0 {
		fileRate = rate // .f64 carries no rate: it is taken at the program's
	}
	if fileRate != rate {
		fmt.Fprintf(warn, "soundmatch: note: %s is at %d Hz; resampled to %d Hz\n", path, fileRate, rate)
		x = audio.Resample(x, fileRate, rate)
	}
	secs := func(k int) string { return strconv.FormatFloat(float64(k)/float64(rate), 'g', 4, 64) + " s" }
	switch {
	case len(x) > len(dst):
		fmt.Fprintf(warn, "soundmatch: warning: %s lasts %s; cut to the render length %s\n", path, secs(len(x)), secs(len(dst)))
	case len(x) < len(dst):
		fmt.Fprintf(warn, "soundmatch: warning: %s lasts %s; zero-padded to the render length %s\n", path, secs(len(x)), secs(len(dst)))
	}
	clear(dst)
	copy(dst, x)
	return nil
}

func matchNamed(params []synth.Param, v []float64) map[string]float64 {
	if v == nil {
		return nil
	}
	m := make(map[string]float64, len(v))
	for k, p := range params {
		m[p.Name] = v[k]
	}
	return m
}

// matchNum maps NaN and ±Inf (not representable in JSON) to null.
func matchNum(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// matchProgressBar returns a progress bar on w when w is a terminal and the
// environment is not CI; nil otherwise.
func matchProgressBar(w io.Writer, n int, desc string) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("CI") != "" || n == 0 {
		return nil
	}
	return progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func matchSummary(w io.Writer, params []synth.Param, res *match.Result, dir string, written []string) {
	fmt.Fprintf(w, "%s matched with %s: %d iterations in %.2f s, status %s", res.Program, res.Loss, res.Iterations, res.Seconds, res.Status)
	if res.Reason != "" {
		fmt.Fprintf(w, " (%s)", res.Reason)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-12s %12s %12s %12s\n", "slider", "target", "start", "final")
	for k, p := range params {
		t := "-"
		if res.Target != nil {
			t = strconv.FormatFloat(res.Target[k], 'g', 6, 64)
		}
		fmt.Fprintf(w, "  %-12s %12s %12.6g %12.6g\n", p.Name, t, res.Start[k], res.Final[k])
	}
	switch {
	case len(res.Trajectory) > 0 && slices.Equal(res.Trajectory[0].Values, res.Start):
		fmt.Fprintf(w, "  loss %.6g → %.6g", res.Trajectory[0].Loss, res.LossFinal)
	case len(res.Trajectory) > 0:
		// A search (CMA-ES, GA, random) probes around the start without
		// evaluating it: its first loss is not the start's.
		fmt.Fprintf(w, "  loss %.6g (first probe) → %.6g", res.Trajectory[0].Loss, res.LossFinal)
	default:
		fmt.Fprintf(w, "  loss %.6g", res.LossFinal)
	}
	if !math.IsNaN(res.PLoss) {
		fmt.Fprintf(w, "   P-Loss %.4f", res.PLoss)
	}
	fmt.Fprintf(w, "   MSS %.4f\n", res.MSS)
	if dir != "" {
		fmt.Fprintf(w, "wrote %s: %s\n", dir, strings.Join(written, " "))
	}
}

// matchWriteOutputs writes everything after the run, each file atomically,
// and returns the names of all the files in dir (target.wav included). The
// loss curve is left out when no iteration ran.
func matchWriteOutputs(dir string, prog *synth.Program, res *match.Result, js []byte, rate int, target []float64) ([]string, error) {
	written := []string{"target.wav"}
	if err := audio.WriteFile(filepath.Join(dir, "output.wav"), res.Output, rate); err != nil {
		return written, err
	}
	written = append(written, "output.wav")
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	head := []string{"iteration", "loss", "grad_norm"}
	for _, p := range prog.Params() {
		head = append(head, p.Name)
	}
	cw.Write(head)
	row := make([]string, len(head))
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, st := range res.Trajectory {
		row = row[:0]
		row = append(row, strconv.Itoa(st.Iter), g(st.Loss), g(st.GradNorm))
		for _, v := range st.Values {
			row = append(row, g(v))
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := matchWriteAtomic(filepath.Join(dir, "trajectory.csv"), buf.Bytes()); err != nil {
		return written, err
	}
	written = append(written, "trajectory.csv")
	if err := matchWriteAtomic(filepath.Join(dir, "result.json"), js); err != nil {
		return written, err
	}
	written = append(written, "result.json")
	title := res.Program + " / " + res.Loss
	if len(res.Trajectory) > 0 {
		losses := make([]float64, len(res.Trajectory))
		for i, st := range res.Trajectory {
			losses[i] = st.Loss
		}
		p, err := figure.LossCurve(title, res.Loss, losses)
		if err == nil {
			tmp := filepath.Join(dir, ".loss.tmp.png")
			if err = figure.Save(p, tmp, 7*vg.Inch, 4.5*vg.Inch); err == nil {
				err = os.Rename(tmp, filepath.Join(dir, "loss.png"))
			}
			if err != nil {
				os.Remove(tmp)
				return written, err
			}
			written = append(written, "loss.png")
		}
	}
	if !slices.Contains(written, "loss.png") {
		os.Remove(filepath.Join(dir, "loss.png")) // not a previous run's curve
	}
	if err := figure.SaveSpectrograms(title, target, res.Output, float64(rate), filepath.Join(dir, "spectrogram.png")); err != nil {
		return written, err
	}
	return append(written, "spectrogram.png"), nil
}

// matchWriteAtomic writes data beside path under a temporary name and
// renames it over path, so an interrupted run never leaves half a file.
func matchWriteAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
