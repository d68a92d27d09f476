package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func testTrial(program, loss string, i int) Trial {
	x := float64(i)
	return Trial{
		Program: program, Loss: loss, Index: i, Seed: 1<<63 + uint64(i)*0x9e3779b97f4a7c15,
		Params:     []string{"lp_cut", "hp_cut"},
		Target:     []float64{900 + x, 1.5},
		Start:      []float64{50, 120},
		FinalU:     []float64{-1.25, 0.1 + x/3},
		Final:      []float64{50, 3.0 / 7},
		LossFinal:  0.125 + x,
		PLoss:      math.NaN(),
		PLossU:     math.Inf(1),
		MSS:        1.0 / 3,
		Status:     StatusDiverged,
		Reason:     "lp_cut left its range",
		Iterations: 3,
		WallMS:     12.5,
		FinishedAt: time.UnixMilli(1700000000000 + int64(i)),
		Trajectory: []Step{
			{Loss: 3, GradNorm: 0.5, Values: []float64{100, 2}},
			{Loss: 2.5, GradNorm: 0.25, Values: []float64{101, 3}},
			{Loss: 0.125, GradNorm: 0.125, Values: []float64{102, 4}},
		},
	}
}

func openTemp(t *testing.T, name string) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sameTrial compares two trials treating NaN as equal to NaN.
func sameTrial(a, b Trial) bool {
	f := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	return a.Program == b.Program && a.Loss == b.Loss && a.Index == b.Index && a.Seed == b.Seed &&
		reflect.DeepEqual(a.Params, b.Params) && reflect.DeepEqual(a.Target, b.Target) &&
		reflect.DeepEqual(a.Start, b.Start) && reflect.DeepEqual(a.FinalU, b.FinalU) &&
		reflect.DeepEqual(a.Final, b.Final) && f(a.LossFinal, b.LossFinal) && f(a.PLoss, b.PLoss) &&
		f(a.PLossU, b.PLossU) && f(a.MSS, b.MSS) && a.Status == b.Status && a.Reason == b.Reason &&
		a.Iterations == b.Iterations && a.WallMS == b.WallMS && a.FinishedAt.Equal(b.FinishedAt) &&
		reflect.DeepEqual(a.Trajectory, b.Trajectory)
}

func TestTrialRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t, "s.db")
	in := testTrial("bp-noise", "l1-spec", 7)
	noTarget := testTrial("bp-noise", "jtfs", 0)
	noTarget.Target = nil
	noTarget.Trajectory = nil
	for _, tr := range []Trial{in, noTarget} {
		if err := db.InsertTrial(ctx, &tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Trials(ctx, Filter{Trajectory: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d trials, want 2", len(got))
	}
	// Ordered by loss name: jtfs < l1-spec.
	if !sameTrial(got[0], noTarget) {
		t.Errorf("out-of-domain trial:\n got %+v\nwant %+v", got[0], noTarget)
	}
	if !sameTrial(got[1], in) {
		t.Errorf("trial:\n got %+v\nwant %+v", got[1], in)
	}
	light, err := db.Trials(ctx, Filter{Losses: []string{"l1-spec"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(light) != 1 || light[0].Trajectory != nil || light[0].Seed != in.Seed {
		t.Errorf("filtered read without trajectory: %+v", light)
	}
	if err := db.InsertTrial(ctx, &in); err == nil {
		t.Error("inserting a trial twice succeeded")
	}
	bad := testTrial("bp-noise", "mss", 1)
	bad.Status = "fine"
	if err := db.InsertTrial(ctx, &bad); err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("bad status: err = %v", err)
	}
	done, err := db.Done(ctx)
	if err != nil || len(done) != 2 || !done[Key{"bp-noise", "l1-spec", 7}] {
		t.Errorf("Done = %v, %v", done, err)
	}
	counts, err := db.Counts(ctx)
	if err != nil || len(counts) != 2 || counts[1].Diverged != 1 || counts[1].Done() != 1 {
		t.Errorf("Counts = %+v, %v", counts, err)
	}
}

func TestConfigMismatch(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t, "s.db")
	if _, _, err := db.Config(ctx); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("empty db: Config err = %v, want ErrNoConfig", err)
	}
	if err := db.SaveConfig(ctx, "trials = 3\n", nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConfig(ctx, "trials = 3\n", nil); err != nil {
		t.Fatalf("same config again: %v", err)
	}
	err := db.SaveConfig(ctx, "trials = 4\n", func(have, want string) []string {
		return []string{"trials: " + strings.TrimSpace(have) + " vs " + strings.TrimSpace(want)}
	})
	var me *ConfigMismatchError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "trials = 3 vs trials = 4") {
		t.Fatalf("mismatch: err = %v", err)
	}
	text, _, err := db.Config(ctx)
	if err != nil || text != "trials = 3\n" {
		t.Errorf("stored config changed to %q (%v)", text, err)
	}
}

func TestCorruptFile(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "notes.db")
	content := []byte(strings.Repeat("this is not a database\n", 300))
	if err := os.WriteFile(garbage, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, open := range map[string]func(string) (*DB, error){"Open": Open, "OpenExisting": OpenExisting} {
		db, err := open(garbage)
		if err == nil {
			db.Close()
			t.Errorf("%s accepted a text file", name)
		} else if !strings.Contains(err.Error(), garbage) || !strings.Contains(err.Error(), "database") {
			t.Errorf("%s: unclear error %q", name, err)
		}
	}
	if b, _ := os.ReadFile(garbage); string(b) != string(content) {
		t.Error("opening a non-database file modified it")
	}
	if _, err := OpenExisting(filepath.Join(dir, "missing.db")); err == nil || !strings.Contains(err.Error(), "no such database") {
		t.Errorf("missing file: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("OpenExisting created a file")
	}

	// A real database with its pages damaged after the header.
	path := filepath.Join(dir, "damaged.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 50 {
		tr := testTrial("p", "l", i)
		if err := db.InsertTrial(ctx, &tr); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 100; i < len(b); i++ {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = OpenExisting(path)
	if err == nil {
		_, err = db.Trials(ctx, Filter{Trajectory: true})
		db.Close()
	}
	if err == nil {
		t.Fatal("damaged database read without error")
	}
	t.Logf("damaged database: %v", err)
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error does not name the file: %v", err)
	}
}

// TestDiskFull makes SQLite run out of room (max_page_count stands in for a
// full disk: both give SQLITE_FULL) and checks the error says so and the
// trials stored before stay readable.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t, "s.db")
	db.SQL.SetMaxOpenConns(1) // the pragma is per connection
	for i := range 3 {
		tr := testTrial("p", "l", i)
		if err := db.InsertTrial(ctx, &tr); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SQL.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.SQL.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 3; i < 200 && err == nil; i++ {
		tr := testTrial("p", "l", i)
		tr.Trajectory = make([]Step, 2000) // big rows fill the pages quickly
		err = db.InsertTrial(ctx, &tr)
	}
	if err == nil || !strings.Contains(err.Error(), "disk is full") || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("full database: err = %v", err)
	}
	t.Logf("full database: %v", err)
	got, err := db.Trials(ctx, Filter{Trajectory: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 {
		t.Fatalf("%d trials readable after the failed write, want at least 3", len(got))
	}
	for i := range 3 {
		if !sameTrial(got[i], testTrial("p", "l", i)) {
			t.Errorf("trial %d changed after the failed write", i)
		}
	}
}

func TestMergeFrom(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mk := func(name, config string, idx ...int) string {
		path := filepath.Join(dir, name)
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.SaveConfig(ctx, config, nil); err != nil {
			t.Fatal(err)
		}
		for _, i := range idx {
			tr := testTrial("p", "l", i)
			if err := db.InsertTrial(ctx, &tr); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}
	a := mk("a.db", "A", 0, 1, 2)
	b := mk("b.db", "A", 2, 3)
	other := mk("other.db", "B", 4)

	out, err := Open(filepath.Join(dir, "out.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for _, in := range []struct {
		path        string
		added, same int
	}{{a, 3, 0}, {b, 1, 1}, {a, 0, 3}} {
		r, err := out.MergeFrom(ctx, in.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Added != in.added || r.Same != in.same {
			t.Errorf("merge %s: %+v, want added %d same %d", in.path, r, in.added, in.same)
		}
	}
	if _, err := out.MergeFrom(ctx, other, nil); err == nil || !strings.Contains(err.Error(), "different studies") {
		t.Errorf("merging another config: err = %v", err)
	}

	// A trial present in both with another result.
	liar := filepath.Join(dir, "liar.db")
	db, err := Open(liar)
	if err != nil {
		t.Fatal(err)
	}
	db.SaveConfig(ctx, "A", nil)
	for _, i := range []int{5, 1} {
		tr := testTrial("p", "l", i)
		if i == 1 {
			tr.MSS += 1e-12
			tr.WallMS = 99 // timings may differ; results may not
		}
		if err := db.InsertTrial(ctx, &tr); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	_, err = out.MergeFrom(ctx, liar, nil)
	if err == nil || !strings.Contains(err.Error(), "p/l/1 (mss)") {
		t.Fatalf("disagreeing duplicate: err = %v", err)
	}
	got, err := out.Trials(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("after refused merge: %d trials, want 4 (nothing of the refused input added)", len(got))
	}
}
