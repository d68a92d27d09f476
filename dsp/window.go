package dsp

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// Hann returns the symmetric Hann window of length n,
// w[k] = 0.5 − 0.5·cos(2πk/(n−1)) (scipy.signal.windows.hann(n, sym=True)),
// the window of METHOD §4 and §6. Hann(1) is [1].
func Hann(n int) []float64 {
	w := make([]float64, n)
	if n == 1 {
		w[0] = 1
		return w
	}
	for k := range w {
		w[k] = 0.5 - float64(0.5*detmath.Cos(2*math.Pi*float64(k)/float64(n-1)))
	}
	return w
}

// HannPeriodic returns the periodic Hann window of length n,
// w[k] = 0.5 − 0.5·cos(2πk/n), the default of torch.hann_window and of
// librosa's STFT.
func HannPeriodic(n int) []float64 {
	w := make([]float64, n)
	for k := range w {
		w[k] = 0.5 - float64(0.5*detmath.Cos(2*math.Pi*float64(k)/float64(n)))
	}
	return w
}

// WindowNames are the names accepted by Window.
var WindowNames = []string{"hann", "hann-periodic", "rect"}

// Window returns the named window of length n: "hann" (symmetric),
// "hann-periodic" or "rect" (all ones).
func Window(name string, n int) ([]float64, error) {
	if n < 1 {
		return nil, fmt.Errorf("window length %d: want at least 1", n)
	}
	switch name {
	case "hann":
		return Hann(n), nil
	case "hann-periodic":
		return HannPeriodic(n), nil
	case "rect":
		w := make([]float64, n)
		for i := range w {
			w[i] = 1
		}
		return w, nil
	}
	return nil, fmt.Errorf("unknown window %q (accepted: hann, hann-periodic, rect)", name)
}
