package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/soundmatch/soundmatch/stats"
)

// Write writes report.md, one CSV per table and (with Options.Pictures)
// the pictures into dir, creating it if needed, and returns the names of
// the files written, report.md first.
func (r *Report) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %v", err)
	}
	files := []string{"report.md"}
	var md bytes.Buffer
	tables := r.tables()
	pics := r.pictureJobs(dir)
	r.markdown(&md, tables, pics)
	if err := os.WriteFile(filepath.Join(dir, "report.md"), md.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("report: %v", err)
	}
	for _, t := range tables {
		if err := writeCSV(filepath.Join(dir, t.file), t.header, t.rows); err != nil {
			return nil, err
		}
		files = append(files, t.file)
	}
	if r.Opt.Pictures {
		if err := runJobs(pics); err != nil {
			return nil, err
		}
		for _, p := range pics {
			files = append(files, p.files...)
		}
	}
	return files, nil
}

// table is one CSV file; rows hold full-precision values.
type table struct {
	file   string
	header []string
	rows   [][]string
}

func writeCSV(path string, header []string, rows [][]string) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		return fmt.Errorf("report: %s: %v", path, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %v", err)
	}
	return nil
}

// num formats a value for CSV: shortest round-trip form, empty for NaN.
func num(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// show formats a value for Markdown.
func show(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// showP formats a p-value; an underflowed 0 is shown as a bound.
func showP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "—"
	case p == 0:
		return "< 1e-300"
	}
	return strconv.FormatFloat(p, 'g', 3, 64)
}

func (r *Report) cellOf(program string, e Evaluation) *Cell {
	for _, c := range r.Cells {
		if c.Program == program && c.Eval == e {
			return c
		}
	}
	return nil
}

func (c *Cell) group(loss string) *Group {
	for _, g := range c.Groups {
		if g.Loss == loss {
			return g
		}
	}
	return nil
}

func (r *Report) losses(program string) []string {
	var out []string
	for _, c := range r.Counts {
		if c.Program == program {
			out = append(out, c.Loss)
		}
	}
	return out
}

func (r *Report) variantName() string {
	v, b := "np", "development"
	if r.Opt.Variant == stats.Parametric {
		v = "p"
	}
	if r.Opt.Branch == stats.Master {
		b = "master"
	}
	return fmt.Sprintf("%s, %s branch", v, b)
}

// tables builds every CSV table.
func (r *Report) tables() []table {
	counts := table{file: "trials.csv", header: []string{"program", "loss", "ok", "diverged", "failed", "with_mss", "with_ploss", "ratings"}}
	for _, c := range r.Counts {
		counts.rows = append(counts.rows, []string{c.Program, c.Loss, strconv.Itoa(c.OK), strconv.Itoa(c.Diverged),
			strconv.Itoa(c.Failed), strconv.Itoa(c.MSS), strconv.Itoa(c.PLoss), strconv.Itoa(c.Ratings)})
	}
	differ := table{file: "differ.csv", header: []string{"program", "evaluation", "losses", "n", "H", "df", "p", "reject", "note"}}
	for _, c := range r.Cells {
		n := 0
		for _, g := range c.Groups {
			n += len(g.Values)
		}
		row := []string{c.Program, c.Eval.String(), strconv.Itoa(len(c.Groups)), strconv.Itoa(n), "", "", "", "", c.Note}
		if c.KW != nil {
			row[4], row[5], row[6] = num(c.KW.H), strconv.Itoa(c.KW.DF), num(c.KW.P)
			row[7] = strconv.FormatBool(c.KW.P < r.Opt.Alpha)
		}
		differ.rows = append(differ.rows, row)
	}
	ranks := table{file: "ranks.csv", header: []string{"program", "loss", "mss_rank", "ploss_rank", "listening_rank", "mss_differs_from_listening", "ploss_differs_from_listening"}}
	for _, p := range r.Programs {
		for _, l := range r.losses(p) {
			rk := r.ranksOf(p, l)
			row := []string{p, l, rankStr(rk[MSS]), rankStr(rk[PLoss]), rankStr(rk[Listening]), "", ""}
			if rk[Listening] > 0 {
				for i, e := range []Evaluation{MSS, PLoss} {
					if rk[e] > 0 {
						row[5+i] = strconv.FormatBool(rk[e] != rk[Listening])
					}
				}
			}
			ranks.rows = append(ranks.rows, row)
		}
	}
	boot := table{file: "bootstrap.csv", header: []string{"program", "evaluation", "loss", "n", "statistic", "boot_mean", "boot_q2.5", "boot_median", "boot_q97.5", "rank"}}
	for _, c := range r.Cells {
		for _, g := range c.Groups {
			s := slices.Sorted(slices.Values(g.Boot))
			boot.rows = append(boot.rows, []string{c.Program, c.Eval.String(), g.Loss, strconv.Itoa(len(g.Values)), c.Eval.statistic(),
				num(mean(s)), num(quantile(s, 0.025)), num(quantile(s, 0.5)), num(quantile(s, 0.975)), rankStr(g.Rank)})
		}
	}
	curves := table{file: "curves.csv", header: []string{"program", "loss", "iteration", "trials", "median", "q25", "q75"}}
	for _, c := range r.Curves {
		for i := range c.Median {
			curves.rows = append(curves.rows, []string{c.Program, c.Loss, strconv.Itoa(i + 1), strconv.Itoa(c.N[i]), num(c.Median[i]), num(c.Q25[i]), num(c.Q75[i])})
		}
	}
	agree := func(file string, rows []Agreement, a, b string) table {
		t := table{file: file, header: []string{"scope", a, b, "n", "rho", "p", "note"}}
		for _, x := range rows {
			t.rows = append(t.rows, []string{x.Scope, x.A, x.B, strconv.Itoa(x.N), num(x.Rho), num(x.P), x.Note})
		}
		return t
	}
	missing := table{file: "missing.csv", header: []string{"what is missing"}}
	for _, m := range r.Missing {
		missing.rows = append(missing.rows, []string{m})
	}
	return []table{counts, differ, ranks, boot, curves,
		agree("agreement_scores.csv", r.AutoVsListening, "score", "listening"),
		agree("agreement_raters.csv", r.InterRater, "rater_a", "rater_b"),
		missing}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func rankStr(r int) string {
	if r == 0 {
		return ""
	}
	return strconv.Itoa(r)
}

// ranksOf returns the rank of loss in program per evaluation (0 = none).
func (r *Report) ranksOf(program, loss string) [3]int {
	var out [3]int
	for _, e := range evaluations {
		if c := r.cellOf(program, e); c != nil {
			if g := c.group(loss); g != nil {
				out[e] = g.Rank
			}
		}
	}
	return out
}

// markdown writes report.md.
func (r *Report) markdown(w *bytes.Buffer, tables []table, pics []pictureJob) {
	pf := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	pf("# Study report\n\n")
	pf("Database `%s`: %d program(s), %d trial(s), %d rating(s) from %d rater(s).\n\n",
		r.Database, len(r.Programs), r.trialCount(), r.Ratings, len(r.Raters))
	pf("Method: Kruskal-Wallis H test on the raw per-trial values (tie-corrected, α = %g); "+
		"bootstrap with k = %d resamples of each group (seed %d), statistic 1/mean for MSS and P-Loss and mean for "+
		"listening scores, so higher is better everywhere; Scott-Knott ESD (%s) on the bootstrap values, rank 1 = best. "+
		"Ranks compare losses within one program. Diverged trials count with their scores; failed trials have none.\n\n", r.Opt.Alpha, r.Opt.Resamples, r.Opt.Seed, r.variantName())
	pf("Every table is also a CSV file in this directory (named under each table).\n\n")

	pf("## What is missing\n\n")
	if len(r.Missing) == 0 {
		pf("Nothing: every pair has trials, trajectories and ratings.\n\n")
	}
	for _, m := range r.Missing {
		pf("- %s\n", m)
	}
	if len(r.Missing) > 0 {
		pf("\n")
	}
	pf("## Trials\n\n")
	mdTable(w, []string{"program", "loss", "ok", "diverged", "failed", "with MSS", "with P-Loss", "ratings"}, tables[0].rows, "trials.csv")

	pf("## 1. Do the losses differ?\n\n")
	pf("Kruskal-Wallis across the losses of each program, per evaluation.\n\n")
	var rows [][]string
	for _, c := range r.Cells {
		n := 0
		for _, g := range c.Groups {
			n += len(g.Values)
		}
		row := []string{c.Program, c.Eval.String(), strconv.Itoa(len(c.Groups)), strconv.Itoa(n), "—", "—", "—", "—", c.Note}
		if c.KW != nil {
			row[4], row[5], row[6] = show(c.KW.H), strconv.Itoa(c.KW.DF), showP(c.KW.P)
			row[7] = map[bool]string{true: "yes", false: "no"}[c.KW.P < r.Opt.Alpha]
		}
		rows = append(rows, row)
	}
	mdTable(w, []string{"program", "evaluation", "losses", "n", "H", "df", "p", fmt.Sprintf("reject (α = %g)", r.Opt.Alpha), "note"}, rows, "differ.csv")

	pf("## 2. Ranks\n\n")
	pf("Scott-Knott ESD rank of each loss (1 = best). `*` marks an automatic rank that differs from the listening rank; — means not ranked.\n\n")
	rows = nil
	for _, p := range r.Programs {
		for _, l := range r.losses(p) {
			rk := r.ranksOf(p, l)
			cell := func(e Evaluation) string {
				if rk[e] == 0 {
					return "—"
				}
				s := strconv.Itoa(rk[e])
				if e != Listening && rk[Listening] > 0 && rk[e] != rk[Listening] {
					s += "*"
				}
				return s
			}
			rows = append(rows, []string{p, l, cell(MSS), cell(PLoss), cell(Listening)})
		}
	}
	mdTable(w, []string{"program", "loss", "MSS", "P-Loss", "listening"}, rows, "ranks.csv")

	pf("## 3. Bootstrap distributions\n\n")
	pf("Median and 95%% interval of the bootstrap statistic, and the rank; the violins show the whole distributions, coloured by rank.\n\n")
	for _, p := range r.Programs {
		pf("### %s\n\n", p)
		for _, job := range pics {
			if job.program == p && job.kind == "violin" && r.Opt.Pictures {
				pf("![%s %s](%s)\n", p, job.eval, job.files[0])
			}
		}
		if r.Opt.Pictures {
			pf("\n")
		}
		rows = nil
		for _, c := range r.Cells {
			if c.Program != p {
				continue
			}
			for _, g := range c.Groups {
				s := slices.Sorted(slices.Values(g.Boot))
				rows = append(rows, []string{c.Eval.String(), c.Eval.statistic(), g.Loss, strconv.Itoa(len(g.Values)),
					show(quantile(s, 0.5)), fmt.Sprintf("[%s, %s]", show(quantile(s, 0.025)), show(quantile(s, 0.975))), rankStr(g.Rank)})
			}
		}
		if len(rows) == 0 {
			pf("No evaluation of %s has two losses with data yet.\n\n", p)
			continue
		}
		mdTable(w, []string{"evaluation", "statistic", "loss", "n", "median", "95% interval", "rank"}, rows, "bootstrap.csv")
	}

	pf("## 4. Loss curves\n\n")
	if len(r.Curves) == 0 {
		pf("No trajectories stored yet.\n\n")
	} else {
		pf("Median training loss per iteration over the trials of each pair (dashed: 25%% and 75%% quantiles); one picture per loss, each on its own scale (losses are not comparable with each other). Data: `curves.csv`.\n\n")
		if r.Opt.Pictures {
			for _, p := range r.Programs {
				line := ""
				for _, job := range pics {
					if job.kind == "curves" && job.program == p {
						line += fmt.Sprintf("![%s %s](%s) ", p, job.loss, job.files[0])
					}
				}
				if line != "" {
					pf("### %s\n\n%s\n\n", p, strings.TrimSpace(line))
				}
			}
		}
	}

	pf("## 5. Agreement\n\n")
	if r.Ratings == 0 {
		pf("No ratings yet.\n\n")
		return
	}
	pf("### Automatic scores vs listening\n\n")
	pf("Spearman ρ per program between the negated distance (−MSS, −P-Loss: higher = closer) of each rated trial and its mean rating over raters; positive ρ = the automatic score agrees with the listeners.\n\n")
	mdTable(w, []string{"program", "score", "vs", "n", "ρ", "p", "note"}, agreementRows(r.AutoVsListening), "agreement_scores.csv")
	pf("### Inter-rater agreement\n\n")
	if len(r.InterRater) == 0 {
		pf("Needs at least 2 raters with ratings.\n\n")
		return
	}
	pf("Spearman ρ between two raters over the items both rated, over all ratings and per program.\n\n")
	mdTable(w, []string{"scope", "rater", "rater", "n", "ρ", "p", "note"}, agreementRows(r.InterRater), "agreement_raters.csv")
}

func (r *Report) trialCount() int {
	n := 0
	for _, c := range r.Counts {
		n += c.OK + c.Diverged + c.Failed
	}
	return n
}

func agreementRows(a []Agreement) [][]string {
	var rows [][]string
	for _, x := range a {
		rows = append(rows, []string{x.Scope, x.A, x.B, strconv.Itoa(x.N), show(x.Rho), showP(x.P), x.Note})
	}
	return rows
}

// mdTable writes a Markdown table (or a line saying it is empty) and names its CSV.
func mdTable(w *bytes.Buffer, header []string, rows [][]string, csvFile string) {
	if len(rows) == 0 {
		fmt.Fprintf(w, "(no rows yet)\n\n")
		return
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	fmt.Fprintf(w, "| %s |\n|", strings.Join(header, " | "))
	for range header {
		w.WriteString("---|")
	}
	w.WriteString("\n")
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = esc(c)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	fmt.Fprintf(w, "\nCSV: `%s`\n\n", csvFile)
}
