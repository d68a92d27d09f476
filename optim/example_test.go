package optim_test

import (
	"fmt"

	"github.com/soundmatch/soundmatch/optim"
)

// The method's RMSProp: the first step from ν = 0 moves each parameter by
// about 0.045/√0.1 ≈ 0.1423 against its gradient, whatever the gradient's
// size (a gradient of norm 5 is clipped to norm 1 first).
func ExampleNew() {
	o, err := optim.New("rmsprop", 2, 0) // lr 0 = the default 0.045
	if err != nil {
		panic(err)
	}
	u := []float64{0.5, -0.2}
	o.Step(u, []float64{3, -4})
	fmt.Printf("u = [%.4f %.4f]\n", u[0], u[1])
	// Output:
	// u = [0.3577 -0.0577]
}
