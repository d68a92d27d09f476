package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soundmatch/soundmatch/store"
)

func runReportCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	reportFlags.db, reportFlags.out, reportFlags.variant, reportFlags.branch = "", "", "np", "development"
	reportFlags.seed, reportFlags.resamples, reportFlags.alpha, reportFlags.noPictures = 1, 1000, 0.05, false
	for _, name := range []string{"db", "out", "variant", "branch", "seed", "resamples", "alpha", "no-pictures"} {
		reportCmd.Flags().Lookup(name).Changed = false
	}
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(append([]string{"report"}, args...))
	err := rootCmd.Execute()
	return out.String(), err
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "s.db")
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range []string{"a", "a", "a", "b", "b", "b"} {
		tr := &store.Trial{Program: "p", Loss: l, Index: i, Params: []string{"x"}, Start: []float64{0}, FinalU: []float64{0},
			Final: []float64{0}, MSS: float64(i + 1), PLoss: float64(7 - i), PLossU: 0, LossFinal: 1, Status: store.StatusOK,
			Trajectory: []store.Step{{Loss: 2}, {Loss: 1}}}
		if err := db.InsertTrial(context.Background(), tr); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for _, variant := range []string{"np", "p"} {
		a, b := filepath.Join(dir, variant+"1"), filepath.Join(dir, variant+"2")
		for _, out := range []string{a, b} {
			msg, err := runReportCmd(t, "--db", dbPath, "--out", out, "--variant", variant, "--no-pictures")
			if err != nil || !strings.Contains(msg, "no ratings yet") {
				t.Fatalf("report --variant %s: %q, %v", variant, msg, err)
			}
		}
		x, err1 := os.ReadFile(filepath.Join(a, "report.md"))
		y, err2 := os.ReadFile(filepath.Join(b, "report.md"))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("--variant %s: report.md differs between runs (%v, %v)", variant, err1, err2)
		}
		if bytes.Contains(x, []byte("METHOD")) {
			t.Errorf("--variant %s: report.md refers to METHOD, which its readers do not have", variant)
		}
		if !bytes.Contains(x, []byte("| p | a | 1 | 2 | — |")) {
			t.Errorf("--variant %s: rank table missing:\n%s", variant, x)
		}
	}

	// With a study config: its [evaluation] settings and plan are used,
	// flags override them.
	cfgDB := filepath.Join(dir, "cfg.db")
	db, err = store.Open(cfgDB)
	if err != nil {
		t.Fatal(err)
	}
	cfg := "seed = 3\ntrials = 5\n[[programs]]\nname = 'p'\n[[losses]]\nlabel = 'a'\nname = 'mss'\n[[losses]]\nlabel = 'b'\nname = 'mss'\n" +
		"[evaluation]\nbootstrap = 200\nalpha = 0.01\nscott_knott = 'p'\nseed = 9\n"
	if err := db.SaveConfig(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	for i, l := range []string{"a", "a", "a", "b", "b"} {
		tr := &store.Trial{Program: "p", Loss: l, Index: i, Params: []string{"x"}, Start: []float64{0}, FinalU: []float64{0},
			Final: []float64{0}, MSS: float64(i + 1), PLoss: 1, LossFinal: 1, Status: store.StatusOK}
		if err := db.InsertTrial(context.Background(), tr); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out := filepath.Join(dir, "cfg")
	if _, err := runReportCmd(t, "--db", cfgDB, "--out", out, "--no-pictures", "--alpha", "0.1"); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"α = 0.1)", "k = 200 resamples of each group (seed 9)", "Scott-Knott ESD (p, development branch)",
		"p/a: 3 of 5 trials stored (2 still to run)", "p/b: 2 of 5 trials stored"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report with config lacks %q:\n%s", want, md)
		}
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", dir}, "--db FILE and --out DIR are required"},
		{[]string{"--db", filepath.Join(dir, "none.db"), "--out", dir}, "no such database"},
		{[]string{"--db", dbPath, "--out", dir, "--variant", "x"}, "accepted values are np and p"},
		{[]string{"--db", dbPath, "--out", dbPath}, "not a directory"},
		{[]string{"--db", dbPath, "--out", filepath.Join(dbPath, "sub")}, "--out " + filepath.Join(dbPath, "sub") + ": not a directory"},
	} {
		_, err := runReportCmd(t, c.args...)
		var ue usageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("report %v: %v, want a user error saying %q", c.args, err, c.want)
		}
	}
}
