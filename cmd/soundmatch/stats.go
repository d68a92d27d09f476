package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/soundmatch/soundmatch/stats"
	"github.com/spf13/cobra"
)

var statsJSON bool
var statsBranch string

var statsCmd = &cobra.Command{
	Use:   "stats",
	Short: "Run the study's statistical tests on any CSV data",
	Long: `stats runs the tests soundmatch ranks losses with on data of your own,
so results can be checked against R or scipy, or used for other studies.

FILE.csv has one column per group (treatment) and a header row of group
names. Cells must be numbers; empty cells are allowed at the ends of
columns, so groups may have different sizes. Subcommands:

  kruskal   Kruskal-Wallis H test (tie-corrected) across all columns
  spearman  Spearman's rank correlation of exactly two columns (pairs by row)
  npsk      Scott-Knott ESD, non-parametric (median order, Kruskal-Wallis
            split, Cliff's delta), ranks 1 = best (higher values are better)
  pssk      Scott-Knott ESD, parametric (mean order, sum-of-squares split,
            Cohen's d), ranks 1 = best

--json prints one JSON object instead of a table:
  kruskal   {"H":…,"p":…,"df":…}
  spearman  {"rho":…,"p":…,"n":…}
  npsk/pssk {"ranks":{"name":rank,…}}`,
	Example: `  soundmatch stats kruskal scores.csv
  soundmatch stats spearman --json rater1_vs_rater2.csv
  soundmatch stats npsk --branch master bootstrap.csv`,
}

func init() {
	statsCmd.PersistentFlags().BoolVar(&statsJSON, "json", false, "print the result as JSON")
	for _, c := range []*cobra.Command{
		{
			Use:   "kruskal FILE.csv",
			Short: "Kruskal-Wallis H test across the columns",
			Long: `kruskal tests whether the columns of FILE.csv come from the same
distribution: average ranks over all values, H corrected for ties,
p from the chi-squared distribution with (columns - 1) degrees of freedom
(as scipy.stats.kruskal and R's kruskal.test). Needs at least 2 non-empty
columns and not every value equal.`,
			Example: `  soundmatch stats kruskal mss_per_loss.csv
  soundmatch stats kruskal --json mss_per_loss.csv`,
			Args: cobra.ExactArgs(1),
			RunE: runKruskal,
		},
		{
			Use:   "spearman FILE.csv",
			Short: "Spearman's rank correlation of two columns",
			Long: `spearman computes Spearman's rho of the two columns of FILE.csv, rows
being pairs, and its two-sided p-value from the t approximation (as
scipy.stats.spearmanr and R's cor.test(method="spearman", exact=FALSE)).
Needs exactly 2 columns, at least 3 complete rows, and no row with only
one value.`,
			Example: `  soundmatch stats spearman raters.csv
  soundmatch stats spearman --json raters.csv`,
			Args: cobra.ExactArgs(1),
			RunE: runSpearman,
		},
		{
			Use:   "npsk FILE.csv",
			Short: "Scott-Knott ESD ranks, non-parametric",
			Long: `npsk ranks the columns of FILE.csv with the non-parametric Scott-Knott
effect-size-difference test (ScottKnottESD's version "np"): columns
ordered by decreasing median, split where the Kruskal-Wallis H over all
values is largest, a segment kept together when its Cliff's deltas are
negligible (|delta| < 0.147). Higher values are better: rank 1 is best.
--branch development (default) checks every pair of a segment; master
only its two ends.`,
			Example: `  soundmatch stats npsk bootstrap_means.csv
  soundmatch stats npsk --json --branch master bootstrap_means.csv`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return runSK(cmd, args, stats.NonParametric) },
		},
		{
			Use:   "pssk FILE.csv",
			Short: "Scott-Knott ESD ranks, parametric",
			Long: `pssk ranks the columns of FILE.csv with the parametric Scott-Knott
effect-size-difference test (ScottKnottESD's version "p"): columns
ordered by decreasing mean, split where the between-group sum of squares
of the means is largest, a segment kept together when its Cohen's d are
negligible (|d| < 0.2). Higher values are better: rank 1 is best.
--branch development (default) checks every pair of a segment; master
only its two ends.`,
			Example: `  soundmatch stats pssk bootstrap_means.csv
  soundmatch stats pssk --json bootstrap_means.csv`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return runSK(cmd, args, stats.Parametric) },
		},
	} {
		if strings.HasSuffix(c.Use, "sk FILE.csv") {
			c.Flags().StringVar(&statsBranch, "branch", "development", "which segments count as negligible: development (all pairs) or master (the two ends)")
		}
		statsCmd.AddCommand(c)
	}
	rootCmd.AddCommand(statsCmd)
}

// statsCSV is a CSV file read as named columns; cells[i][r] is row r of
// column i, with present[i][r] false for an empty cell.
type statsCSV struct {
	path    string
	names   []string
	cells   [][]float64
	present [][]bool
}

// readStatsCSV reads FILE.csv: a header of unique names, then numeric cells.
// Errors name the file, the line and the column.
func readStatsCSV(path string) (*statsCSV, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, fmt.Errorf("%s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file (need a header row of group names, then one row per observation)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, statsCSVErr(err))
	}
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		return nil, fmt.Errorf("%s:1: one column named %q: separate the cells with commas, not semicolons or tabs", path, header[0])
	}
	c := &statsCSV{path: path}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if h == "" {
			return nil, fmt.Errorf("%s:1: column %d has no name (the first row must name every column)", path, i+1)
		}
		if slices.Contains(c.names, h) {
			return nil, fmt.Errorf("%s:1: column name %q appears twice", path, h)
		}
		c.names = append(c.names, h)
	}
	c.cells = make([][]float64, len(header))
	c.present = make([][]bool, len(header))
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, statsCSVErr(err))
		}
		line, _ := r.FieldPos(0)
		if len(rec) > len(header) {
			for _, extra := range rec[len(header):] {
				if strings.TrimSpace(extra) != "" {
					return nil, fmt.Errorf("%s:%d: %d cells but only %d named columns", path, line, len(rec), len(header))
				}
			}
		}
		for i := range header {
			s := ""
			if i < len(rec) {
				s = strings.TrimSpace(rec[i])
			}
			if s == "" {
				c.cells[i] = append(c.cells[i], 0)
				c.present[i] = append(c.present[i], false)
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s:%d: column %q: %q is not a finite number", path, line, c.names[i], s)
			}
			c.cells[i] = append(c.cells[i], v)
			c.present[i] = append(c.present[i], true)
		}
	}
	return c, nil
}

func statsCSVErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d: %v", pe.Line, pe.Err)
	}
	return err
}

// groups returns each column's non-empty values; a column with none is an error.
func (c *statsCSV) groups() ([][]float64, error) {
	if len(c.names) < 2 {
		return nil, fmt.Errorf("%s: %d column(s); need at least 2 groups, one per column", c.path, len(c.names))
	}
	out := make([][]float64, len(c.names))
	for i := range c.names {
		for r, ok := range c.present[i] {
			if ok {
				out[i] = append(out[i], c.cells[i][r])
			}
		}
		if len(out[i]) == 0 {
			return nil, fmt.Errorf("%s: column %q has no values", c.path, c.names[i])
		}
	}
	return out, nil
}

func statsPrintJSON(cmd *cobra.Command, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
	return err
}

// statsFloat writes NaN and ±Inf as JSON null rather than failing.
type statsFloat float64

func (f statsFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

func runKruskal(cmd *cobra.Command, args []string) error {
	c, err := readStatsCSV(args[0])
	if err != nil {
		return userErr(err)
	}
	g, err := c.groups()
	if err != nil {
		return userErr(err)
	}
	kw, err := stats.KruskalWallis(g)
	if err != nil {
		return userErrf("%s: %v", c.path, err)
	}
	if statsJSON {
		return statsPrintJSON(cmd, struct {
			H  statsFloat `json:"H"`
			P  statsFloat `json:"p"`
			DF int        `json:"df"`
		}{statsFloat(kw.H), statsFloat(kw.P), kw.DF})
	}
	var pooled []float64
	for _, x := range g {
		pooled = append(pooled, x...)
	}
	ranks, _ := stats.Ranks(nil, pooled)
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "group\tn\tmedian\tmean rank\t")
	off := 0
	for i, x := range g {
		rs := 0.0
		for _, r := range ranks[off : off+len(x)] {
			rs += r
		}
		off += len(x)
		fmt.Fprintf(w, "%s\t%d\t%.6g\t%.2f\t\n", c.names[i], len(x), statsMedian(x), rs/float64(len(x)))
	}
	w.Flush()
	fmt.Fprintf(cmd.OutOrStdout(), "\nKruskal-Wallis H = %.6g, df = %d, p = %.4g: %s at alpha = 0.05\n",
		kw.H, kw.DF, kw.P, map[bool]string{true: "the groups differ (reject H0)", false: "no difference shown (H0 kept)"}[kw.P < 0.05])
	return nil
}

func statsMedian(x []float64) float64 {
	s := slices.Sorted(slices.Values(x))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func runSpearman(cmd *cobra.Command, args []string) error {
	c, err := readStatsCSV(args[0])
	if err != nil {
		return userErr(err)
	}
	if len(c.names) != 2 {
		return userErrf("%s: %d columns; spearman needs exactly 2 (one value of each pair per row)", c.path, len(c.names))
	}
	var x, y []float64
	for r := range c.cells[0] {
		a, b := c.present[0][r], c.present[1][r]
		if a != b {
			return userErrf("%s: data row %d has only one value (every row must be a complete pair)", c.path, r+1)
		}
		if a {
			x = append(x, c.cells[0][r])
			y = append(y, c.cells[1][r])
		}
	}
	res, err := stats.Spearman(x, y)
	if err != nil {
		return userErrf("%s: %v", c.path, err)
	}
	if statsJSON {
		return statsPrintJSON(cmd, struct {
			Rho statsFloat `json:"rho"`
			P   statsFloat `json:"p"`
			N   int        `json:"n"`
		}{statsFloat(res.Rho), statsFloat(res.P), res.N})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Spearman rho(%s, %s) = %.6g, p = %.4g (two-sided), n = %d\n",
		c.names[0], c.names[1], res.Rho, res.P, res.N)
	return nil
}

func runSK(cmd *cobra.Command, args []string, v stats.SKVersion) error {
	opt := stats.SKOptions{Version: v}
	switch statsBranch {
	case "development":
	case "master":
		opt.Branch = stats.Master
	default:
		return userErrf("--branch %q: accepted values are development and master", statsBranch)
	}
	c, err := readStatsCSV(args[0])
	if err != nil {
		return userErr(err)
	}
	g, err := c.groups()
	if err != nil {
		return userErr(err)
	}
	if v == stats.Parametric {
		// Name the column here: the stats package only knows positions.
		for i, x := range g {
			if len(x) < 2 {
				return userErrf("%s: column %q has 1 value; pssk (Cohen's d) needs at least 2 per column", c.path, c.names[i])
			}
		}
	}
	ranks, err := stats.ScottKnottESD(g, opt)
	if err != nil {
		return userErrf("%s: %v", c.path, err)
	}
	if statsJSON {
		m := make(map[string]int, len(ranks))
		for i, r := range ranks {
			m[c.names[i]] = r
		}
		return statsPrintJSON(cmd, map[string]any{"ranks": m})
	}
	centre, label := "median", "np"
	if v == stats.Parametric {
		centre, label = "mean", "p"
	}
	order := make([]int, len(ranks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return ranks[a] - ranks[b] })
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "rank\tgroup\tn\t%s\n", centre)
	for _, i := range order {
		x := statsMedian(g[i])
		if v == stats.Parametric {
			s := 0.0
			for _, y := range g[i] {
				s += y
			}
			x = s / float64(len(g[i]))
		}
		fmt.Fprintf(w, "%d\t%s\t%d\t%.6g\n", ranks[i], c.names[i], len(g[i]), x)
	}
	w.Flush()
	fmt.Fprintf(cmd.OutOrStdout(), "\nScott-Knott ESD (%s, %s branch); rank 1 = highest values\n", label, statsBranch)
	return nil
}
