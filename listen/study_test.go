package listen

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/study"
	"github.com/soundmatch/soundmatch/synth"
)

const (
	studySamples = 2205 // 50 ms keeps the tests fast
	studySeed    = 9
)

// studyDB writes a small study of add-sinesaw (or the given program) × two
// losses with trials trials per pair. Trial 1 of l1-spec failed, trial 2 of
// mss diverged and trial 3 of mss has no target values (out of domain), so
// the finished set is known.
func studyDB(t testing.TB, prog study.Program, trials int) *store.DB {
	return studyDBSamples(t, prog, trials, studySamples)
}

// studyDBSamples is studyDB with sounds of the given length.
func studyDBSamples(t testing.TB, prog study.Program, trials, samples int) *store.DB {
	t.Helper()
	ctx := context.Background()
	c := study.Paper()
	c.Programs = []study.Program{prog}
	c.Losses = []study.Loss{{Label: "l1-spec", Name: "l1-spec"}, {Label: "mss", Name: "mss"}}
	c.Trials = trials
	c.Samples = samples
	c.Evaluation.ListenTrials = 3
	c.Evaluation.Seed = studySeed
	text, err := c.Canonical(nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "study.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SaveConfig(ctx, text, nil); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"l1-spec", "mss"} {
		for i := range trials {
			tr := &store.Trial{
				Program: prog.Name, Loss: l, Index: i, Seed: uint64(1000 + i),
				Params: []string{"saw_freq", "sine_freq"},
				Target: []float64{float64(100 + 50*i), float64(200 + 30*i)},
				Start:  []float64{500, 500},
				FinalU: []float64{0, 0},
				Final:  []float64{float64(110 + 50*i), float64(190 + 30*i)},
				Status: store.StatusOK, Iterations: 200,
				LossFinal: 1, PLoss: 0.1, PLossU: 0.1, MSS: 1,
			}
			switch {
			case l == "l1-spec" && i == 1:
				tr.Status, tr.Reason = store.StatusFailed, "NaN loss"
			case l == "mss" && i == 2:
				tr.Status, tr.Reason = store.StatusDiverged, "saw_freq left its range"
			case l == "mss" && i == 3:
				tr.Target = nil
				tr.PLoss, tr.PLossU = math.NaN(), math.NaN()
			}
			if err := db.InsertTrial(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	return db
}

func builtinProgram(t testing.TB, name string) study.Program {
	t.Helper()
	p, err := study.ProgramRef(name, "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFinishedTrials(t *testing.T) {
	db := studyDB(t, builtinProgram(t, "add-sinesaw"), 6)
	fin, err := FinishedTrials(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range fin {
		got = append(got, k.String())
	}
	want := []string{
		"add-sinesaw/l1-spec/0", "add-sinesaw/l1-spec/2", "add-sinesaw/l1-spec/3", "add-sinesaw/l1-spec/4", "add-sinesaw/l1-spec/5",
		"add-sinesaw/mss/0", "add-sinesaw/mss/1", "add-sinesaw/mss/2", "add-sinesaw/mss/4", "add-sinesaw/mss/5",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("finished trials:\n got %v\nwant %v", got, want)
	}
}

func TestPrepare(t *testing.T) {
	ctx := context.Background()
	db := studyDB(t, builtinProgram(t, "add-sinesaw"), 6)

	// No raters the first time: refused, and nothing drawn.
	if _, err := Prepare(ctx, db, Setup{}); err == nil || !strings.Contains(err.Error(), "--raters") {
		t.Fatalf("no raters: %v", err)
	}
	if _, err := db.ListenSession(ctx); err == nil {
		t.Fatal("a refused Prepare drew items")
	}

	p, err := Prepare(ctx, db, Setup{Raters: []string{"ann", "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	// The study's evaluation settings are the defaults.
	if !p.Created || p.Seed != studySeed || p.PerPair != 3 || p.Items != 6 || len(p.Raters) != 2 || len(p.Short) != 0 ||
		p.Stored != 12 || p.Planned != 12 {
		t.Fatalf("prepared: %+v", p)
	}
	fin, _ := FinishedTrials(ctx, db)
	sess, err := db.ListenSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := store.DrawListenItems(studySeed, 3, fin)
	for i, it := range sess.Items {
		if it.Key != want[i] {
			t.Fatalf("item %d: %v, want %v", i, it.Key, want[i])
		}
	}

	// Again: the same test, same links; a new rater joins.
	p2, err := Prepare(ctx, db, Setup{Raters: []string{"bob", "cid"}})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Created || p2.Raters[0] != p.Raters[1] || p2.Items != 6 {
		t.Fatalf("second Prepare: %+v", p2)
	}
	p3, err := Prepare(ctx, db, Setup{})
	if err != nil || len(p3.Raters) != 3 {
		t.Fatalf("Prepare without raters: %+v, %v", p3, err)
	}
	// Matching explicit settings are fine; others are refused.
	if _, err := Prepare(ctx, db, Setup{Seed: studySeed, SeedSet: true, PerPair: 3}); err != nil {
		t.Fatalf("same seed and count: %v", err)
	}
	if _, err := Prepare(ctx, db, Setup{Seed: 1, SeedSet: true}); err == nil || !strings.Contains(err.Error(), "seed 9") {
		t.Fatalf("other seed: %v", err)
	}
	if _, err := Prepare(ctx, db, Setup{PerPair: 4}); err == nil || !strings.Contains(err.Error(), "3 trials per pair") {
		t.Fatalf("other count: %v", err)
	}
}

func TestPrepareShortPairsAndOverrides(t *testing.T) {
	ctx := context.Background()
	db := studyDB(t, builtinProgram(t, "add-sinesaw"), 6)
	p, err := Prepare(ctx, db, Setup{Seed: 77, SeedSet: true, PerPair: 10, Raters: []string{"ann"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Seed != 77 || p.PerPair != 10 || p.Items != 10 {
		t.Fatalf("prepared: %+v", p)
	}
	want := []string{"add-sinesaw/l1-spec: 5 finished trials", "add-sinesaw/mss: 5 finished trials"}
	if !slices.Equal(p.Short, want) {
		t.Fatalf("short pairs %q, want %q", p.Short, want)
	}
}

func TestPrepareWithoutStudy(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := Prepare(context.Background(), db, Setup{Raters: []string{"ann"}}); err == nil {
		t.Fatal("Prepare on a database with no study succeeded")
	}
}

// addSineSaw is METHOD §1's add-sinesaw written out by hand: y[n] =
// frac(y[n-1]) + f/SR from y[-1] = 0, sine = sin(2π y), saw = y.
func addSineSaw(saw, sine float64, n int, sr float64) []float64 {
	out := make([]float64, n)
	ys, yw := 0.0, 0.0
	for i := range out {
		ys = ys - math.Floor(ys) + sine*(1/sr)
		yw = yw - math.Floor(yw) + saw*(1/sr)
		out[i] = math.Sin(2*math.Pi*ys) + yw
	}
	return out
}

func TestStudySounds(t *testing.T) {
	ctx := context.Background()
	db := studyDB(t, builtinProgram(t, "add-sinesaw"), 6)
	if _, err := Prepare(ctx, db, Setup{Raters: []string{"ann"}}); err != nil {
		t.Fatal(err)
	}
	s, err := NewStudySounds(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	sess, _ := db.ListenSession(ctx)
	for _, it := range sess.Items {
		tg, out, r, err := s.Render(ctx, it.Key)
		if err != nil {
			t.Fatal(err)
		}
		if r != 44100 || len(tg) != studySamples || len(out) != studySamples {
			t.Fatalf("%s: rate %d, lengths %d %d", it.Key, r, len(tg), len(out))
		}
		i := float64(it.Index)
		wantT := addSineSaw(100+50*i, 200+30*i, studySamples, 44100)
		wantO := addSineSaw(110+50*i, 190+30*i, studySamples, 44100)
		for n := range tg {
			if math.Abs(tg[n]-wantT[n]) > 1e-9 || math.Abs(out[n]-wantO[n]) > 1e-9 {
				t.Fatalf("%s sample %d: target %g output %g, want %g %g", it.Key, n, tg[n], out[n], wantT[n], wantO[n])
			}
		}
	}
	if _, _, _, err := s.Render(ctx, store.Key{Program: "add-sinesaw", Loss: "mss", Index: 99}); err == nil {
		t.Error("rendering an item that is not in the test succeeded")
	}
}

// The whole path through the server: the served output WAV is the
// hand-written synth at the common gain, to 16-bit precision.
func TestServedStudySound(t *testing.T) {
	ctx := context.Background()
	db := studyDB(t, builtinProgram(t, "add-sinesaw"), 6)
	p, err := Prepare(ctx, db, Setup{Raters: []string{"ann"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStudySounds(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(db, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, srv: srv}
	f.ts = newTestServer(t, srv)
	order, _ := db.ListenOrder(ctx, p.Raters[0].ID)
	k := order[0].Item.Key
	i := float64(k.Index)
	wantT := addSineSaw(100+50*i, 200+30*i, studySamples, 44100)
	wantO := addSineSaw(110+50*i, 190+30*i, studySamples, 44100)
	g := Headroom / max(peakAbs(wantT), peakAbs(wantO))
	for which, want := range map[string][]float64{"a": wantT, "b": wantO} {
		r := f.do(t, "GET", fmt.Sprintf("/r/%s/item/1/%s.wav", p.Raters[0].Token, which), nil)
		x := decodeRate(t, r.body, 44100)
		for n := range x {
			if math.Abs(x[n]-g*want[n]) > 0.51/32768 {
				t.Fatalf("%s.wav sample %d: %g, want %g", which, n, x[n], g*want[n])
			}
		}
	}
}

func TestStudySoundsDSPProgram(t *testing.T) {
	ctx := context.Background()
	src, ok := synth.BuiltinSource("add-sinesaw")
	if !ok {
		t.Fatal("add-sinesaw not built in")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mysynth.dsp")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	prog, err := study.ProgramRef(path, "")
	if err != nil {
		t.Fatal(err)
	}
	db := studyDB(t, prog, 4)
	if _, err := Prepare(ctx, db, Setup{Raters: []string{"ann"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewStudySounds(ctx, db, nil); err == nil || !strings.Contains(err.Error(), "--dsp") {
		t.Fatalf("without --dsp: %v", err)
	}
	if _, err := NewStudySounds(ctx, db, []string{filepath.Join(dir, "mysynth.txt")}); err == nil {
		t.Fatal("a non-.dsp file accepted")
	}
	s, err := NewStudySounds(ctx, db, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	sess, _ := db.ListenSession(ctx)
	tg, _, _, err := s.Render(ctx, sess.Items[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	i := float64(sess.Items[0].Index)
	if want := addSineSaw(100+50*i, 200+30*i, studySamples, 44100); math.Abs(tg[100]-want[100]) > 1e-9 {
		t.Fatalf("sample 100: %g, want %g", tg[100], want[100])
	}
	// An edited program is not the one the study ran.
	if err := os.WriteFile(path, append(src, []byte("\n// edited\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewStudySounds(ctx, db, []string{path}); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Fatalf("edited program: %v", err)
	}
}

func TestStudySoundsBuiltinChanged(t *testing.T) {
	ctx := context.Background()
	prog := builtinProgram(t, "add-sinesaw")
	prog.Source = "builtin:sha256:" + strings.Repeat("0", 64)
	db := studyDB(t, prog, 4)
	if _, err := Prepare(ctx, db, Setup{Raters: []string{"ann"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewStudySounds(ctx, db, nil); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("changed built-in: %v", err)
	}
}
