package scatter_test

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/scatter"
)

func ExampleTime() {
	// Time scattering of a 700 Hz tone at 8 kHz with J=6, Q=1, T=64.
	n := 4096
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * 700 * float64(i) / 8000)
	}
	tr, err := scatter.NewTime(n, scatter.Config{J: 6, Q1: 1, Q2: 1, T: 64})
	if err != nil {
		panic(err)
	}
	s := tr.Forward(nil, x)
	fmt.Println(len(tr.Paths()), "paths ×", tr.Frames(), "frames")

	// The band centred on 700 Hz = 0.0875 cycles/sample dominates order 1.
	best, bestE := 0, 0.0
	for p, path := range tr.Paths() {
		if path.Order != 1 {
			continue
		}
		e := 0.0
		for _, v := range s[p*tr.Frames() : (p+1)*tr.Frames()] {
			e += v
		}
		if e > bestE {
			best, bestE = p, e
		}
	}
	fmt.Printf("strongest first-order filter: ξ = %.4g\n", tr.Bank().Psi1[tr.Paths()[best].N1].Xi)

	// Gradient of Σ S (all coefficients) with respect to x.
	grad := make([]float64, n)
	sum := tr.Eval(x, grad, func(p int, s, gs []float64) float64 {
		t := 0.0
		for i := range s {
			t += s[i]
			if gs != nil {
				gs[i] = 1
			}
		}
		return t
	})
	fmt.Println(sum > 0, len(grad))
	// Output:
	// 26 paths × 64 frames
	// strongest first-order filter: ξ = 0.0875
	// true 4096
}

func ExampleJTFS() {
	// Joint time-frequency scattering of a rising chirp: its spin-up rows
	// (energy moving to higher frequencies) outweigh the spin-down rows.
	n := 4096
	x := make([]float64, n)
	for i := range x {
		t := float64(i) / 8000
		x[i] = math.Sin(2 * math.Pi * (300*t + 4000*t*t))
	}
	tr, err := scatter.NewJTFS(n, scatter.JTFSConfig{J: 8, Q1: 4, Q2: 1, JFr: 2, QFr: 1})
	if err != nil {
		panic(err)
	}
	s := tr.Forward(nil, x)
	var up, down float64
	for p, path := range tr.Paths() {
		if path.Order != 2 {
			continue
		}
		for _, v := range s[p*tr.Frames() : (p+1)*tr.Frames()] {
			if path.Spin > 0 {
				up += v
			} else if path.Spin < 0 {
				down += v
			}
		}
	}
	fmt.Println("frequential length", tr.FreqLen(), "rows", len(tr.Paths()))
	fmt.Println("spin up dominates:", up > down)
	// Output:
	// frequential length 68 rows 222
	// spin up dominates: true
}
