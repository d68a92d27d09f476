package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soundmatch/soundmatch/report"
	"github.com/soundmatch/soundmatch/store"
)

func ExampleAnalyze() {
	dir, _ := os.MkdirTemp("", "report-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "study.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	// Two losses on one program: "mss" ends closer to its targets.
	ctx := context.Background()
	for i := range 20 {
		for _, l := range []string{"l1-spec", "mss"} {
			dist := 1 + float64(i%5)
			if l == "mss" {
				dist /= 3
			}
			t := &store.Trial{Program: "bp-noise", Loss: l, Index: i, Params: []string{"freq"},
				Start: []float64{0}, FinalU: []float64{0}, Final: []float64{0},
				MSS: dist, PLoss: dist / 10, LossFinal: dist, Status: store.StatusOK}
			if err := db.InsertTrial(ctx, t); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	r, err := report.Analyze(ctx, db, report.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range r.Cells {
		if c.KW == nil {
			fmt.Printf("%s %s: %s\n", c.Program, c.Eval, c.Note)
			continue
		}
		fmt.Printf("%s %s: H = %.2f, p = %.2g;", c.Program, c.Eval, c.KW.H, c.KW.P)
		for _, g := range c.Groups {
			fmt.Printf(" %s rank %d", g.Loss, g.Rank)
		}
		fmt.Println()
	}
	// (scipy.stats.kruskal gives the same H = 19.024390243902456.)
	// Output:
	// bp-noise MSS: H = 19.02, p = 1.3e-05; l1-spec rank 2 mss rank 1
	// bp-noise P-Loss: H = 19.02, p = 1.3e-05; l1-spec rank 2 mss rank 1
	// bp-noise listening: no ratings yet
}
