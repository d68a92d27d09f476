package scatter

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

func naiveDFT(x []complex128, sign float64) []complex128 {
	n := len(x)
	y := make([]complex128, n)
	for k := range y {
		var s complex128
		for t, v := range x {
			s += v * cmplx.Rect(1, sign*2*math.Pi*float64(k*t%n)/float64(n))
		}
		y[k] = s
	}
	return y
}

func TestFFTAgainstNaiveDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 4, 8, 16, 32, 64, 128, 512} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		for _, inv := range []bool{false, true} {
			sign := -1.0
			if inv {
				sign = 1
			}
			want := naiveDFT(x, sign)
			got := append([]complex128(nil), x...)
			newFFTPlan(n).transform(got, inv)
			for k := range got {
				if cmplx.Abs(got[k]-want[k]) > 1e-10*math.Sqrt(float64(n)) {
					t.Fatalf("n=%d inv=%v bin %d: got %v want %v", n, inv, k, got[k], want[k])
				}
			}
		}
		if n < 2 {
			continue
		}
		xr := make([]float64, n)
		xc := make([]complex128, n)
		for i := range xr {
			xr[i] = rng.NormFloat64()
			xc[i] = complex(xr[i], 0)
		}
		want := naiveDFT(xc, -1)
		got := make([]complex128, n)
		rf := newRealFFT(n)
		rf.forward(got, xr)
		for k := range got {
			if cmplx.Abs(got[k]-want[k]) > 1e-10*math.Sqrt(float64(n)) {
				t.Fatalf("real n=%d bin %d: got %v want %v", n, k, got[k], want[k])
			}
		}
		// inverseReal of a non-Hermitian spectrum = Re of the full inverse.
		want = naiveDFT(x, 1)
		gr := make([]float64, n)
		rf.inverseReal(gr, x)
		for k := range gr {
			if math.Abs(gr[k]-real(want[k])) > 1e-10*math.Sqrt(float64(n)) {
				t.Fatalf("inverseReal n=%d sample %d: got %v want %v", n, k, gr[k], real(want[k]))
			}
		}
	}
}

func BenchmarkFFT65536(b *testing.B) {
	p := newFFTPlan(65536)
	x := make([]complex128, 65536)
	for i := range x {
		x[i] = complex(float64(i%7), 1)
	}
	for b.Loop() {
		p.transform(x, false)
	}
}

func TestFFTLargeAgainstGonum(t *testing.T) {
	// Large sizes run every kernel (the assembly one where available) on
	// many stages; gonum's FFTPACK port is the independent reference.
	rng := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{32768, 65536} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		want := fourier.NewCmplxFFT(n).Coefficients(nil, x)
		wantInv := fourier.NewCmplxFFT(n).Sequence(nil, x)
		p := newFFTPlan(n)
		got := append([]complex128(nil), x...)
		p.transform(got, false)
		gotInv := append([]complex128(nil), x...)
		p.transform(gotInv, true)
		for k := range got {
			if cmplx.Abs(got[k]-want[k]) > 1e-9 || cmplx.Abs(gotInv[k]-wantInv[k]) > 1e-9 {
				t.Fatalf("n=%d bin %d: forward %v (gonum %v), inverse %v (gonum %v)", n, k, got[k], want[k], gotInv[k], wantInv[k])
			}
		}
	}
}
