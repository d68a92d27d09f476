package study

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/soundmatch/soundmatch/store"
)

// A study ranks optimizers the way it ranks losses: arms that share a loss
// but not an optimizer, each with its own label, on paired trials and the
// same evaluation budget.
const optimizerConfig = `
seed = 5
trials = 2
iterations = 6
samples = 4410
programs = ["bp-noise"]
[[losses]]
name = "l1-spec"
label = "l1-spec/rmsprop"
[[losses]]
name = "l1-spec"
label = "l1-spec/cmaes"
optimizer = { name = "cmaes" }
[[losses]]
name = "l1-spec"
label = "l1-spec/cmaes+rmsprop"
optimizer = { name = "cmaes+rmsprop", hybrid_split = 0.5 }
`

func TestStudyRanksOptimizers(t *testing.T) {
	cfg, err := Parse("opt.toml", []byte(optimizerConfig))
	if err != nil {
		t.Fatal(err)
	}
	if o := cfg.OptimizerFor(cfg.Losses[0]); o.Name != "rmsprop" || o.LR != 0.045 {
		t.Errorf("arm without optimizer: %+v, want the study's rmsprop at 0.045", o)
	}
	if o := cfg.OptimizerFor(cfg.Losses[2]); o.Name != "cmaes+rmsprop" || o.HybridSplit != 0.5 || o.LR != 0.045 {
		t.Errorf("hybrid arm: %+v", o)
	}
	r, err := NewMatchRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, t.TempDir(), "opt.db")
	run(t, db, cfg, Options{Workers: 2, Runner: r})
	trials, err := db.Trials(context.Background(), store.Filter{Trajectory: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(trials) != 6 {
		t.Fatalf("%d trials, want 6", len(trials))
	}
	for _, tr := range trials {
		if len(tr.Trajectory) != 6 {
			t.Errorf("%s: %d trajectory rows, want the budget of 6", tr.Key(), len(tr.Trajectory))
		}
		searched := 0
		for _, s := range tr.Trajectory {
			if math.IsNaN(s.GradNorm) {
				searched++
			}
		}
		want := map[string]int{"l1-spec/rmsprop": 0, "l1-spec/cmaes": 6, "l1-spec/cmaes+rmsprop": 3}[tr.Loss]
		if searched != want {
			t.Errorf("%s: %d gradient-free evaluations, want %d", tr.Key(), searched, want)
		}
	}
	// The canonical text records each arm's optimizer, so changing one
	// makes another study.
	text, err := cfg.Canonical(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "cmaes+rmsprop") || !strings.Contains(text, "hybrid_split") {
		t.Errorf("canonical text lacks the arms' optimizers:\n%s", text)
	}
}

func TestStudyRejectsUnknownOptimizer(t *testing.T) {
	for _, bad := range []string{
		"programs = [\"bp-noise\"]\n[[losses]]\nname = \"l1-spec\"\noptimizer = { name = \"newton\" }\n",
		"programs = [\"bp-noise\"]\n[optimizer]\nname = \"lbfgs\"\n",
		"programs = [\"bp-noise\"]\n[[losses]]\nname = \"l1-spec\"\noptimizer = { name = \"cmaes+adam\", hybrid_split = 2 }\n",
	} {
		if _, err := Parse("bad.toml", []byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
