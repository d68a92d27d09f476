package match_test

import (
	"context"
	"fmt"

	"github.com/soundmatch/soundmatch/match"
	"github.com/soundmatch/soundmatch/synth"
)

// ExampleRun matches the bp-noise program to a target it rendered itself,
// starting from a seeded draw near it.
func ExampleRun() {
	prog, err := synth.Load("bp-noise", 44100)
	if err != nil {
		panic(err)
	}
	targetValues := []float64{317, 62} // lp_cut, hp_cut
	target := make([]float64, 44100)   // 1 s
	prog.Render(targetValues, target, nil)

	cfg := match.DefaultConfig() // RMSProp, lr 0.045, 200 updates
	cfg.Loss = "l1-spec"
	cfg.Iterations = 60
	res, err := match.Run(context.Background(), prog, target, targetValues, []float64{393, 52}, cfg, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("status:", res.Status, "after", res.Iterations, "updates")
	fmt.Printf("lp_cut: start 393, final %.0f, target 317\n", res.Final[0])
	fmt.Println("P-Loss below 0.01:", res.PLoss < 0.01)
	fmt.Println("loss fell tenfold:", res.LossFinal < res.Trajectory[0].Loss/10)
	// Output:
	// status: ok after 60 updates
	// lp_cut: start 393, final 318, target 317
	// P-Loss below 0.01: true
	// loss fell tenfold: true
}
