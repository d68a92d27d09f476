package loss

import (
	"fmt"
	"math"
	"slices"

	"github.com/soundmatch/soundmatch/dsp"
)

// MSSLoss is the multi-scale spectral distance of METHOD §6 as a plan for
// one target, usable both as the evaluation score and as a training loss:
// both sounds are peak-normalized (x/max|x|), and for each FFT size n the
// magnitude STFT (symmetric Hann of n samples, hop 100, no centring, a last
// partial frame dropped, no normalization) contributes
// mean|S_x − S_t| + mean|log(S_x + ε) − log(S_t + ε)|; the distance is the
// sum over scales. An all-zero sound stays all zero under peak
// normalization.
type MSSLoss struct {
	n      int
	eps    float64
	peak   bool
	st     []*dsp.STFT
	target [][]float64 // S(t̂) per scale
	spec   [][]float64 // S(x̂) per scale, then ∂L/∂S
	xn     []float64   // x̂
	gx     []float64   // ∂L/∂x̂
	tmp    []float64
	ratio  []float64 // (S_x + ε)/(S_t + ε), then its logarithm
}

func mssSettings() []Setting {
	return []Setting{
		// The same numbers as mssScales, mssHop and mssEps (tested).
		{Name: "scales", Default: "512,1024,2048,4096", Doc: "FFT sizes (each with a symmetric Hann window of that length)"},
		{Name: "hop", Default: "100", Doc: "samples between frames"},
		{Name: "eps", Default: "1e-7", Doc: "ε inside log(S + ε)"},
		{Name: "peak_normalize", Default: "true", Doc: "divide both sounds by their peak |x| first"},
		{Name: "window", Default: "hann", Doc: "window: hann (symmetric), hann-periodic or rect"},
	}
}

// NewMSS returns the METHOD §6 multi-scale spectral distance to target
// with the default settings. It fails if target is shorter than the
// largest scale (4096 samples).
func NewMSS(target []float64) (*MSSLoss, error) {
	spec, _ := Lookup("mss")
	s, err := spec.Resolve(nil)
	if err != nil {
		return nil, err
	}
	return newMSS(target, s, true)
}

// newMSS builds the plan; without grad it can only compute values.
func newMSS(target []float64, s Settings, grad bool) (*MSSLoss, error) {
	var e settingErr
	scales := e.ints(s, "scales")
	hop := e.int(s, "hop")
	eps := e.float(s, "eps")
	peak := e.bool(s, "peak_normalize")
	e.positive("eps", eps)
	if e.err != nil {
		return nil, e.err
	}
	n := len(target)
	if big := slices.Max(scales); n < big {
		return nil, fmt.Errorf("sounds of %d samples are shorter than the largest scale (want at least %d samples, or smaller scales)", n, big)
	}
	l := &MSSLoss{n: n, eps: eps, peak: peak, xn: make([]float64, n), gx: make([]float64, n), tmp: make([]float64, n)}
	for _, sz := range scales {
		w, err := dsp.Window(s["window"], sz)
		if err != nil {
			return nil, fmt.Errorf("setting window: %v", err)
		}
		st, err := dsp.NewSTFT(dsp.STFTConfig{NFFT: sz, Window: w, Hop: hop, MagnitudeOnly: !grad}, n)
		if err != nil {
			return nil, fmt.Errorf("scale %d: %v", sz, err)
		}
		l.st = append(l.st, st)
		l.target = append(l.target, make([]float64, st.Frames()*st.Bins()))
		l.spec = append(l.spec, make([]float64, st.Frames()*st.Bins()))
		if m := st.Frames() * st.Bins(); m > len(l.ratio) {
			l.ratio = make([]float64, m)
		}
	}
	l.normalize(l.xn, target)
	for i, st := range l.st {
		st.Magnitude(l.target[i], l.xn)
	}
	return l, nil
}

// normalize writes x/max|x| into dst and returns max|x| and its index
// (the scale is 1 when peak normalization is off or x is all zero).
func (l *MSSLoss) normalize(dst, x []float64) (peak float64, at int) {
	if l.peak {
		for i, v := range x {
			if a := math.Abs(v); a > peak {
				peak, at = a, i
			}
		}
	}
	if peak == 0 {
		copy(dst, x)
		return 1, -1
	}
	inv := 1 / peak
	for i, v := range x {
		dst[i] = v * inv
	}
	return peak, at
}

// Eval implements Loss.
func (l *MSSLoss) Eval(x, grad []float64) float64 {
	checkLen(x, grad, l.n)
	peak, at := l.normalize(l.xn, x)
	eps := l.eps
	total := 0.0
	if grad != nil {
		clear(l.gx)
	}
	for i, st := range l.st {
		sx, sxt := l.spec[i], l.target[i]
		forward(st, sx, l.xn, grad)
		inv := 1 / float64(len(sx))
		lin, lg := 0.0, 0.0
		ratio := l.ratio[:len(sx)]
		for k, a := range sx {
			b := sxt[k]
			lin += math.Abs(a - b)
			ratio[k] = (a + eps) / (b + eps)
			if grad != nil {
				// |log(a+ε) − log(b+ε)| has the sign of a − b.
				sx[k] = signTimes(a-b, (1+1/(a+eps))*inv)
			}
		}
		logs(ratio, ratio)
		for _, v := range ratio {
			lg += math.Abs(v)
		}
		total += (lin + lg) * inv
		if grad != nil {
			st.Adjoint(l.tmp, sx)
			for k, v := range l.tmp {
				l.gx[k] += v
			}
		}
	}
	if grad != nil {
		// x̂ = x/p with p = |x[at]|: ∂x̂_i/∂x_j = δ_ij/p − x̂_i·sign(x[at])·δ_j,at/p.
		inv := 1 / peak
		dot := 0.0
		for k, g := range l.gx {
			grad[k] = g * inv
			dot += g * l.xn[k]
		}
		if at >= 0 {
			grad[at] -= dot * inv * math.Copysign(1, x[at])
		}
	}
	return total
}

// The METHOD §6 constants, shared by MSS and the defaults of the mss loss.
var (
	mssScales = []int{512, 1024, 2048, 4096}
)

const (
	mssHop = 100
	mssEps = 1e-7
)

// MSS returns the multi-scale spectral distance of METHOD §6 between x and
// target t (lower is better). It returns NaN if the sounds are shorter than
// the largest scale (4096 samples); it panics if their lengths differ.
// It equals NewMSS(t).Eval(x, nil) but streams frame by frame, keeping no
// spectrogram in memory; use NewMSS to score many sounds against one target.
func MSS(x, t []float64) float64 {
	if len(x) != len(t) {
		panic(fmt.Sprintf("loss: MSS of sounds of %d and %d samples", len(x), len(t)))
	}
	n := len(x)
	if n < slices.Max(mssScales) {
		return math.NaN()
	}
	peakNormalized := func(x []float64) []float64 {
		p := 0.0
		for _, v := range x {
			p = math.Max(p, math.Abs(v))
		}
		y := slices.Clone(x)
		if p > 0 {
			inv := 1 / p
			for i := range y {
				y[i] *= inv
			}
		}
		return y
	}
	xn, tn := peakNormalized(x), peakNormalized(t)
	total := 0.0
	for _, sz := range mssScales {
		fft := dsp.NewFFT(sz)
		w := dsp.Hann(sz)
		bx, bt := make([]float64, sz), make([]float64, sz)
		cx, ct := make([]complex128, sz/2+1), make([]complex128, sz/2+1)
		mx, mt := make([]float64, sz/2+1), make([]float64, sz/2+1)
		lin, lg, cnt := 0.0, 0.0, 0
		for start := 0; start+sz <= n; start += mssHop {
			for i, wi := range w {
				bx[i] = xn[start+i] * wi
				bt[i] = tn[start+i] * wi
			}
			fft.Forward(cx, bx)
			fft.Forward(ct, bt)
			// Magnitudes first, then the distances: separate loops keep the
			// dependency chains short (one loop measured 1.6× slower).
			for k, u := range cx {
				v := ct[k]
				mx[k] = math.Sqrt(real(u)*real(u) + imag(u)*imag(u))
				mt[k] = math.Sqrt(real(v)*real(v) + imag(v)*imag(v))
			}
			for k, a := range mx {
				b := mt[k]
				lin += math.Abs(a - b)
				mx[k] = (a + mssEps) / (b + mssEps)
			}
			logs(mx, mx)
			for _, v := range mx {
				lg += math.Abs(v)
			}
			cnt += len(cx)
		}
		total += (lin + lg) / float64(cnt)
	}
	return total
}

func init() {
	Register(Spec{
		Name: "mss",
		Doc: "multi-scale spectral distance, the study's evaluation score: peak-normalized sounds, Σ over FFT sizes of " +
			"mean|S_x − S_t| + mean|log(S_x+ε) − log(S_t+ε)| (Hann window of the FFT size, hop 100, no centring)",
		Settings: mssSettings(),
		New: func(t []float64, s Settings) (Loss, error) {
			l, err := newMSS(t, s, true)
			if err != nil {
				return nil, fmt.Errorf("loss mss: %v", err)
			}
			return l, nil
		},
	})
}
