package dsp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMagnitudes4SameBits checks that every lane of Magnitudes4 (the AVX2
// kernels where the machine has them) is the same bits as Magnitude of its
// frame, for both first-pass radices and lengths that take the fallback.
func TestMagnitudes4SameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 20000)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	x[300] = 1e300 // a spike whose square overflows: +Inf in both paths
	for _, n := range []int{1, 2, 12, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 100} {
		w := Hann(n)
		f := NewFrameMagnitudes(w)
		bins := f.Bins()
		got := make([]float64, 4*bins)
		want := make([]float64, bins)
		for _, c := range []struct{ start, hop int }{{0, 100}, {7, 1}, {290, 3}, {len(x) - n - 3*37, 37}, {5, 0}} {
			f.Magnitudes4(got, x, c.start, c.hop)
			for l := range 4 {
				f.Magnitude(want, x[c.start+l*c.hop:])
				for k, v := range want {
					if g := got[4*k+l]; math.Float64bits(g) != math.Float64bits(v) {
						t.Fatalf("n=%d start=%d hop=%d lane %d bin %d: %v (%#x), Magnitude gives %v (%#x)",
							n, c.start, c.hop, l, k, g, math.Float64bits(g), v, math.Float64bits(v))
					}
				}
			}
		}
	}
}

// TestMagnitudeIsFFT checks Magnitude against |Forward| of the windowed frame.
func TestMagnitudeIsFFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{16, 512, 96} {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.Float64() - 0.5
		}
		w := Hann(n)
		xw := make([]float64, n)
		for i := range x {
			xw[i] = x[i] * w[i]
		}
		c := make([]complex128, n/2+1)
		NewFFT(n).Forward(c, xw)
		got := make([]float64, n/2+1)
		NewFrameMagnitudes(w).Magnitude(got, x)
		for k, u := range c {
			if want := math.Hypot(real(u), imag(u)); math.Abs(got[k]-want) > 1e-15*(1+want) {
				t.Fatalf("n=%d bin %d: %v, want %v", n, k, got[k], want)
			}
		}
	}
}

func TestMagnitudes4Bounds(t *testing.T) {
	f := NewFrameMagnitudes(Hann(16))
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for frames past the end")
		}
	}()
	f.Magnitudes4(make([]float64, 4*9), make([]float64, 40), 0, 9)
}

// BenchmarkFrameMagnitudes compares four frames by Magnitudes4 with four
// calls of Magnitude (ns per frame).
func BenchmarkFrameMagnitudes(b *testing.B) {
	x := make([]float64, 44100)
	for i := range x {
		x[i] = math.Sin(float64(i) * 0.01)
	}
	for _, n := range []int{512, 1024, 2048, 4096} {
		f := NewFrameMagnitudes(Hann(n))
		dst := make([]float64, 4*f.Bins())
		b.Run(fmt.Sprintf("batch4/n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f.Magnitudes4(dst, x, 0, 100)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/frame")
		})
		b.Run(fmt.Sprintf("single/n=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for l := range 4 {
					f.Magnitude(dst, x[l*100:])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(4*b.N), "ns/frame")
		})
	}
}
