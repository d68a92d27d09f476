package loss_test

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/loss"
)

func tone(freq float64) []float64 {
	x := make([]float64, 44100)
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*freq*float64(i)/44100)
	}
	return x
}

// Build a loss once for a target, then evaluate it (and its gradient)
// as often as needed.
func ExampleNew() {
	target := tone(440)
	l, err := loss.New("l1-spec", target, nil)
	if err != nil {
		panic(err)
	}
	grad := make([]float64, len(target))
	fmt.Printf("L(target) = %.3g\n", l.Eval(target, grad))
	fmt.Printf("L(880 Hz) > L(450 Hz): %v\n", l.Eval(tone(880), grad) > l.Eval(tone(450), grad))

	// Settings override the METHOD defaults by name.
	d, err := loss.New("dtw-envelope", target, map[string]string{"divergence": "true"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("soft-DTW divergence(target) = %.3g\n", math.Abs(d.Eval(target, nil)))
	// Output:
	// L(target) = 0
	// L(880 Hz) > L(450 Hz): true
	// soft-DTW divergence(target) = 0
}

func ExampleMSS() {
	t := tone(440)
	fmt.Printf("%.3g\n", loss.MSS(t, t))
	fmt.Println(loss.MSS(tone(445), t) < loss.MSS(tone(660), t))
	// Output:
	// 0
	// true
}

func ExamplePLoss() {
	min := []float64{20, 20}
	max := []float64{1000, 1000}
	final := []float64{300, 800}
	target := []float64{398, 800}
	fmt.Printf("%.3f\n", loss.PLoss(min, max, final, target))
	// Output:
	// 0.100
}
