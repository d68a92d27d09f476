package audio

import (
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// Design of the resampling filter. The cut-off sits at the Nyquist frequency
// of the lower of the two rates, with a transition band of ±10% of it: the
// response is flat (ripple ≈ 1e-5) up to 90% of that Nyquist frequency, and
// whatever lies above 110% is attenuated by ≥ 100 dB. When downsampling, the
// components between 100% and 110% fold back only into the 90–100% band,
// never into the passband. This is the usual trade (as in libsamplerate and
// libsoxr's defaults) for matching targets, whose content near the Nyquist
// frequency matters little to spectral losses.
//
// The window is Kaiser's, with β and length from Kaiser's formulas for
// A = 100 dB of stopband attenuation and a transition width Δf = 0.2 × the
// lower Nyquist frequency: β = 0.1102(A − 8.7), N = (A − 7.95)/(2.285·2π·Δf).
const (
	stopbandDB     = 100.0
	transitionFrac = 0.2  // transition width as a fraction of the lower Nyquist frequency
	maxPhases      = 4096 // above this many distinct phases, kernels are computed per output sample
)

// Resample converts x, sampled at from Hz, to the rate to Hz with a
// band-limited (Kaiser-windowed sinc) interpolator; see the constants above
// for its passband and stopband. Samples outside x are taken as zero. The
// result has ceil(len(x)·to/from) samples; output sample m sits at input time
// m·from/to, so the first samples of both coincide. When from == to, a copy
// of x is returned.
//
// Resample panics if from or to is not positive (callers validate rates read
// from files before resampling).
func Resample(x []float64, from, to int) []float64 {
	if from <= 0 || to <= 0 {
		panic("audio: Resample with a non-positive rate")
	}
	if from == to || len(x) == 0 {
		return append([]float64(nil), x...)
	}
	g := gcd(from, to)
	up, down := to/g, from/g // output m is at input time m·down/up
	r := math.Min(1, float64(to)/float64(from))
	k := newKernel(r)
	n := (len(x)*up + down - 1) / down
	y := make([]float64, n)
	taps := 2 * k.half
	var table [][]float64
	if up <= maxPhases {
		table = make([][]float64, up)
	}
	row := make([]float64, taps)
	for m := range y {
		num := m * down
		i0, p := num/up, num%up
		frac := float64(p) / float64(up)
		h := row
		if table != nil {
			if table[p] == nil {
				table[p] = make([]float64, taps)
				k.fill(table[p], frac)
			}
			h = table[p]
		} else {
			k.fill(h, frac)
		}
		first := i0 - k.half + 1 // input index of tap 0
		lo, hi := 0, taps
		if first < 0 {
			lo = -first
		}
		if first+hi > len(x) {
			hi = len(x) - first
		}
		var s float64
		for j := lo; j < hi; j++ {
			s += float64(h[j] * x[first+j])
		}
		y[m] = s
	}
	return y
}

// kernel is the low-pass interpolation kernel h(τ) = r·sinc(rτ)·w(τ/half),
// τ in input samples, r the cut-off as a fraction of the input Nyquist
// frequency, w the Kaiser window on [-1, 1].
type kernel struct {
	r       float64
	half    int // kernel support is |τ| < half input samples
	beta    float64
	i0Beta  float64
	halfLen float64
}

func newKernel(r float64) kernel {
	deltaF := transitionFrac * 0.5 * r // cycles per input sample
	length := (stopbandDB - 7.95) / (2.285 * 2 * math.Pi * deltaF)
	half := int(math.Ceil(length/2)) + 1
	beta := 0.1102 * (stopbandDB - 8.7)
	return kernel{r: r, half: half, beta: beta, i0Beta: besselI0(beta), halfLen: float64(half)}
}

// fill writes the taps for an output at fractional position frac ∈ [0, 1)
// past input sample i0: tap j multiplies input i0 − half + 1 + j, at
// distance τ = frac + half − 1 − j.
func (k kernel) fill(h []float64, frac float64) {
	for j := range h {
		h[j] = k.at(frac + float64(k.half-1-j))
	}
}

func (k kernel) at(tau float64) float64 {
	xi := tau / k.halfLen
	if xi <= -1 || xi >= 1 {
		return 0
	}
	w := besselI0(k.beta*math.Sqrt(1-float64(xi*xi))) / k.i0Beta
	a := k.r * tau
	if a == 0 {
		return k.r * w
	}
	return k.r * detmath.Sin(math.Pi*a) / (math.Pi * a) * w
}

// besselI0 is the modified Bessel function of the first kind, order 0, by its
// power series Σ ((x/2)^k / k!)², which converges quickly for the x ≤ 11 a
// Kaiser window needs.
func besselI0(x float64) float64 {
	q := x * x / 4
	sum, term := 1.0, 1.0
	for k := 1; k < 200; k++ {
		term = float64(term * (q / float64(k*k)))
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
