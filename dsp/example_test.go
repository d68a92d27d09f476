package dsp_test

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/dsp"
)

// The spectrogram of METHOD §4 for one second at 44.1 kHz, and the
// gradient of a function of it.
func ExampleSTFT() {
	x := make([]float64, 44100)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * 1000 * float64(i) / 44100)
	}
	st, err := dsp.NewSTFT(dsp.STFTConfig{
		NFFT: 512, Window: dsp.Hann(600), Hop: 100, Center: true, Normalize: true,
	}, len(x))
	if err != nil {
		panic(err)
	}
	S := make([]float64, st.Frames()*st.Bins())
	st.Forward(S, x)
	peak := 0
	for k := range st.Bins() {
		if S[200*st.Bins()+k] > S[200*st.Bins()+peak] {
			peak = k
		}
	}
	fmt.Printf("%d frames × %d bins; frame 200 peaks at bin %d (%.0f Hz)\n",
		st.Frames(), st.Bins(), peak, float64(peak)*44100/512)

	// ∂(Σ S)/∂x: the adjoint applied to a gradient of ones.
	for i := range S {
		S[i] = 1
	}
	grad := make([]float64, len(x))
	st.Adjoint(grad, S)
	fmt.Printf("gradient has %d samples\n", len(grad))
	// Output:
	// 441 frames × 257 bins; frame 200 peaks at bin 12 (1034 Hz)
	// gradient has 44100 samples
}

func ExampleFFT() {
	p := dsp.NewFFT(8 * 2)
	x := make([]float64, p.Len())
	for i := range x {
		x[i] = math.Cos(2 * math.Pi * 3 * float64(i) / float64(p.Len()))
	}
	X := make([]complex128, p.Len()/2+1)
	p.Forward(X, x)
	for k, v := range X {
		if math.Abs(real(v)) > 1e-9 || math.Abs(imag(v)) > 1e-9 {
			fmt.Printf("bin %d: %.3g\n", k, real(v))
		}
	}
	// Output:
	// bin 3: 8
}
