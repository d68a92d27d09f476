package dsp

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

// gonum's FFTPACK port is the independent reference for every length: the
// powers of two and of the small primes, their products, and primes.
func TestCmplxFFTAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	sizes := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 16, 17, 18, 20, 25, 27, 30, 36, 40, 49, 60, 64, 72, 80, 97, 100, 120, 128, 160, 243, 256, 360, 600, 1000, 1024, 1331, 2310}
	for _, n := range sizes {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		g := fourier.NewCmplxFFT(n)
		want := g.Coefficients(nil, x)
		p := NewCmplxFFT(n)
		got := make([]complex128, n)
		p.Coefficients(got, x)
		checkClose(t, "Coefficients", n, got, want)
		wantInv := g.Sequence(nil, x)
		p.Sequence(got, x)
		checkClose(t, "Sequence", n, got, wantInv)
		// In place, and the round trip.
		y := append([]complex128(nil), x...)
		p.Coefficients(y, y)
		p.Sequence(y, y)
		for i := range y {
			y[i] /= complex(float64(n), 0)
		}
		checkClose(t, "round trip", n, y, x)
	}
}

func checkClose(t *testing.T, what string, n int, got, want []complex128) {
	t.Helper()
	scale := 0.0
	for _, v := range want {
		scale = math.Max(scale, cmplx.Abs(v))
	}
	for k := range want {
		if d := cmplx.Abs(got[k] - want[k]); d > 1e-13*scale*math.Log2(float64(n)+2) {
			t.Fatalf("%s n=%d bin %d: got %v, want %v", what, n, k, got[k], want[k])
		}
	}
}

func TestCmplxFFTAllocsNothing(t *testing.T) {
	p := NewCmplxFFT(360)
	x := make([]complex128, 360)
	if a := testing.AllocsPerRun(10, func() { p.Coefficients(x, x); p.Sequence(x, x) }); a != 0 {
		t.Fatalf("%v allocations per transform pair", a)
	}
}

func BenchmarkCmplxFFT(b *testing.B) {
	for _, n := range []int{20, 40, 80, 360} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(float64(i%5), 1)
		}
		b.Run("own/"+itoa(n), func(b *testing.B) {
			p := NewCmplxFFT(n)
			for b.Loop() {
				p.Coefficients(x, x)
			}
		})
		b.Run("gonum/"+itoa(n), func(b *testing.B) {
			p := fourier.NewCmplxFFT(n)
			for b.Loop() {
				p.Coefficients(x, x)
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
