package scatter

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
	"github.com/soundmatch/soundmatch/dsp"
)

// Constants of Kymatio's Morlet filter banks (frontend build()).
const (
	sigma0 = 0.1
	rPsi   = math.Sqrt2 / 2 // √0.5
	alpha  = 5.0
)

// Normalization selects how lower-resolution copies of a filter are
// formed from the full-resolution one in the Fourier domain.
type Normalization int

const (
	// Mean periodises: Ĥ_L[k] = 2^−L Σ_r Ĥ[k + r·N/2^L] (Kymatio ≤ 0.3.0).
	Mean Normalization = iota
	// Sum periodises: Ĥ_L[k] = Σ_r Ĥ[k + r·N/2^L] (Kymatio main since 2023).
	Sum
)

// String returns "mean" or "sum".
func (n Normalization) String() string {
	if n == Sum {
		return "sum"
	}
	return "mean"
}

// ParseNormalization accepts "mean" (Kymatio 0.3.0) and "sum" (Kymatio main).
func ParseNormalization(s string) (Normalization, error) {
	switch s {
	case "mean":
		return Mean, nil
	case "sum":
		return Sum, nil
	}
	return 0, fmt.Errorf("normalization %q: want mean (Kymatio 0.3.0) or sum (Kymatio main)", s)
}

// Filter is one Morlet (or Gaussian lowpass) filter in the Fourier domain.
// Xi is its centre frequency and Sigma its bandwidth in cycles per sample;
// J is the log2 of the largest subsampling its output tolerates without
// aliasing. Level(L) is the real frequency response at resolution N/2^L
// (level 0 at the full padded length); only its non-negligible runs are
// stored, which for narrow wavelets on long signals is a small part.
type Filter struct {
	Xi, Sigma float64
	J         int
	lv        []level
}

// level is one resolution of a filter: length n, values on its runs.
type level struct {
	n    int
	runs []run
}

// run holds the filter values on bins lo, lo+1, … lo+len(v)−1.
type run struct {
	lo int
	v  []float64
}

// NumLevels is the number of resolutions built for the filter.
func (f Filter) NumLevels() int { return len(f.lv) }

// Level returns the full frequency response at resolution N/2^L (a new
// slice; bins below 1e−18 of the peak are zero).
func (f Filter) Level(L int) []float64 {
	l := f.lv[L]
	h := make([]float64, l.n)
	for _, r := range l.runs {
		copy(h[r.lo:], r.v)
	}
	return h
}

// span is a half-open run [lo, hi) of frequency bins.
type span struct{ lo, hi int }

// negligible is the relative magnitude below which filter bins are
// skipped in products: Gaussian tails below 1e−18 of the peak change
// coefficients by far less than rounding of the peak terms.
const negligible = 1e-18

// support returns the runs of bins where |h| exceeds negligible·max|h|.
func support(h []float64) []span {
	m := 0.0
	for _, v := range h {
		m = math.Max(m, math.Abs(v))
	}
	thr := negligible * m
	var out []span
	for k := 0; k < len(h); {
		if math.Abs(h[k]) <= thr {
			k++
			continue
		}
		lo := k
		for k < len(h) && math.Abs(h[k]) > thr {
			k++
		}
		out = append(out, span{lo, k})
	}
	return out
}

func newFilter(xi, sigma float64, j int, levels [][]float64) Filter {
	f := Filter{Xi: xi, Sigma: sigma, J: j}
	for _, h := range levels {
		l := level{n: len(h)}
		for _, sp := range support(h) {
			l.runs = append(l.runs, run{lo: sp.lo, v: append([]float64(nil), h[sp.lo:sp.hi]...)})
		}
		f.lv = append(f.lv, l)
	}
	return f
}

// AndenGenerator returns the centre frequencies and bandwidths of
// Kymatio's filter bank for (J, Q): a geometric progression of ratio
// 2^{1/Q} from ξ_max down to the elbow where σ reaches σ0/2^J, then Q−1
// linearly spaced filters of constant bandwidth.
func AndenGenerator(J, Q int) (xi, sigma []float64) {
	x := xiMax(Q)
	s := sigmaPsi(x, Q)
	sMin := sigma0 / detmath.Pow(2, float64(J))
	f := detmath.Pow(2, 1/float64(Q))
	if s <= sMin {
		x = s
	} else {
		xi, sigma = append(xi, x), append(sigma, s)
		for s > sMin*f {
			x /= f
			s /= f
			xi, sigma = append(xi, x), append(sigma, s)
		}
	}
	elbow := x
	for q := 0; q < Q-1; q++ {
		x -= float64(1 / float64(Q) * elbow)
		xi, sigma = append(xi, x), append(sigma, sMin)
	}
	return xi, sigma
}

func xiMax(Q int) float64 {
	return math.Max(1/(1+detmath.Pow(2, 3/float64(Q))), 0.35)
}

func sigmaPsi(xi float64, Q int) float64 {
	factor := 1 / detmath.Pow(2, 1/float64(Q))
	term1 := (1 - factor) / (1 + factor)
	term2 := 1 / math.Sqrt(2*detmath.Log(1/rPsi))
	return xi * term1 * term2
}

// maxDyadicSubsampling is the largest j with |ξ|+ασ < 2^−(j+1).
func maxDyadicSubsampling(xi, sigma float64) int {
	ub := math.Min(math.Abs(xi)+float64(alpha*sigma), 0.5)
	return int(math.Floor(-detmath.Log2(ub))) - 1
}

// Morlet returns the frequency response on the N bins k/N of a Morlet
// wavelet of centre xi and bandwidth sigma (a Gaussian lowpass when
// xi = 0), periodised over [1−P, P) and normalised to unit L1 norm in
// time, as Kymatio's morlet_1d builds it.
func Morlet(N int, xi, sigma float64) []float64 {
	val := math.Sqrt(-2 * sigma * sigma * detmath.Log(1e-7))
	P := min(int(math.Ceil(val+1)), 5)
	low := make([]float64, N)
	gab := make([]float64, N)
	for r := 0; r < 2*P-1; r++ {
		for k := 0; k < N; k++ {
			f := float64((1-P)*N+r*N+k) / float64(N)
			if P == 1 {
				// fftfreq: continuity around 0 on [−1/2, 1/2).
				kk := k
				if k >= (N+1)/2 {
					kk = k - N
				}
				f = float64(kk) / float64(N)
			}
			low[k] += gauss(f, sigma)
		}
		if xi != 0 {
			for k := 0; k < N; k++ {
				f := float64((1-P)*N+r*N+k) / float64(N)
				gab[k] += gauss(f-xi, sigma)
			}
		}
	}
	n := float64(2*P - 1)
	for k := range low {
		low[k] /= n
		gab[k] /= n
	}
	h := low
	if xi != 0 {
		kappa := gab[0] / low[0]
		for k := range gab {
			gab[k] -= float64(kappa * low[k])
		}
		h = gab
	}
	t := ifftReal(h)
	var l1 float64
	for _, v := range t {
		l1 += cmplxAbs(v)
	}
	for k := range h {
		h[k] /= l1
	}
	return h
}

// gauss is exp(−d²/2σ²), skipping the call where it underflows to 0.
func gauss(d, sigma float64) float64 {
	e := -(d * d) / (2 * sigma * sigma)
	if e < -746 {
		return 0
	}
	return detmath.Exp(e)
}

func cmplxAbs(z complex128) float64 { return detmath.Hypot(real(z), imag(z)) }

// ifftReal is the normalised inverse DFT (1/N) of a real spectrum.
func ifftReal(h []float64) []complex128 {
	n := len(h)
	z := make([]complex128, n)
	for k, v := range h {
		z[k] = complex(v, 0)
	}
	if isPow2(n) {
		newFFTPlan(n).transform(z, true)
	} else {
		out := make([]complex128, n)
		dsp.NewCmplxFFT(n).Sequence(out, z) // unnormalised inverse
		z = out
	}
	for i := range z {
		z[i] /= complex(float64(n), 0)
	}
	return z
}

// periodize forms the lower-resolution copies of h up to level maxLevel−1.
func periodize(h []float64, maxLevel int, norm Normalization) [][]float64 {
	levels := [][]float64{h}
	for L := 1; L < maxLevel; L++ {
		m := 1 << L
		n := len(h) / m
		v := make([]float64, n)
		for r := 0; r < m; r++ {
			for k := 0; k < n; k++ {
				v[k] += h[r*n+k]
			}
		}
		if norm == Mean {
			for k := range v {
				v[k] /= float64(m)
			}
		}
		levels = append(levels, v)
	}
	return levels
}

// Bank is the set of filters of a two-layer scattering transform at one
// padded length, as Kymatio's scattering_filter_factory builds it.
type Bank struct {
	N    int
	Phi  Filter // lowpass φ_T, J = ⌊log2 T⌋
	Psi1 []Filter
	Psi2 []Filter
}

// NewBank builds the filters for padded length N (a power of two for the
// lower-resolution levels to exist), scale J, Q = (q1, q2) wavelets per
// octave (q2 = 0 builds no second layer) and lowpass support T.
// Psi2 levels exist for 1 ≤ L < min(max j1, j2, 1+log2 T); Phi levels for
// 1 ≤ L < max(max j, 1+log2 T).
func NewBank(N, J, q1, q2 int, T float64, norm Normalization) *Bank {
	log2T := int(math.Floor(detmath.Log2(T)))
	b := &Bank{N: N}
	maxJ, prevJ := 0, 0
	for layer, q := range []int{q1, q2} {
		if q == 0 {
			continue
		}
		xis, sigmas := AndenGenerator(J, q)
		var fs []Filter
		for i, xi := range xis {
			s := sigmas[i]
			h := Morlet(N, xi, s)
			j := maxDyadicSubsampling(xi, s)
			fs = append(fs, newFilter(xi, s, j, periodize(h, min(prevJ, j, 1+log2T), norm)))
			maxJ = max(maxJ, j)
		}
		prevJ = maxJ
		if layer == 0 {
			b.Psi1 = fs
		} else {
			b.Psi2 = fs
		}
	}
	sLow := sigma0 / T
	b.Phi = newFilter(0, sLow, log2T, periodize(Morlet(N, 0, sLow), max(prevJ, 1+log2T), norm))
	return b
}

// temporalSupport is Kymatio's compute_temporal_support for one filter:
// the smallest half-width whose L1 tail is at most 1e-3.
func temporalSupport(hf []float64) int {
	h := ifftReal(hf)
	half := len(h) / 2
	resid := 0.0
	best := -1
	for i := half - 1; i >= 0; i-- {
		resid += cmplxAbs(h[i])
		if resid <= 1e-3 {
			best = i
		}
	}
	if best < 0 {
		return half
	}
	return best + 1
}
