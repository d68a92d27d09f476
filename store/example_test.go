package store_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/soundmatch/soundmatch/store"
)

// Each finished trial is committed on its own; readers get the trials
// ordered by program, loss and index, with missing scores as NaN.
func ExampleDB_InsertTrial() {
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "study.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	for i, status := range []string{store.StatusOK, store.StatusFailed} {
		t := &store.Trial{
			Program: "bp-noise", Loss: "l1-spec", Index: i, Seed: uint64(100 + i),
			Params: []string{"lp_cut", "hp_cut"},
			Target: []float64{900, 100}, Start: []float64{500, 20},
			FinalU: []float64{0.8, 0.6}, Final: []float64{905, 97},
			LossFinal: 0.01, PLoss: 0.03, PLossU: 0.02, MSS: 2.5,
			Status: status, Iterations: 200,
		}
		if status == store.StatusFailed {
			t.LossFinal, t.PLoss, t.PLossU, t.MSS = math.NaN(), math.NaN(), math.NaN(), math.NaN()
			t.Reason = "loss is NaN at iteration 17"
		}
		if err := db.InsertTrial(ctx, t); err != nil {
			log.Fatal(err)
		}
	}
	trials, err := db.Trials(ctx, store.Filter{Programs: []string{"bp-noise"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range trials {
		reason := t.Reason
		if reason == "" {
			reason = "(no reason)"
		}
		fmt.Println(t.Key(), t.Status, t.MSS, reason)
	}
	counts, _ := db.Counts(ctx)
	fmt.Printf("%s/%s: %d done, %d failed\n", counts[0].Program, counts[0].Loss, counts[0].Done(), counts[0].Failed)
	// Output:
	// bp-noise/l1-spec/0 ok 2.5 (no reason)
	// bp-noise/l1-spec/1 failed NaN loss is NaN at iteration 17
	// bp-noise/l1-spec: 2 done, 1 failed
}
