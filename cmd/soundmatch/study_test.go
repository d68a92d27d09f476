package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// runStudy runs "soundmatch study ARGS" in-process, with every study flag
// back at its default first (cobra keeps flag values between Executes).
func runStudy(t *testing.T, args ...string) (string, error) {
	t.Helper()
	for _, c := range rootCmd.Commands() {
		if c.Name() != "study" {
			continue
		}
		for _, sub := range append([]*cobra.Command{c}, c.Commands()...) {
			sub.Flags().VisitAll(func(f *pflag.Flag) {
				f.Value.Set(f.DefValue)
				f.Changed = false
			})
		}
	}
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(append([]string{"study"}, args...))
	err := rootCmd.Execute()
	return out.String(), err
}

const studyTestConfig = `seed = 5
trials = 2
iterations = 2
samples = 4410
programs = ["bp-noise", "sinesaw-am"]
[[losses]]
name = "l1-spec"
[[losses]]
name = "simse-spec"
`

// csvNoTiming drops the last column (wall_ms) of an exported CSV.
func csvNoTiming(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines {
		lines[i] = l[:strings.LastIndex(l, ",")]
	}
	return strings.Join(lines, "\n")
}

func TestStudyCommands(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(cfg, []byte(studyTestConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	must := func(args ...string) string {
		t.Helper()
		out, err := runStudy(t, args...)
		if err != nil {
			t.Fatalf("study %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	out := must("run", cfg, "--db", p("one.db"), "--workers", "1")
	if !strings.Contains(out, "8 trials run") || !strings.Contains(out, "8 trials to run on 1 workers") {
		t.Errorf("run output:\n%s", out)
	}
	must("export", "--db", p("one.db"), "--csv", p("one.csv"))
	want := csvNoTiming(t, p("one.csv"))
	// Resuming without the config file: the stored config is used.
	if out := must("run", "--db", p("one.db")); !strings.Contains(out, "8 already stored") {
		t.Errorf("resume from the stored config:\n%s", out)
	}
	if n := strings.Count(want, "\n"); n != 8 {
		t.Fatalf("export has %d rows, want 8:\n%s", n, want)
	}

	must("run", cfg, "--db", p("two.db"), "--workers", "2")
	must("export", "--db", p("two.db"), "--csv", p("two.csv"))
	if got := csvNoTiming(t, p("two.csv")); got != want {
		t.Errorf("--workers 2 export differs:\n%s\nvs\n%s", got, want)
	}

	must("run", cfg, "--db", p("s0.db"), "--shard", "0/2")
	out = must("status", "--db", p("s0.db"))
	if !strings.Contains(out, "shard 0/2") || !strings.Contains(out, "complete") {
		t.Errorf("status of a shard:\n%s", out)
	}
	must("run", cfg, "--db", p("s1.db"), "--shard", "1/2")
	out = must("merge", "--db", p("merged.db"), p("s0.db"), p("s1.db"))
	if !strings.Contains(out, "4 trials added") {
		t.Errorf("merge output:\n%s", out)
	}
	must("export", "--db", p("merged.db"), "--csv", p("merged.csv"))
	if got := csvNoTiming(t, p("merged.csv")); got != want {
		t.Errorf("merged shards export differs:\n%s\nvs\n%s", got, want)
	}
	out = must("status", "--db", p("merged.db"))
	if !strings.Contains(out, "complete") || !strings.Contains(out, "sinesaw-am") {
		t.Errorf("status:\n%s", out)
	}

	// User mistakes: one clear line, exit status 2 (a usageError).
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", cfg, "--db", p("one.db"), "--trials", "3"}, "trials: 2 (database) vs 3 (given)"},
		{[]string{"run", cfg, "--db", p("x.db"), "--shard", "2/2"}, "0 ≤ k < N"},
		{[]string{"run", cfg, "--db", p("x.db"), "--losses", "l2"}, `unknown loss "l2"`},
		{[]string{"run", cfg}, "--db FILE is required"},
		{[]string{"run", "--db", p("missing.db")}, "give a CONFIG"},
		{[]string{"status", "--db", p("missing.db")}, "no such database"},
		{[]string{"export", "--db", cfg, "--csv", p("x.csv")}, "not an SQLite file"},
		{[]string{"merge", "--db", p("m.db"), p("one.db"), p("other.db")}, "other.db: no such database"},
	} {
		out, err := runStudy(t, c.args...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("study %s: err = %v (want a user error saying %q)\n%s", strings.Join(c.args, " "), err, c.want, out)
		}
	}
	must("run", cfg, "--db", p("other.db"), "--seed", "6")
	_, err := runStudy(t, "merge", "--db", p("m.db"), p("one.db"), p("other.db"))
	if err == nil || !strings.Contains(err.Error(), "different studies") || !strings.Contains(err.Error(), "seed: 5") {
		t.Errorf("merge of different studies: %v", err)
	}
	if _, err := os.Stat(p("m.db")); err == nil {
		t.Errorf("a refused merge left %s behind", p("m.db"))
	}
	out = must("config")
	if !strings.Contains(out, "trials = 300") {
		t.Errorf("study config:\n%s", out)
	}
}

// TestStudyRunBadLossSetting: a loss setting value the loss refuses is a
// user mistake found before the database is created, not a failed trial
// per (program, trial index).
func TestStudyRunBadLossSetting(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.toml")
	src := strings.Replace(studyTestConfig, "name = \"simse-spec\"\n", "name = \"simse-spec\"\nsettings = { hop = \"abc\" }\n", 1)
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "bad.db")
	out, err := runStudy(t, "run", cfg, "--db", db)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `hop="abc"`) || !strings.Contains(err.Error(), "simse-spec") {
		t.Errorf("err = %v, want a user error naming simse-spec and hop=\"abc\"\n%s", err, out)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a refused study left %s behind", db)
	}
}
