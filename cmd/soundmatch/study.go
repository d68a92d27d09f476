package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/study"
)

func init() {
	cmd := &cobra.Command{
		Use:   "study",
		Short: "Run, resume, merge and export seeded studies of programs × losses",
		Long: `A study crosses synthesizer programs with losses over hundreds of seeded
trials per pair, and keeps every finished trial in one SQLite database.

  study run      run the trials of a config that the database does not hold yet
  study status   trials done, failed and remaining per (program, loss), throughput
  study merge    combine the databases of a study's shards
  study export   one CSV row per trial, for analysis elsewhere
  study config   print the built-in "paper" config, to start a custom one

The database stores the config it was made with; every later run, merge or
report on it checks that it is the same study. Trial i of a program draws
its target and start from a seed derived from the study seed, the program
name and i (and the loss, when paired = false), so results do not depend on
the number of workers, the shard split or the machine.`,
		Example: `  soundmatch study run paper --db paper.db
  soundmatch study run paper --db small.db --trials 10 --iterations 50 --losses l1-spec,dtw-envelope
  soundmatch study status --db paper.db
  soundmatch study export --db paper.db --csv paper.csv`,
	}
	cmd.AddCommand(studyRunCmd(), studyStatusCmd(), studyMergeCmd(), studyExportCmd(), studyConfigCmd())
	rootCmd.AddCommand(cmd)
}

func studyRunCmd() *cobra.Command {
	var (
		dbPath     string
		workers    int
		shard      string
		trials     int
		iterations int
		programs   string
		losses     string
		seed       uint64
		logEvery   int
		quiet      bool
	)
	c := &cobra.Command{
		Use:   "run [CONFIG|paper] --db FILE",
		Short: "Run the trials of a study that the database does not hold yet",
		Long: `run plans every trial of the study (CONFIG is a TOML file, or "paper" for
the method's default study: 4 built-in programs × l1-spec, simse-spec, dtw-envelope,
jtfs, scattering × 300 trials × 200 RMSProp updates), skips those already
stored in --db, and runs the rest on --workers goroutines, one trial each.

Each finished trial is committed in its own transaction: after Ctrl-C, a
kill -9 or a power cut, run the same command again and it continues with
the missing trials only, ending with exactly what an uninterrupted run would
have stored. A trial whose maths fails (NaN) is stored as failed, with the
reason, and the study goes on.

Without CONFIG, run resumes the study stored in --db (when its programs are
all built-in).

--trials, --iterations, --programs, --losses and --seed derive a smaller (or
different) study from CONFIG. The database remembers the config it was made
with (after these flags), and refuses a run with any other, naming the
fields that differ: use a new --db for a new study.

--shard k/N runs only the k-th (0 ≤ k < N) of N disjoint slices of the
trials, for running one study on N machines (a Slurm job array, a
Kubernetes Indexed Job: see deploy/README.md); combine the shard databases
with 'soundmatch study merge'. The merged result is identical to a run on
one machine.

On a terminal a progress bar shows done/total, rate and time left;
otherwise (a log file, a batch job) one line is printed every --log-every
trials.`,
		Example: `  # the paper's study on every core of this machine
  soundmatch study run paper --db paper.db

  # a quick smaller study from the same config
  soundmatch study run paper --db quick.db --trials 10 --iterations 50 --programs bp-noise,add-sinesaw

  # resume it later (same as repeating the command above)
  soundmatch study run --db quick.db

  # a custom study (see 'soundmatch study config' for the format)
  soundmatch study run mystudy.toml --db mystudy.db --workers 8

  # shard 3 of 16 of the paper study, into its own file
  soundmatch study run paper --db shard-3.db --shard 3/16`,
		Args: cobra.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dbPath == "" {
				return userErrf("study run: --db FILE is required (the database to store the trials in)")
			}
			var cfg *study.Config
			var err error
			if len(args) == 1 {
				cfg, err = study.Load(args[0])
			} else {
				cfg, err = storedConfig(cmd, dbPath)
			}
			if err != nil {
				return userErr(err)
			}
			f := cmd.Flags()
			if f.Changed("trials") {
				cfg.Trials = trials
			}
			if f.Changed("iterations") {
				cfg.Iterations = iterations
			}
			if f.Changed("seed") {
				cfg.Seed = seed
			}
			if programs != "" {
				if cfg.Programs, err = pickPrograms(cfg.Programs, programs); err != nil {
					return userErr(err)
				}
			}
			if losses != "" {
				cfg.Losses = pickLosses(cfg.Losses, losses)
			}
			if err := cfg.Validate(); err != nil {
				return userErr(err)
			}
			var sh study.Shard
			if shard != "" {
				if sh, err = study.ParseShard(shard); err != nil {
					return userErr(err)
				}
			}
			if workers < 0 {
				return userErrf("--workers %d: want 1 or more (0 = one per core)", workers)
			}
			runner, err := study.NewMatchRunner(cfg)
			if err != nil {
				return userErr(err)
			}
			if err := cfg.CheckLosses(); err != nil {
				return userErr(err)
			}
			db, err := store.Open(dbPath)
			if err != nil {
				return userErr(err)
			}
			defer db.Close()

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				// After the first Ctrl-C a second one kills at once.
				<-ctx.Done()
				stop()
			}()
			stderr := cmd.ErrOrStderr()
			rep := newStudyReporter(stderr, logEvery, quiet)
			build := study.ExecutableFingerprint()
			before, err := study.Builds(ctx, db)
			if err != nil {
				return err
			}
			sum, err := study.Run(ctx, db, cfg, study.Options{Workers: workers, Shard: sh, Runner: runner, Progress: rep.progress, Build: build})
			rep.finish()
			if sum.Ran > 0 && len(before) > 0 && !slices.Contains(before, build) {
				fmt.Fprintf(stderr, "study: warning: %s also holds trials computed by another build of soundmatch; if the maths changed between the builds, its results are mixed\n", dbPath)
			}
			if err != nil {
				var mm *study.ConfigMismatchError
				if errors.As(err, &mm) {
					return userErr(err)
				}
				return err
			}
			if !quiet {
				rate := ""
				if sum.Ran > 0 && sum.Elapsed > 0 {
					rate = fmt.Sprintf(" (%.3g trials/s)", float64(sum.Ran)/sum.Elapsed.Seconds())
				}
				fmt.Fprintf(stderr, "study: %d trials run (%d failed, %d diverged), %d already stored, in %s%s; %d of %d planned trials are in %s\n",
					sum.Ran, sum.Failed, sum.Diverged, sum.Skipped, sum.Elapsed.Round(time.Second), rate, sum.Ran+sum.Skipped, sum.Planned, dbPath)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&dbPath, "db", "", "study database `FILE` (created if missing)")
	f.IntVar(&workers, "workers", 0, "trials run at once, one goroutine each (0 = one per core)")
	f.StringVar(&shard, "shard", "", "run only slice `k/N` of the trials (0 ≤ k < N)")
	f.IntVar(&trials, "trials", 0, "override the trials per (program, loss) pair")
	f.IntVar(&iterations, "iterations", 0, "override the optimizer updates per trial")
	f.StringVar(&programs, "programs", "", "comma-separated `names` (or .dsp files): run these programs instead of the config's")
	f.StringVar(&losses, "losses", "", "comma-separated loss `labels`: run these losses instead of the config's")
	f.Uint64Var(&seed, "seed", 0, "override the study seed")
	f.IntVar(&logEvery, "log-every", 10, "without a terminal, print a progress line every `N` trials")
	f.BoolVarP(&quiet, "quiet", "q", false, "print nothing but errors")
	return c
}

// storedConfig reads the study config of an existing database, to resume
// it without its config file. Programs read from .dsp files need the file
// (the database keeps their fingerprint, not their text).
func storedConfig(cmd *cobra.Command, dbPath string) (*study.Config, error) {
	db, err := store.OpenExisting(dbPath)
	if err != nil {
		return nil, fmt.Errorf("study run: give a CONFIG (or \"paper\"): %v", err)
	}
	defer db.Close()
	text, _, err := db.Config(cmd.Context())
	if err != nil {
		return nil, err
	}
	cfg, err := study.ParseCanonical(text)
	if err != nil {
		return nil, err
	}
	for _, p := range cfg.Programs {
		if !strings.HasPrefix(p.Source, "builtin:") {
			return nil, fmt.Errorf("study run: %s uses the program file %s.dsp; give the study's config file to resume it", dbPath, p.Name)
		}
	}
	return cfg, nil
}

// pickPrograms selects programs of the config by name; a name the config
// does not list is taken as a built-in or a .dsp file.
func pickPrograms(have []study.Program, list string) ([]study.Program, error) {
	var out []study.Program
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, p := range have {
			if p.Name == name {
				out, found = append(out, p), true
				break
			}
		}
		if !found {
			p, err := study.ProgramRef(name, "")
			if err != nil {
				return nil, fmt.Errorf("--programs: %v", err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// pickLosses selects losses of the config by label; another name is a
// registered loss with its default settings.
func pickLosses(have []study.Loss, list string) []study.Loss {
	var out []study.Loss
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		l := study.Loss{Label: name, Name: name}
		for _, h := range have {
			if h.Label == name {
				l = h
				break
			}
		}
		out = append(out, l)
	}
	return out
}

// studyReporter shows progress: a bar on a terminal, a line every N trials
// otherwise.
type studyReporter struct {
	w        io.Writer
	every    int
	quiet    bool
	terminal bool
	bar      *progressbar.ProgressBar
}

func newStudyReporter(w io.Writer, every int, quiet bool) *studyReporter {
	r := &studyReporter{w: w, every: max(every, 1), quiet: quiet}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.terminal = true
	}
	return r
}

func (r *studyReporter) progress(p study.Progress) {
	if r.quiet {
		return
	}
	if r.terminal {
		if r.bar == nil {
			r.bar = progressbar.NewOptions(p.Total,
				progressbar.OptionSetWriter(r.w),
				progressbar.OptionSetDescription("study"),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("trials"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionSetWidth(30),
				progressbar.OptionSetRenderBlankState(true),
			)
		}
		r.bar.Set(p.Done)
		return
	}
	if p.Done == 0 {
		fmt.Fprintf(r.w, "study: %d trials to run on %d workers (%d already stored)\n", p.Total, p.Workers, p.Skipped)
		return
	}
	if p.Done%r.every != 0 && p.Done != p.Total {
		return
	}
	rate := float64(p.Done) / p.Elapsed.Seconds()
	eta := time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second))
	fmt.Fprintf(r.w, "study: %d/%d trials (%d failed), %.3g trials/s, elapsed %s, ETA %s\n",
		p.Done, p.Total, p.Failed, rate, p.Elapsed.Round(time.Second), eta.Round(time.Second))
}

func (r *studyReporter) finish() {
	if r.bar != nil {
		r.bar.Finish()
		fmt.Fprintln(r.w)
	}
}

func studyStatusCmd() *cobra.Command {
	var dbPath string
	c := &cobra.Command{
		Use:   "status --db FILE",
		Short: "Trials done, failed and remaining per (program, loss), and throughput",
		Long: `status reads a study database (it may be in use by a running 'study run')
and prints, per (program, loss) pair, the trials planned, stored (ok,
diverged, failed) and remaining, with their mean wall time; then the totals,
the recent throughput (over the last 100 stored trials) and the time left at
that rate. A shard's database counts against its shard only.`,
		Example: `  soundmatch study status --db paper.db
  watch -n 60 soundmatch study status --db paper.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dbPath == "" {
				return userErrf("study status: --db FILE is required")
			}
			db, err := store.OpenExisting(dbPath)
			if err != nil {
				return userErr(err)
			}
			defer db.Close()
			st, err := study.ReadStatus(cmd.Context(), db)
			if err != nil {
				if errors.Is(err, store.ErrNoConfig) {
					return userErr(err)
				}
				return err
			}
			out := cmd.OutOrStdout()
			scope := "study"
			if st.Shard != "" {
				scope = "shard " + st.Shard
			}
			fmt.Fprintf(out, "%s: %s, %d trials × %d iterations per pair, seed %d\n\n", dbPath, scope, st.Config.Trials, st.Config.Iterations, st.Config.Seed)
			tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "program\tloss\tplanned\tdone\tok\tdiverged\tfailed\tremaining\tmean_s\t")
			for _, p := range st.Pairs {
				mean := "-"
				if p.Done() > 0 {
					mean = fmt.Sprintf("%.2f", p.MeanWallMS/1000)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", p.Program, p.Loss, p.Planned, p.Done(), p.OK, p.Diverged, p.Failed, p.Planned-p.Done(), mean)
			}
			fmt.Fprintf(tw, "total\t\t%d\t%d\t%d\t%d\t%d\t%d\t\t\n", st.Planned, st.Done, st.Done-st.Diverged-st.Failed, st.Diverged, st.Failed, st.Remaining())
			tw.Flush()
			fmt.Fprintln(out)
			if st.Rate > 0 {
				fmt.Fprintf(out, "throughput: %.3g trials/s (last %d stored); last stored %s ago", st.Rate, min(st.Done, 100), time.Since(st.Last).Round(time.Second))
				if st.Remaining() > 0 {
					fmt.Fprintf(out, "; %s left at that rate", st.ETA().Round(time.Second))
				}
				fmt.Fprintln(out)
			}
			if st.Remaining() == 0 {
				fmt.Fprintln(out, "complete")
			}
			if len(st.Builds) > 1 {
				fmt.Fprintf(out, "warning: trials were computed by %d different builds of soundmatch (%s); if the maths changed between them, results are mixed\n", len(st.Builds), strings.Join(st.Builds, ", "))
			}
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "", "study database `FILE`")
	return c
}

func studyMergeCmd() *cobra.Command {
	var dbPath string
	c := &cobra.Command{
		Use:   "merge --db OUT IN...",
		Short: "Combine the databases of a study's shards",
		Long: `merge copies into OUT every trial of the IN databases that OUT does not hold.
OUT is created if missing. Before writing anything it checks that every
input holds the same study (the same config) as the others and as OUT, and
refuses otherwise, naming the fields that differ. A trial stored in two
files must have identical results (timings aside); if not, the trials in
question are named and nothing is merged. A merge is all or nothing: it
works on a copy that replaces OUT only when every input went in, so a
refusal, a full disk or a crash leaves OUT as it was.

Merging is idempotent: merging a file twice adds nothing.`,
		Example: `  soundmatch study merge --db paper.db shard-*.db
  soundmatch study status --db paper.db`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dbPath == "" {
				return userErrf("study merge: --db OUT is required")
			}
			for _, in := range args {
				if a, b := filepath.Clean(in), filepath.Clean(dbPath); a == b {
					return userErrf("study merge: %s is both the output and an input", in)
				}
			}
			res, err := study.MergeFiles(cmd.Context(), dbPath, args)
			if err != nil {
				return userErr(err)
			}
			for i, r := range res {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d trials added, %d already present\n", args[i], r.Added, r.Same)
			}
			if db, err := store.OpenExisting(dbPath); err == nil {
				if b, _ := study.Builds(cmd.Context(), db); len(b) > 1 {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s now holds trials computed by %d different builds of soundmatch; if the maths changed between them, results are mixed\n", dbPath, len(b))
				}
				db.Close()
			}
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "", "output database `OUT`")
	return c
}

func studyExportCmd() *cobra.Command {
	var dbPath, csvPath string
	c := &cobra.Command{
		Use:   "export --db FILE --csv OUT",
		Short: "Write one CSV row per trial",
		Long: `export writes every stored trial as one row of a tidy CSV file, ordered by
program, loss and trial index:

  ` + strings.Join(study.CSVHeader, ",") + `

params, target, start, final and final_u hold one value per slider,
separated by ";" (target/start/final are slider values, final_u the raw
optimizer variable). ploss is the L1 distance in [0,1]-normalized values,
ploss_u the Euclidean distance in u space; an empty field is a missing value
(NaN, e.g. the scores of a failed trial). Columns ending in _ms are timings;
every other byte of the file is the same for any --workers, shard split or
machine. --csv - writes to standard output.`,
		Example: `  soundmatch study export --db paper.db --csv paper.csv
  soundmatch study export --db paper.db --csv - | head`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dbPath == "" || csvPath == "" {
				return userErrf("study export: --db FILE and --csv OUT are required")
			}
			db, err := store.OpenExisting(dbPath)
			if err != nil {
				return userErr(err)
			}
			defer db.Close()
			if _, _, err := db.Config(cmd.Context()); err != nil {
				return userErr(err)
			}
			if csvPath == "-" {
				_, err := study.ExportCSV(cmd.Context(), db, cmd.OutOrStdout())
				return err
			}
			// Write beside the target and rename, so a failed export never
			// leaves a truncated file that looks complete.
			tmp, err := os.CreateTemp(filepath.Dir(csvPath), ".export-*.csv")
			if err != nil {
				return userErr(err)
			}
			defer os.Remove(tmp.Name())
			n, err := study.ExportCSV(cmd.Context(), db, tmp)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%s: %v", csvPath, err)
			}
			if err := os.Rename(tmp.Name(), csvPath); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d trials\n", csvPath, n)
			return nil
		},
	}
	c.Flags().StringVar(&dbPath, "db", "", "study database `FILE`")
	c.Flags().StringVar(&csvPath, "csv", "", "output CSV `OUT` (- for standard output)")
	return c
}

func studyConfigCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "config [paper]",
		Short: "Print the paper study's config, to start a custom one",
		Long: `config prints the built-in "paper" study as a commented TOML config file.
Edit a copy (programs may be .dsp files, relative to the config file;
losses take settings) and pass it to 'soundmatch study run'.`,
		Example: `  soundmatch study config > mystudy.toml
  soundmatch study run mystudy.toml --db mystudy.db`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] != "paper" {
				return userErrf("study config: unknown config %q (the built-in one is \"paper\")", args[0])
			}
			_, err := io.WriteString(cmd.OutOrStdout(), study.PaperText())
			return err
		},
	}
}
