package dsp

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// Smoother is a 'same'-size, zero-padded convolution with a fixed kernel
// h of K taps, as numpy.convolve(x, h, mode="same") for K ≤ len(x):
//
//	y[i] = Σ_k h[k]·x[i + ⌊(K−1)/2⌋ − k],  x outside [0, len(x)) is 0.
type Smoother struct {
	h []float64
}

// NewSmoother returns a smoother with a copy of the kernel h. It panics if
// h is empty.
func NewSmoother(h []float64) *Smoother {
	if len(h) == 0 {
		panic("dsp: empty smoothing kernel")
	}
	return &Smoother{h: append([]float64(nil), h...)}
}

// GaussianKernel returns the K-tap Gaussian exp(−n²/(2σ²)) with n running
// from −(K−1)/2 to (K−1)/2 (scipy.signal.windows.gaussian(K, σ)), scaled
// to sum to 1.
func GaussianKernel(taps int, sigma float64) ([]float64, error) {
	if taps < 1 {
		return nil, fmt.Errorf("gaussian kernel: %d taps: want at least 1", taps)
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("gaussian kernel: sigma %g: want a positive number", sigma)
	}
	h := make([]float64, taps)
	c := float64(taps-1) / 2
	sum := 0.0
	for i := range h {
		d := float64(i) - float64(c) // c is a halved product: keep it rounded
		h[i] = detmath.Exp(-d * d / (2 * sigma * sigma))
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h, nil
}

// Kernel returns the smoother's kernel (not a copy).
func (s *Smoother) Kernel() []float64 { return s.h }

// Forward writes the smoothed x into dst. dst and x must have the same
// length and must not overlap; it panics otherwise on length mismatch.
func (s *Smoother) Forward(dst, x []float64) {
	if len(dst) != len(x) {
		panic("dsp: Smoother length mismatch")
	}
	h := s.h
	c := (len(h) - 1) / 2
	n := len(x)
	for i := range dst {
		// k such that 0 ≤ i+c−k < n.
		k0 := max(0, i+c-n+1)
		k1 := min(len(h), i+c+1)
		acc := 0.0
		for k := k0; k < k1; k++ {
			acc += float64(h[k] * x[i+c-k])
		}
		dst[i] = acc
	}
}

// Adjoint writes into dst the transpose of Forward applied to g:
// dst[j] = Σ_k h[k]·g[j − ⌊(K−1)/2⌋ + k]. dst and g must have the same
// length and must not overlap.
func (s *Smoother) Adjoint(dst, g []float64) {
	if len(dst) != len(g) {
		panic("dsp: Smoother length mismatch")
	}
	h := s.h
	c := (len(h) - 1) / 2
	n := len(g)
	for j := range dst {
		k0 := max(0, c-j)
		k1 := min(len(h), n-j+c)
		acc := 0.0
		for k := k0; k < k1; k++ {
			acc += float64(h[k] * g[j-c+k])
		}
		dst[j] = acc
	}
}
