package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soundmatch/soundmatch/report"
	"github.com/soundmatch/soundmatch/stats"
	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/study"
	"github.com/spf13/cobra"
)

var reportFlags struct {
	db, out, variant, branch string
	seed                     uint64
	resamples                int
	alpha                    float64
	noPictures               bool
}

var reportCmd = &cobra.Command{
	Use:   "report --db FILE --out DIR",
	Short: "Write the study report: which loss is best for which synth",
	Long: `report reads a study database and writes DIR/report.md with

  1. "do the losses differ?": Kruskal-Wallis H, p and reject (alpha 0.05)
     per program and evaluation (MSS, P-Loss, listening), on the raw
     per-trial values;
  2. the rank table, loss x program x {MSS, P-Loss, listening}, from
     Scott-Knott ESD on 1000 bootstrap resamples of each group (statistic
     1/mean for MSS and P-Loss, mean for listening scores: higher = better),
     marking automatic ranks that differ from the listening rank;
  3. violin plots of the bootstrap distributions per program, coloured by
     rank (PNG and SVG);
  4. median training-loss curves per program and loss (PNG);
  5. agreement of MSS and P-Loss with the listening scores (Spearman per
     program) and between raters (Spearman over all ratings and per program).

Every table is also written as a CSV file. The report works on partial
studies and lists what is missing (no ratings yet, failed trials, pairs
with fewer than 2 trials, raters who have not finished). Everything but the
pictures is byte-for-byte reproducible for the same database and flags.

The bootstrap resamples, seed, alpha and Scott-Knott variant default to the
[evaluation] section of the study's config (by default 1000, seed 1, 0.05, np);
the flags below override it. With the config the report also lists the
pairs and trials the study plans but the database does not hold yet.

--variant np is the non-parametric Scott-Knott ESD (median order,
Kruskal-Wallis split, Cliff's delta); p is the parametric one (mean order,
sum-of-squares split, Cohen's d). --branch development (default) requires
every pair of a group to be negligible; master only its two ends.`,
	Example: `  soundmatch report --db study.db --out report
  soundmatch report --db study.db --out report-p --variant p
  soundmatch report --db study.db --out quick --no-pictures --resamples 200`,
	Args: cobra.NoArgs,
	RunE: runReport,
}

func init() {
	f := reportCmd.Flags()
	f.StringVar(&reportFlags.db, "db", "", "study database (required)")
	f.StringVar(&reportFlags.out, "out", "", "directory to write the report into (created if needed; required)")
	f.StringVar(&reportFlags.variant, "variant", "np", "Scott-Knott ESD version: np (non-parametric) or p (parametric); default from the study config")
	f.StringVar(&reportFlags.branch, "branch", "development", "negligible-group rule: development (all pairs) or master (the two ends)")
	f.Uint64Var(&reportFlags.seed, "seed", 1, "bootstrap seed; default from the study config")
	f.IntVar(&reportFlags.resamples, "resamples", 1000, "bootstrap resamples per group; default from the study config")
	f.Float64Var(&reportFlags.alpha, "alpha", 0.05, "significance level of the Kruskal-Wallis test; default from the study config")
	f.BoolVar(&reportFlags.noPictures, "no-pictures", false, "write only report.md and the CSV files")
	rootCmd.AddCommand(reportCmd)
}

func runReport(cmd *cobra.Command, _ []string) error {
	fl := reportFlags
	if fl.db == "" || fl.out == "" {
		return userErrf("report: --db FILE and --out DIR are required (see 'soundmatch report --help')")
	}
	if st, err := os.Stat(fl.out); err == nil && !st.IsDir() {
		return userErrf("--out %s: exists and is not a directory", fl.out)
	}
	db, err := store.OpenExisting(fl.db)
	if err != nil {
		return userErr(err)
	}
	defer db.Close()
	opt := report.DefaultOptions()
	// The study config fixes how the study is analysed; flags given on the
	// command line override it.
	text, _, err := db.Config(cmd.Context())
	switch {
	case errors.Is(err, store.ErrNoConfig):
	case err != nil:
		return err
	default:
		cfg, err := study.ParseCanonical(text)
		if err != nil {
			return userErrf("%s: %v", fl.db, err)
		}
		ev := cfg.Evaluation
		f := cmd.Flags()
		if ev.Bootstrap > 0 && !f.Changed("resamples") {
			fl.resamples = ev.Bootstrap
		}
		if ev.Alpha > 0 && !f.Changed("alpha") {
			fl.alpha = ev.Alpha
		}
		if ev.ScottKnott != "" && !f.Changed("variant") {
			fl.variant = ev.ScottKnott
		}
		if !f.Changed("seed") {
			fl.seed = ev.Seed
		}
		x := &report.Expected{Trials: cfg.Trials}
		for _, p := range cfg.Programs {
			x.Programs = append(x.Programs, p.Name)
		}
		for _, l := range cfg.Losses {
			x.Losses = append(x.Losses, l.Label)
		}
		opt.Expected = x
	}
	switch fl.variant {
	case "np":
	case "p":
		opt.Variant = stats.Parametric
	default:
		return userErrf("--variant %q: accepted values are np and p", fl.variant)
	}
	switch fl.branch {
	case "development":
	case "master":
		opt.Branch = stats.Master
	default:
		return userErrf("--branch %q: accepted values are development and master", fl.branch)
	}
	if fl.resamples < 1 {
		return userErrf("--resamples %d: must be at least 1", fl.resamples)
	}
	if !(fl.alpha > 0 && fl.alpha < 1) {
		return userErrf("--alpha %v: must be between 0 and 1", fl.alpha)
	}
	opt.Seed, opt.Resamples, opt.Alpha, opt.Pictures = fl.seed, fl.resamples, fl.alpha, !fl.noPictures
	// An unusable --out is the user's to fix: say so before the analysis runs.
	if err := os.MkdirAll(fl.out, 0o755); err != nil {
		return userErrf("--out %s: %v", fl.out, errors.Unwrap(err))
	}
	r, err := report.Analyze(cmd.Context(), db, opt)
	if err != nil {
		return err
	}
	files, err := r.Write(fl.out)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %s and %d more file(s) in %s\n", filepath.Join(fl.out, files[0]), len(files)-1, fl.out)
	if n := len(r.Missing); n > 0 {
		fmt.Fprintf(w, "missing (%d item(s), listed in report.md):\n", n)
		for i, m := range r.Missing {
			if i == 5 {
				fmt.Fprintf(w, "  ... and %d more\n", n-5)
				break
			}
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
	return nil
}
