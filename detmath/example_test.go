package detmath_test

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// A sine oscillator and an exponential envelope computed with detmath give
// the same bits on amd64, arm64 and amd64 with GOAMD64=v3, so rendered
// audio and the statistics derived from it can be compared byte for byte.
func Example() {
	const rate = 48000.0
	freq, decay := 440.0, 3.0
	for _, n := range []int{0, 12, 4800} {
		t := float64(n) / rate
		env := detmath.Exp(-decay * t)
		s := env * detmath.Sin(2*math.Pi*freq*t)
		fmt.Printf("n=%4d  sample=%+.12f  bits=%016x\n", n, s, math.Float64bits(s))
	}
	// Tuning: the frequency eleven semitones above A4.
	fmt.Printf("%.10f Hz\n", 440*detmath.Pow(2, 11.0/12))
	// Output:
	// n=   0  sample=+0.000000000000  bits=0000000000000000
	// n=  12  sample=+0.636946100987  bits=3fe461dcca21bba8
	// n=4800  sample=+0.000000000000  bits=3d0d6f44078ba31c
	// 830.6093951599 Hz
}
