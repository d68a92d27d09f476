// Package report turns a study database into the study report: a Markdown
// file answering "which loss is best for this synth?" with the statistics
// of METHOD §8 (Kruskal-Wallis, bootstrap, Scott-Knott ESD), the agreement
// of automatic scores with listeners and between listeners, a CSV file for
// every table, violin plots of the bootstrap distributions and median loss
// curves.
//
// The report is computed by Analyze, which reads the database, and written
// by (*Report).Write. Everything but the pictures is byte-for-byte
// reproducible: rows are in name order, the bootstrap is seeded per group,
// and no time or absolute path is written. A partial study (trials still
// running, no ratings yet) gives a partial report that lists what is
// missing.
//
// Products that feed a sum are rounded on their own, float64(a*b), so that
// arm64 and amd64 v3 builds, which would fuse them into multiply-adds,
// write the same numbers as amd64.
package report

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"

	"github.com/soundmatch/soundmatch/stats"
	"github.com/soundmatch/soundmatch/store"
)

// Evaluation is a way of scoring a trial.
type Evaluation int

const (
	MSS       Evaluation = iota // multi-scale spectral distance (lower is better)
	PLoss                       // parameter distance (lower is better)
	Listening                   // Likert 1-5 listening score (higher is better)
)

var evaluations = []Evaluation{MSS, PLoss, Listening}

func (e Evaluation) String() string { return [...]string{"MSS", "P-Loss", "listening"}[e] }

// file is the evaluation's name in file names.
func (e Evaluation) file() string { return [...]string{"mss", "ploss", "listening"}[e] }

// statistic names the bootstrap statistic of the evaluation.
func (e Evaluation) statistic() string {
	if e == Listening {
		return "mean"
	}
	return "1/mean"
}

// Options configures the analysis.
type Options struct {
	Variant   stats.SKVersion // Scott-Knott ESD version; METHOD: non-parametric
	Branch    stats.SKBranch  // negligibility rule; METHOD: development
	Resamples int             // bootstrap resamples per group (k)
	Seed      uint64          // bootstrap seed
	Alpha     float64         // Kruskal-Wallis significance level
	Pictures  bool            // write the PNG/SVG pictures
	// Expected, when non-nil, is the study's plan: pairs and trial counts
	// it lacks are listed as missing.
	Expected *Expected
}

// Expected is what a complete study holds.
type Expected struct {
	Programs, Losses []string
	Trials           int // per (program, loss) pair
}

// DefaultOptions are the METHOD §8 defaults.
func DefaultOptions() Options {
	return Options{Variant: stats.NonParametric, Branch: stats.Development, Resamples: 1000, Seed: 1, Alpha: 0.05, Pictures: true}
}

// Group is the data of one loss in one program × evaluation.
type Group struct {
	Loss   string
	Values []float64 // raw per-trial scores (or pooled ratings)
	Boot   []float64 // bootstrap statistic, Options.Resamples values
	Rank   int       // Scott-Knott ESD rank, 1 = best; 0 when not ranked
}

// Cell is one program × evaluation: the groups compared, the
// Kruskal-Wallis test and the ranks.
type Cell struct {
	Program string
	Eval    Evaluation
	Groups  []*Group       // losses with at least 2 values, by name
	KW      *stats.Kruskal // nil when not computed (see Note)
	Note    string         // why something is missing
}

// PairCount is what the study holds for one (program, loss) pair.
type PairCount struct {
	Program, Loss        string
	OK, Diverged, Failed int
	MSS, PLoss           int // trials with that score
	Ratings              int // listening ratings (all raters)
}

// Curve is the training loss per iteration over the trials of one pair.
type Curve struct {
	Program, Loss    string
	Median, Q25, Q75 []float64
	N                []int // trials contributing at each iteration
}

// Agreement is one Spearman correlation of the agreement section.
type Agreement struct {
	Scope  string // program name, or "all" for every rating
	A, B   string // what is correlated (score or rater names)
	N      int
	Rho, P float64 // NaN when not computable (see Note)
	Note   string
}

// Report is the analysed study.
type Report struct {
	Database        string // base name of the database file
	Opt             Options
	Programs        []string
	Counts          []PairCount
	Cells           []*Cell // program-major, evaluations in order MSS, P-Loss, listening
	Curves          []*Curve
	AutoVsListening []Agreement
	InterRater      []Agreement
	Raters          []string
	Ratings         int
	Missing         []string
}

// Analyze reads the study in db and computes every table of the report.
func Analyze(ctx context.Context, db *store.DB, opt Options) (*Report, error) {
	if opt.Resamples < 1 {
		return nil, fmt.Errorf("report: %d bootstrap resamples (need at least 1)", opt.Resamples)
	}
	scores, err := db.Scores(ctx)
	if err != nil {
		return nil, err
	}
	ratings, err := db.Ratings(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: reading ratings: %v", db.Path, err)
	}
	r := &Report{Database: filepath.Base(db.Path), Opt: opt}
	r.collect(scores, ratings)
	if err := r.readCurves(ctx, db); err != nil {
		return nil, err
	}
	r.listeningStatus(ctx, db, ratings)
	r.agreement(scores, ratings)
	return r, nil
}

type pairKey struct{ program, loss string }

// collect builds the counts and the cells with their tests and ranks.
func (r *Report) collect(scores []store.TrialScore, ratings []store.Rating) {
	counts := map[pairKey]*PairCount{}
	get := func(p, l string) *PairCount {
		k := pairKey{p, l}
		if c, ok := counts[k]; ok {
			return c
		}
		c := &PairCount{Program: p, Loss: l}
		counts[k] = c
		return c
	}
	values := map[Evaluation]map[pairKey][]float64{MSS: {}, PLoss: {}, Listening: {}}
	if x := r.Opt.Expected; x != nil {
		for _, p := range x.Programs {
			for _, l := range x.Losses {
				get(p, l)
			}
		}
	}
	for _, s := range scores {
		c := get(s.Program, s.Loss)
		switch s.Status {
		case store.StatusOK:
			c.OK++
		case store.StatusDiverged:
			c.Diverged++
		default:
			c.Failed++
		}
		k := pairKey{s.Program, s.Loss}
		if !math.IsNaN(s.MSS) {
			c.MSS++
			values[MSS][k] = append(values[MSS][k], s.MSS)
		}
		if !math.IsNaN(s.PLoss) {
			c.PLoss++
			values[PLoss][k] = append(values[PLoss][k], s.PLoss)
		}
	}
	raters := map[string]bool{}
	for _, rt := range ratings {
		c := get(rt.Program, rt.Loss)
		c.Ratings++
		k := pairKey{rt.Program, rt.Loss}
		values[Listening][k] = append(values[Listening][k], float64(rt.Score))
		raters[rt.Rater] = true
	}
	r.Ratings = len(ratings)
	for name := range raters {
		r.Raters = append(r.Raters, name)
	}
	slices.Sort(r.Raters)
	for _, c := range counts {
		r.Counts = append(r.Counts, *c)
	}
	slices.SortFunc(r.Counts, func(a, b PairCount) int {
		return cmpPair(pairKey{a.Program, a.Loss}, pairKey{b.Program, b.Loss})
	})
	for _, c := range r.Counts {
		if len(r.Programs) == 0 || r.Programs[len(r.Programs)-1] != c.Program {
			r.Programs = append(r.Programs, c.Program)
		}
	}
	if len(scores) == 0 {
		r.Missing = append(r.Missing, "no trials yet: run the study first")
	}
	if len(ratings) == 0 {
		r.Missing = append(r.Missing, "no ratings yet: every listening column is empty")
	}
	for _, c := range r.Counts {
		name := c.Program + "/" + c.Loss
		if x := r.Opt.Expected; x != nil && c.OK+c.Diverged+c.Failed < x.Trials {
			if n := c.OK + c.Diverged + c.Failed; n == 0 {
				r.Missing = append(r.Missing, fmt.Sprintf("%s: no trials yet (the study plans %d)", name, x.Trials))
			} else {
				r.Missing = append(r.Missing, fmt.Sprintf("%s: %d of %d trials stored (%d still to run)", name, n, x.Trials, x.Trials-n))
			}
		}
		if c.Failed > 0 {
			r.Missing = append(r.Missing, fmt.Sprintf("%s: %d failed trial(s) have no scores", name, c.Failed))
		}
		if n := c.OK + c.Diverged - c.PLoss; n > 0 {
			r.Missing = append(r.Missing, fmt.Sprintf("%s: %d trial(s) without P-Loss (out-of-domain target)", name, n))
		}
	}
	for _, p := range r.Programs {
		for _, e := range evaluations {
			r.Cells = append(r.Cells, r.cell(p, e, values[e]))
		}
	}
}

func cmpPair(a, b pairKey) int {
	if c := strings.Compare(a.program, b.program); c != 0 {
		return c
	}
	return strings.Compare(a.loss, b.loss)
}

// cell runs the Kruskal-Wallis test, the bootstrap and Scott-Knott ESD for
// one program × evaluation.
func (r *Report) cell(program string, e Evaluation, values map[pairKey][]float64) *Cell {
	c := &Cell{Program: program, Eval: e}
	for _, pc := range r.Counts {
		if pc.Program != program {
			continue
		}
		v := values[pairKey{program, pc.Loss}]
		if len(v) < 2 {
			// A pair without any trial is already listed as missing.
			if pc.OK+pc.Diverged+pc.Failed > 0 && (e != Listening || r.Ratings > 0) {
				what := "trials"
				if e == Listening {
					what = "ratings"
				}
				r.Missing = append(r.Missing, fmt.Sprintf("%s/%s: %s has %d %s (fewer than 2): left out of the %s comparison",
					program, pc.Loss, e, len(v), what, e))
			}
			continue
		}
		c.Groups = append(c.Groups, &Group{Loss: pc.Loss, Values: v})
	}
	if len(c.Groups) < 2 {
		if e == Listening && r.Ratings == 0 {
			c.Note = "no ratings yet"
		} else {
			c.Note = fmt.Sprintf("%d loss(es) with at least 2 values: nothing to compare", len(c.Groups))
		}
	}
	raw := make([][]float64, len(c.Groups))
	boot := make([][]float64, len(c.Groups))
	for i, g := range c.Groups {
		raw[i] = g.Values
		rng := rand.New(rand.NewPCG(r.Opt.Seed, streamID("bootstrap", program, e.String(), g.Loss)))
		g.Boot = stats.BootstrapMeans(nil, g.Values, r.Opt.Resamples, rng)
		if e != Listening {
			for j, m := range g.Boot {
				g.Boot[j] = 1 / m
			}
		}
		boot[i] = g.Boot
	}
	if len(c.Groups) < 2 {
		return c
	}
	kw, err := stats.KruskalWallis(raw)
	if err != nil {
		c.Note = "Kruskal-Wallis: " + err.Error()
	} else {
		c.KW = &kw
	}
	ranks, err := stats.ScottKnottESD(boot, stats.SKOptions{Version: r.Opt.Variant, Branch: r.Opt.Branch})
	if err != nil {
		if c.Note != "" {
			c.Note += "; "
		}
		c.Note += "Scott-Knott ESD: " + err.Error()
		return c
	}
	for i, g := range c.Groups {
		g.Rank = ranks[i]
	}
	return c
}

// streamID derives an independent PCG stream for each bootstrap group
// from its names, so a group's resamples do not depend on which other
// groups exist (a partial study ranks the same data the same way).
func streamID(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// readCurves computes the median training-loss curve of every pair.
func (r *Report) readCurves(ctx context.Context, db *store.DB) error {
	var cur *Curve
	var rows [][]float64
	flush := func() {
		if cur == nil {
			return
		}
		finishCurve(cur, rows)
		r.Curves = append(r.Curves, cur)
		cur, rows = nil, rows[:0]
	}
	err := db.EachLossCurve(ctx, func(program, loss string, _ int, curve []float64) error {
		if cur == nil || cur.Program != program || cur.Loss != loss {
			flush()
			cur = &Curve{Program: program, Loss: loss}
		}
		rows = append(rows, slices.Clone(curve))
		return nil
	})
	if err != nil {
		return err
	}
	flush()
	have := map[pairKey]bool{}
	for _, c := range r.Curves {
		have[pairKey{c.Program, c.Loss}] = true
	}
	for _, c := range r.Counts {
		if c.OK+c.Diverged+c.Failed > 0 && !have[pairKey{c.Program, c.Loss}] {
			r.Missing = append(r.Missing, fmt.Sprintf("%s/%s: no stored trajectories, no loss curve", c.Program, c.Loss))
		}
	}
	return nil
}

// finishCurve takes the median and quartiles over trials at each
// iteration; trials shorter than others contribute to their own length.
func finishCurve(c *Curve, rows [][]float64) {
	n := 0
	for _, row := range rows {
		n = max(n, len(row))
	}
	col := make([]float64, 0, len(rows))
	for i := range n {
		col = col[:0]
		for _, row := range rows {
			if i < len(row) && !math.IsNaN(row[i]) {
				col = append(col, row[i])
			}
		}
		slices.Sort(col)
		c.N = append(c.N, len(col))
		if len(col) == 0 {
			c.Median = append(c.Median, math.NaN())
			c.Q25 = append(c.Q25, math.NaN())
			c.Q75 = append(c.Q75, math.NaN())
			continue
		}
		c.Median = append(c.Median, quantile(col, 0.5))
		c.Q25 = append(c.Q25, quantile(col, 0.25))
		c.Q75 = append(c.Q75, quantile(col, 0.75))
	}
}

// quantile of sorted data with linear interpolation (R type 7, numpy default).
func quantile(sorted []float64, q float64) float64 {
	pos := float64(q * float64(len(sorted)-1))
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + float64(f*(sorted[i+1]-sorted[i]))
}

// listeningStatus notes raters who have not rated every item.
func (r *Report) listeningStatus(ctx context.Context, db *store.DB, ratings []store.Rating) {
	s, err := db.ListenSession(ctx)
	if errors.Is(err, store.ErrNoListenSession) {
		if len(ratings) == 0 {
			r.Missing = append(r.Missing, "no listening test has been set up in this database")
		}
		return
	}
	if err != nil {
		r.Missing = append(r.Missing, "listening test: "+err.Error())
		return
	}
	raters, err := db.ListenRaters(ctx)
	if err != nil {
		r.Missing = append(r.Missing, "listening test: "+err.Error())
		return
	}
	done := map[string]int{}
	for _, rt := range ratings {
		done[rt.Rater]++
	}
	names := make([]string, 0, len(raters))
	for _, rt := range raters {
		names = append(names, rt.Name)
	}
	slices.Sort(names)
	if len(names) == 0 {
		r.Missing = append(r.Missing, "listening test: no raters yet")
	}
	for _, n := range names {
		if done[n] < len(s.Items) {
			r.Missing = append(r.Missing, fmt.Sprintf("rater %s has rated %d of %d items", n, done[n], len(s.Items)))
		}
	}
}

// agreement computes section 5: automatic scores against the mean rating
// of each rated trial, per program, and Spearman between every two raters
// over the items both rated, over all programs and per program.
func (r *Report) agreement(scores []store.TrialScore, ratings []store.Rating) {
	if len(ratings) == 0 {
		return
	}
	type item struct {
		program, loss string
		trial         int
	}
	byItem := map[item]map[string]float64{}
	var items []item
	for _, rt := range ratings {
		it := item{rt.Program, rt.Loss, rt.Trial}
		if byItem[it] == nil {
			byItem[it] = map[string]float64{}
			items = append(items, it) // ratings come ordered by program, loss, trial
		}
		byItem[it][rt.Rater] = float64(rt.Score)
	}
	score := map[item]store.TrialScore{}
	for _, s := range scores {
		score[item{s.Program, s.Loss, s.Index}] = s
	}
	// Automatic vs listening: distances are negated so that a positive ρ
	// means the automatic score agrees with the listeners.
	for _, p := range r.Programs {
		for _, e := range []Evaluation{MSS, PLoss} {
			var x, y []float64
			for _, it := range items {
				if it.program != p {
					continue
				}
				s, ok := score[it]
				if !ok {
					continue
				}
				v := s.MSS
				if e == PLoss {
					v = s.PLoss
				}
				if math.IsNaN(v) {
					continue
				}
				m := 0.0
				for _, sc := range byItem[it] {
					m += sc
				}
				x = append(x, -v)
				y = append(y, m/float64(len(byItem[it])))
			}
			r.AutoVsListening = append(r.AutoVsListening, spearmanRow(p, "−"+e.String(), "mean rating", x, y))
		}
	}
	for i, a := range r.Raters {
		for _, b := range r.Raters[i+1:] {
			for _, scope := range append([]string{"all"}, r.Programs...) {
				var x, y []float64
				for _, it := range items {
					if scope != "all" && it.program != scope {
						continue
					}
					sa, okA := byItem[it][a]
					sb, okB := byItem[it][b]
					if okA && okB {
						x = append(x, sa)
						y = append(y, sb)
					}
				}
				r.InterRater = append(r.InterRater, spearmanRow(scope, a, b, x, y))
			}
		}
	}
	if len(r.Raters) < 2 {
		r.Missing = append(r.Missing, fmt.Sprintf("inter-rater agreement needs 2 raters with ratings, have %d", len(r.Raters)))
	}
}

func spearmanRow(scope, a, b string, x, y []float64) Agreement {
	row := Agreement{Scope: scope, A: a, B: b, N: len(x), Rho: math.NaN(), P: math.NaN()}
	if len(x) < 3 {
		row.Note = fmt.Sprintf("%d pair(s), need 3", len(x))
		return row
	}
	c, err := stats.Spearman(x, y)
	if errors.Is(err, stats.ErrConstant) {
		row.Note = "constant scores, ρ undefined"
		return row
	}
	if err != nil {
		row.Note = err.Error()
		return row
	}
	row.Rho, row.P = c.Rho, c.P
	return row
}
