package dsp

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/dsp/fourier"
)

func randSignal(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

var fftSizes = []int{1, 2, 3, 5, 8, 12, 16, 32, 64, 100, 128, 256, 512, 600, 1024, 2048, 4096, 8192, 16384}

// Forward must equal gonum's real FFT, the oracle.
func TestFFTForwardMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range fftSizes {
		x := randSignal(rng, n)
		want := fourier.NewFFT(n).Coefficients(nil, x)
		got := make([]complex128, n/2+1)
		NewFFT(n).Forward(got, x)
		scale := 0.0
		for _, v := range want {
			scale = math.Max(scale, cmplx.Abs(v))
		}
		for k := range want {
			if d := cmplx.Abs(got[k] - want[k]); d > 1e-12*scale {
				t.Fatalf("n=%d k=%d: got %v want %v", n, k, got[k], want[k])
			}
		}
	}
}

// Adjoint must satisfy ⟨Fx, g⟩ = ⟨x, Fᵀg⟩ and equal a naive sum.
func TestFFTAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range fftSizes {
		x := randSignal(rng, n)
		g := make([]complex128, n/2+1)
		for k := range g {
			g[k] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		p := NewFFT(n)
		X := make([]complex128, n/2+1)
		p.Forward(X, x)
		a := make([]float64, n)
		p.Adjoint(a, g)
		lhs, rhs := 0.0, 0.0
		for k := range X {
			lhs += real(X[k])*real(g[k]) + imag(X[k])*imag(g[k])
		}
		for j := range x {
			rhs += x[j] * a[j]
		}
		if math.Abs(lhs-rhs) > 1e-10*(math.Abs(lhs)+float64(n)) {
			t.Fatalf("n=%d: <Fx,g>=%g <x,F'g>=%g", n, lhs, rhs)
		}
		if n > 1024 {
			continue
		}
		for j := 0; j < n; j++ {
			s := 0.0
			for k := range g {
				th := 2 * math.Pi * float64(j*k%n) / float64(n)
				s += real(g[k])*math.Cos(th) - imag(g[k])*math.Sin(th)
			}
			if math.Abs(s-a[j]) > 1e-10*float64(n) {
				t.Fatalf("n=%d j=%d: adjoint %g, naive %g", n, j, a[j], s)
			}
		}
	}
}

func TestFFTAllocs(t *testing.T) {
	for _, n := range []int{600, 512} {
		p := NewFFT(n)
		x := make([]float64, n)
		X := make([]complex128, n/2+1)
		if a := testing.AllocsPerRun(10, func() { p.Forward(X, x); p.Adjoint(x, X) }); a != 0 {
			t.Errorf("n=%d: %v allocs", n, a)
		}
	}
}

// cpuTime is the process's user+system CPU time: the benchmark machine is
// shared, so the benchmarks report cpu-ns/op, which waiting for a core does
// not inflate, next to the wall-clock ns/op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopCPU runs f in b.Loop and reports its CPU time per call.
func loopCPU(b *testing.B, f func()) {
	c0 := cpuTime()
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkFFT compares the hand-written real FFT with gonum's, forward.
func BenchmarkFFT(b *testing.B) {
	for _, n := range []int{256, 512, 1024, 2048, 4096, 8192} {
		x := randSignal(rand.New(rand.NewPCG(1, 1)), n)
		dst := make([]complex128, n/2+1)
		b.Run(fmt.Sprintf("ours/n=%d", n), func(b *testing.B) {
			p := NewFFT(n)
			loopCPU(b, func() { p.Forward(dst, x) })
		})
		b.Run(fmt.Sprintf("gonum/n=%d", n), func(b *testing.B) {
			p := fourier.NewFFT(n)
			loopCPU(b, func() { p.Coefficients(dst, x) })
		})
		b.Run(fmt.Sprintf("ours-adjoint/n=%d", n), func(b *testing.B) {
			p := NewFFT(n)
			y := make([]float64, n)
			loopCPU(b, func() { p.Adjoint(y, dst) })
		})
		b.Run(fmt.Sprintf("gonum-sequence/n=%d", n), func(b *testing.B) {
			p := fourier.NewFFT(n)
			y := make([]float64, n)
			loopCPU(b, func() { p.Sequence(y, dst) })
		})
	}
}
