package study_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/study"
)

// A small study run by the real synthesizer, losses and optimizer, stored
// in a database, then summarized.
func ExampleRun() {
	cfg, err := study.Parse("small.toml", []byte(`
seed = 1
trials = 2
iterations = 3
samples = 4410          # 0.1 s, to keep the example fast
programs = ["add-sinesaw"]
[[losses]]
name = "l1-spec"
[[losses]]
name = "dtw-envelope"
`))
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "study")
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "small.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	runner, err := study.NewMatchRunner(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	sum, err := study.Run(ctx, db, cfg, study.Options{Workers: 2, Runner: runner})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ran", sum.Ran, "of", sum.Planned)

	// A second run of the same study finds everything stored.
	sum, _ = study.Run(ctx, db, cfg, study.Options{Runner: runner})
	fmt.Println("ran", sum.Ran, "skipped", sum.Skipped)

	trials, _ := db.Trials(ctx, store.Filter{})
	for _, t := range trials {
		fmt.Println(t.Program, t.Loss, t.Index, t.Params, t.Target)
	}
	// Output:
	// ran 4 of 4
	// ran 0 skipped 4
	// add-sinesaw dtw-envelope 0 [saw_freq sine_freq] [510 82]
	// add-sinesaw dtw-envelope 1 [saw_freq sine_freq] [403 625]
	// add-sinesaw l1-spec 0 [saw_freq sine_freq] [510 82]
	// add-sinesaw l1-spec 1 [saw_freq sine_freq] [403 625]
}

// Trial seeds depend only on the study seed, the program, the trial index
// (and the loss when the study is not paired), so any trial can be planned
// alone, on any machine.
func ExampleConfig_Plan() {
	cfg := study.Paper()
	plan := cfg.Plan()
	fmt.Println(len(plan), "trials")
	for _, t := range plan[:3] {
		fmt.Println(t.Program.Name, t.Loss.Label, t.Index, t.Seed)
	}
	shard := study.Shard{K: 1, N: 4}.Select(plan)
	fmt.Println("shard 1/4 starts at trial", shard[0].Index, "and holds", len(shard))
	// Output:
	// 6000 trials
	// bp-noise l1-spec 0 12840093681560621726
	// bp-noise simse-spec 0 12840093681560621726
	// bp-noise dtw-envelope 0 12840093681560621726
	// shard 1/4 starts at trial 75 and holds 1500
}
