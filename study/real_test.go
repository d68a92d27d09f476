package study

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/soundmatch/soundmatch/store"
)

// realConfig is a tiny study run by the real synth, losses and match: 0.1 s
// sounds and a few iterations, so a trial takes milliseconds.
const realConfig = `
seed = 3
trials = 3
iterations = 3
samples = 4410
programs = ["bp-noise", "add-sinesaw"]
[[losses]]
name = "l1-spec"
[[losses]]
name = "dtw-envelope"
`

func realTiny(t testing.TB) (*Config, Runner) {
	t.Helper()
	cfg, err := Parse("real.toml", []byte(realConfig))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewMatchRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, r
}

// TestRealDeterminism runs the tiny real study with 1 and 2 workers and as
// two merged shards: the exports (timing aside) must be byte-identical,
// and in this paired study trial i has the same draw for both losses.
func TestRealDeterminism(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg, r := realTiny(t)
	one := openDB(t, dir, "one.db")
	run(t, one, cfg, Options{Workers: 1, Runner: r})
	want := exportNoTiming(t, one)

	two := openDB(t, dir, "two.db")
	run(t, two, cfg, Options{Workers: 2, Runner: r})
	if got := exportNoTiming(t, two); got != want {
		t.Errorf("--workers 2 differs from --workers 1:\n%s\nvs\n%s", got, want)
	}
	for k := range 2 {
		run(t, openDB(t, dir, "s"+string(rune('0'+k))+".db"), cfg, Options{Workers: 2, Shard: Shard{k, 2}, Runner: r})
	}
	merged := openDB(t, dir, "merged.db")
	if _, err := Merge(ctx, merged, []string{filepath.Join(dir, "s0.db"), filepath.Join(dir, "s1.db")}); err != nil {
		t.Fatal(err)
	}
	if got := exportNoTiming(t, merged); got != want {
		t.Errorf("merged shards differ from a single run:\n%s\nvs\n%s", got, want)
	}

	trials, err := one.Trials(ctx, store.Filter{Trajectory: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(trials) != 12 {
		t.Fatalf("%d trials, want 12", len(trials))
	}
	type pi struct {
		p string
		i int
	}
	first := map[pi]store.Trial{}
	for _, tr := range trials {
		if tr.Status == store.StatusFailed {
			t.Errorf("%s failed: %s", tr.Key(), tr.Reason)
		}
		if len(tr.Trajectory) != 3 || len(tr.Params) != 2 || len(tr.Target) != 2 {
			t.Errorf("%s: incomplete record %+v", tr.Key(), tr)
		}
		k := pi{tr.Program, tr.Index}
		f, ok := first[k]
		if !ok {
			first[k] = tr
			continue
		}
		if tr.Seed != f.Seed || !equal(tr.Target, f.Target) || !equal(tr.Start, f.Start) {
			t.Errorf("paired design broken: %s and %s draw differently", f.Key(), tr.Key())
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
