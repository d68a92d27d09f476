package report

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/soundmatch/soundmatch/stats"
	"github.com/soundmatch/soundmatch/store"
)

// studySpec describes a synthetic study written through the store API.
type studySpec struct {
	programs, losses []string
	trials           int // per pair
	listenPerPair    int // 0: no listening test
	raters           []string
	rateFraction     float64 // share of each rater's items rated
	steps            int     // trajectory length
	seed             uint64
}

// makeStudy writes a seeded synthetic study into a new database. Losses
// differ in quality by program so that the ranks are not all equal, and
// ratings follow MSS with noise so that agreement is positive.
func makeStudy(t testing.TB, path string, s studySpec) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(s.seed, 1))
	finishedAt := time.Unix(1700000000, 0)
	var keys []store.Key
	for pi, p := range s.programs {
		for li, l := range s.losses {
			quality := 1 + float64((pi+li)%3)
			for i := range s.trials {
				tr := &store.Trial{Program: p, Loss: l, Index: i, Seed: uint64(i), Params: []string{"a", "b", "c"},
					Target: []float64{1, 2, 3}, Start: []float64{0, 0, 0}, FinalU: []float64{0.1, 0.2, 0.3}, Final: []float64{1, 2, 3},
					Status: store.StatusOK, Iterations: s.steps, WallMS: 10, FinishedAt: finishedAt}
				tr.MSS = quality * math.Exp(0.5*rng.NormFloat64())
				tr.PLoss = 0.1 * quality * rng.Float64()
				tr.PLossU = tr.PLoss
				tr.LossFinal = tr.MSS
				switch {
				case i%17 == 5:
					tr.Status, tr.Reason = store.StatusFailed, "synthetic failure"
					tr.MSS, tr.PLoss, tr.PLossU, tr.LossFinal = math.NaN(), math.NaN(), math.NaN(), math.NaN()
				case i%11 == 3:
					tr.Status = store.StatusDiverged
				case i%13 == 7:
					tr.Target, tr.PLoss, tr.PLossU = nil, math.NaN(), math.NaN() // out of domain
				}
				if s.steps > 0 {
					tr.Trajectory = make([]store.Step, s.steps)
					for k := range tr.Trajectory {
						tr.Trajectory[k] = store.Step{Loss: quality * (1 + 10*math.Exp(-float64(k)/20)) * (1 + 0.1*rng.Float64()),
							GradNorm: 1, Values: []float64{1, 2, 3}}
					}
				}
				if err := db.InsertTrial(ctx, tr); err != nil {
					t.Fatal(err)
				}
				if tr.Status != store.StatusFailed {
					keys = append(keys, tr.Key())
				}
			}
		}
	}
	if s.listenPerPair == 0 {
		return
	}
	items := store.DrawListenItems(s.seed, s.listenPerPair, keys)
	if err := db.CreateListenSession(ctx, s.seed, s.listenPerPair, items); err != nil {
		t.Fatal(err)
	}
	if len(s.raters) == 0 {
		return
	}
	raters, err := db.AddListenRaters(ctx, s.raters)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := db.Scores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mss := map[store.Key]float64{}
	for _, sc := range scores {
		mss[store.Key{Program: sc.Program, Loss: sc.Loss, Index: sc.Index}] = sc.MSS
	}
	for _, r := range raters {
		order, err := db.ListenOrder(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := int(math.Round(s.rateFraction * float64(len(order))))
		for _, pos := range order[:n] {
			score := 5 - int(math.Round(mss[pos.Item.Key]+0.7*rng.NormFloat64()))
			score = max(1, min(5, score))
			if err := db.SaveRating(ctx, r.ID, pos.Position, score); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func tinySpec() studySpec {
	return studySpec{programs: []string{"add-sinesaw", "noise-am"}, losses: []string{"l1-spec", "mss", "mel-l1"},
		trials: 24, listenPerPair: 6, raters: []string{"ann", "bob"}, rateFraction: 1, steps: 30, seed: 7}
}

func runReport(t testing.TB, dbPath, dir string, opt Options) []string {
	t.Helper()
	db, err := store.OpenExisting(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := Analyze(context.Background(), db, opt)
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestReportReproducible runs the report twice on a seeded tiny study and
// compares every file but the pictures byte for byte.
func TestReportReproducible(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "study.db")
	makeStudy(t, dbPath, tinySpec())
	a := runReport(t, dbPath, filepath.Join(dir, "a"), DefaultOptions())
	b := runReport(t, dbPath, filepath.Join(dir, "b"), DefaultOptions())
	if !slices.Equal(a, b) {
		t.Fatalf("file lists differ: %v vs %v", a, b)
	}
	for _, want := range []string{"report.md", "differ.csv", "ranks.csv", "bootstrap.csv", "curves.csv", "trials.csv",
		"agreement_scores.csv", "agreement_raters.csv", "violin_add-sinesaw_mss.png", "violin_noise-am_listening.svg", "curve_noise-am_mel-l1.png"} {
		if !slices.Contains(a, want) {
			t.Errorf("report did not write %s (wrote %v)", want, a)
		}
	}
	for _, f := range a {
		if st, err := os.Stat(filepath.Join(dir, "a", f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
		if strings.HasSuffix(f, ".png") || strings.HasSuffix(f, ".svg") {
			continue
		}
		x, _ := os.ReadFile(filepath.Join(dir, "a", f))
		y, _ := os.ReadFile(filepath.Join(dir, "b", f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", f)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "a", "report.md"))
	for _, want := range []string{"## 1. Do the losses differ?", "## 2. Ranks", "| add-sinesaw | MSS | 3 |",
		"## 5. Agreement", "Inter-rater", "failed trial(s) have no scores", "without P-Loss (out-of-domain target)"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if bytes.Contains(md, []byte("NaN")) {
		t.Error("report.md shows NaN")
	}
	if testing.Verbose() {
		t.Logf("report.md:\n%s", md)
	}
}

// TestReportStatistics recomputes the Kruskal-Wallis test, the
// bootstrap-free parts and the agreement of the tiny study directly from
// the store with package stats and compares them with the report.
func TestReportStatistics(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "study.db")
	makeStudy(t, dbPath, tinySpec())
	db, err := store.OpenExisting(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	r, err := Analyze(ctx, db, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	trials, err := db.Trials(ctx, store.Filter{Programs: []string{"noise-am"}, Trajectory: true})
	if err != nil {
		t.Fatal(err)
	}
	byLoss := map[string][]float64{}
	var curve [][]float64
	for _, tr := range trials {
		if !math.IsNaN(tr.MSS) {
			byLoss[tr.Loss] = append(byLoss[tr.Loss], tr.MSS)
		}
		if tr.Loss == "mss" {
			var c []float64
			for _, s := range tr.Trajectory {
				c = append(c, s.Loss)
			}
			curve = append(curve, c)
		}
	}
	want, err := stats.KruskalWallis([][]float64{byLoss["l1-spec"], byLoss["mel-l1"], byLoss["mss"]})
	if err != nil {
		t.Fatal(err)
	}
	c := r.cellOf("noise-am", MSS)
	if c.KW == nil || *c.KW != want {
		t.Errorf("noise-am MSS: report KW %+v, want %+v", c.KW, want)
	}
	for _, g := range c.Groups {
		if len(g.Boot) != 1000 || g.Rank < 1 {
			t.Errorf("group %s: %d bootstrap values, rank %d", g.Loss, len(g.Boot), g.Rank)
		}
		// 1/mean: the bootstrap values scatter around 1/(sample mean).
		m := mean(g.Values)
		if med := quantile(slices.Sorted(slices.Values(g.Boot)), 0.5); math.Abs(med*m-1) > 0.2 {
			t.Errorf("group %s: bootstrap median %v, 1/mean %v", g.Loss, med, 1/m)
		}
	}
	// Median curve at iteration 10, recomputed by sorting.
	var col []float64
	for _, c := range curve {
		col = append(col, c[9])
	}
	slices.Sort(col)
	var got *Curve
	for _, cv := range r.Curves {
		if cv.Program == "noise-am" && cv.Loss == "mss" {
			got = cv
		}
	}
	wantMed := col[len(col)/2]
	if len(col)%2 == 0 {
		wantMed = (col[len(col)/2-1] + col[len(col)/2]) / 2
	}
	if got == nil || got.Median[9] != wantMed || got.N[9] != len(col) {
		t.Errorf("median curve: got %+v, want median %v over %d", got, wantMed, len(col))
	}
	// Inter-rater, all ratings: Spearman over items both rated.
	ratings, err := db.Ratings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byItem := map[string][2]float64{}
	for _, rt := range ratings {
		k := fmt.Sprint(rt.Program, rt.Loss, rt.Trial)
		v := byItem[k]
		if rt.Rater == "ann" {
			v[0] = float64(rt.Score)
		} else {
			v[1] = float64(rt.Score)
		}
		byItem[k] = v
	}
	var x, y []float64
	for _, v := range byItem {
		x, y = append(x, v[0]), append(y, v[1])
	}
	wantRho, err := stats.Spearman(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.InterRater) == 0 || r.InterRater[0].Scope != "all" || math.Abs(r.InterRater[0].Rho-wantRho.Rho) > 1e-12 {
		t.Errorf("inter-rater: %+v, want ρ = %v", r.InterRater, wantRho.Rho)
	}
}

// TestReportPartial: no ratings, one loss, a pair with one trial — the
// report is written and says what is missing.
func TestReportPartial(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "study.db")
	makeStudy(t, dbPath, studySpec{programs: []string{"bp-noise"}, losses: []string{"mss"}, trials: 5, steps: 10, seed: 3})
	out := filepath.Join(dir, "out")
	runReport(t, dbPath, out, DefaultOptions())
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"no ratings yet", "nothing to compare", "no listening test has been set up"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("partial report lacks %q:\n%s", want, md)
		}
	}
	if bytes.Contains(md, []byte("NaN")) {
		t.Error("report.md shows NaN")
	}

	// The same with the study's plan: 2 losses × 8 trials.
	opt := DefaultOptions()
	opt.Expected = &Expected{Programs: []string{"bp-noise"}, Losses: []string{"mss", "jtfs"}, Trials: 8}
	runReport(t, dbPath, filepath.Join(dir, "planned"), opt)
	md, _ = os.ReadFile(filepath.Join(dir, "planned", "report.md"))
	for _, want := range []string{"bp-noise/mss: 5 of 8 trials stored (3 still to run)", "bp-noise/jtfs: no trials yet (the study plans 8)",
		"| bp-noise | jtfs | 0 | 0 | 0 |"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("planned report lacks %q:\n%s", want, md)
		}
	}

	// Empty database.
	empty := filepath.Join(dir, "empty.db")
	db, err := store.Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	runReport(t, empty, filepath.Join(dir, "empty"), DefaultOptions())
	md, _ = os.ReadFile(filepath.Join(dir, "empty", "report.md"))
	if !bytes.Contains(md, []byte("no trials yet")) {
		t.Errorf("empty report lacks 'no trials yet':\n%s", md)
	}

	// Listening test set up, one rater halfway, a pair with one trial.
	half := filepath.Join(dir, "half.db")
	makeStudy(t, half, studySpec{programs: []string{"bp-noise"}, losses: []string{"mss", "jtfs"}, trials: 8,
		listenPerPair: 4, raters: []string{"ann"}, rateFraction: 0.5, steps: 5, seed: 4})
	runReport(t, half, filepath.Join(dir, "half"), DefaultOptions())
	md, _ = os.ReadFile(filepath.Join(dir, "half", "report.md"))
	for _, want := range []string{"rater ann has rated 4 of 8 items", "inter-rater agreement needs 2 raters"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("half report lacks %q:\n%s", want, md)
		}
	}
}

// BenchmarkReport: a 6000-trial study (4 programs × 5 losses × 300
// trials, 200-step trajectories) with 2 raters × 40 items per pair.
func BenchmarkReport(b *testing.B) {
	dir := b.TempDir()
	dbPath := filepath.Join(dir, "study.db")
	makeStudy(b, dbPath, studySpec{programs: []string{"add-sinesaw", "bp-noise", "noise-am", "sinesaw-am"},
		losses: []string{"l1-spec", "mss", "mel-l1", "dtw-envelope", "jtfs"}, trials: 300, listenPerPair: 40,
		raters: []string{"ann", "bob"}, rateFraction: 1, steps: 200, seed: 11})
	opt := DefaultOptions()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		runReport(b, dbPath, filepath.Join(dir, fmt.Sprint("out", i)), opt)
	}
}
