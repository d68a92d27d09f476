package loss

import (
	"fmt"
	"math"
	"slices"
	"sync"

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
		total += float64((lin + lg) * inv)
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
			dot += float64(g * l.xn[k])
		}
		if at >= 0 {
			grad[at] -= float64(dot * inv * math.Copysign(1, x[at]))
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
// It streams four frames at a time, keeping no spectrogram in memory. To
// score several sounds against one target, NewMSSReference computes the
// target's half once; both give the same bits.
//
// The sums run frame by frame: each frame's Σ|S_x − S_t| and
// Σ|log(S_x+ε) − log(S_t+ε)| over its bins in bin order, then those
// per-frame sums in frame order, which lets four frames be computed at
// once in the lanes of a vector (dsp.FrameMagnitudes) with the same bits
// as one at a time.
func MSS(x, t []float64) float64 {
	if len(x) != len(t) {
		panic(fmt.Sprintf("loss: MSS of sounds of %d and %d samples", len(x), len(t)))
	}
	if len(x) < slices.Max(mssScales) {
		return math.NaN()
	}
	w, _ := mssWorkPool.Get().(*mssWork)
	if w == nil {
		w = newMSSWork()
	}
	defer mssWorkPool.Put(w)
	xn, tn := w.normalized(x, 0), w.normalized(t, 1)
	total := 0.0
	for i, sz := range mssScales {
		sc := newMSSScale(sz, len(x))
		fm := w.fm[i]
		total += w.scale(fm, sc, xn, func(dst []float64, f, count int) []float64 {
			if count == 4 {
				fm.Magnitudes4(dst, tn, f*mssHop, mssHop)
			} else {
				fm.Magnitude(dst, tn[f*mssHop:])
			}
			return dst
		})
	}
	return total
}

// MSSReference is a target's half of the MSS score: its peak-normalized
// magnitude spectrograms at every scale of METHOD §6 (about 13 MB for 1 s
// at 44.1 kHz).
// Computing them is half the cost of MSS; a study whose arms share a
// target (the paired design) computes them once for all its losses.
// A reference is immutable and safe for concurrent use.
type MSSReference struct {
	n      int
	scales []mssScale
	pool   sync.Pool // *mssWork
}

// mssScale is one FFT size of the score.
type mssScale struct {
	size, frames, bins int
	// In a reference, S(t̂): the frames of each whole group of four
	// interleaved (mag[4·bins·g + 4k + l] is bin k of frame 4g+l), then the
	// remaining frames one row each, so frame f of either kind starts at
	// f·bins.
	mag []float64
}

func newMSSScale(size, n int) mssScale {
	return mssScale{size: size, frames: (n-size)/mssHop + 1, bins: size/2 + 1}
}

// mssWorkPool keeps MSS's plans between calls: building the four FFT
// plans and windows costs about 0.3 ms, 2% of a score.
var mssWorkPool sync.Pool // *mssWork

// mssWork is the scratch of one scoring goroutine.
type mssWork struct {
	fm         []*dsp.FrameMagnitudes // per scale of mssScales
	a, b, c, t []float64              // 4 × the bins of the largest scale
	sounds     [2][]float64           // peak-normalized sounds
}

// normalized returns x/max|x| (peakNormalized) in the work's buffer i.
func (w *mssWork) normalized(x []float64, i int) []float64 {
	if cap(w.sounds[i]) < len(x) {
		w.sounds[i] = make([]float64, len(x))
	}
	y := w.sounds[i][:len(x)]
	peakNormalize(y, x)
	return y
}

func newMSSWork() *mssWork {
	w := &mssWork{}
	for _, sz := range mssScales {
		w.fm = append(w.fm, dsp.NewFrameMagnitudes(dsp.Hann(sz)))
	}
	m := 4 * (slices.Max(mssScales)/2 + 1)
	w.a, w.b, w.c, w.t = make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
	return w
}

// scale returns one scale's term of the score: target(dst, f, count)
// gives the target's magnitudes of frames f … f+count−1 (count 4:
// interleaved, count 1: one row), written into dst (4·bins long) or held
// elsewhere.
func (w *mssWork) scale(fm *dsp.FrameMagnitudes, sc mssScale, xn []float64, target func(dst []float64, f, count int) []float64) float64 {
	bins := sc.bins
	a := w.a[:4*bins]
	lin, lg := 0.0, 0.0
	var out [8]float64
	whole := sc.frames / 4 * 4
	for f := 0; f < whole; f += 4 {
		fm.Magnitudes4(a, xn, f*mssHop, mssHop)
		b := target(w.t[:4*bins], f, 4)
		if !mssTerms4Fast(a, b, &out) {
			// One frame at a time: the Go code of the same sums.
			sa, sb := w.b[:bins], w.c[:bins]
			for l := range 4 {
				for k := range bins {
					sa[k], sb[k] = a[4*k+l], b[4*k+l]
				}
				out[l], out[4+l] = mssFrameTerms(sa, sb)
			}
		}
		for l := range 4 {
			lin += out[l]
			lg += out[4+l]
		}
	}
	for f := whole; f < sc.frames; f++ {
		fm.Magnitude(a, xn[f*mssHop:])
		l, g := mssFrameTerms(a[:bins], target(w.t[:bins], f, 1))
		lin += l
		lg += g
	}
	return (lin + lg) / float64(sc.frames*bins)
}

// NewMSSReference computes target's spectra for Score. It fails if target
// is shorter than the largest scale (4096 samples).
func NewMSSReference(target []float64) (*MSSReference, error) {
	n := len(target)
	if big := slices.Max(mssScales); n < big {
		return nil, fmt.Errorf("sounds of %d samples are shorter than the largest MSS scale (want at least %d samples)", n, big)
	}
	tn := peakNormalized(target)
	r := &MSSReference{n: n}
	w := newMSSWork()
	for i, sz := range mssScales {
		sc := newMSSScale(sz, n)
		sc.mag = make([]float64, sc.frames*sc.bins)
		fm := w.fm[i]
		whole := sc.frames / 4 * 4
		for f := 0; f < whole; f += 4 {
			fm.Magnitudes4(sc.mag[f*sc.bins:(f+4)*sc.bins], tn, f*mssHop, mssHop)
		}
		for f := whole; f < sc.frames; f++ {
			fm.Magnitude(sc.mag[f*sc.bins:(f+1)*sc.bins], tn[f*mssHop:])
		}
		r.scales = append(r.scales, sc)
	}
	r.pool.Put(w)
	return r, nil
}

// Len is the length of the target, which Score requires of x.
func (r *MSSReference) Len() int { return r.n }

// Score returns MSS(x, target) (METHOD §6). It panics if len(x) != Len().
func (r *MSSReference) Score(x []float64) float64 {
	if len(x) != r.n {
		panic(fmt.Sprintf("loss: MSS of a sound of %d samples against a target of %d", len(x), r.n))
	}
	w, _ := r.pool.Get().(*mssWork)
	if w == nil {
		w = newMSSWork()
	}
	defer r.pool.Put(w)
	xn := w.normalized(x, 0)
	total := 0.0
	for i, sc := range r.scales {
		total += w.scale(w.fm[i], sc, xn, func(_ []float64, f, count int) []float64 {
			return sc.mag[f*sc.bins : (f+count)*sc.bins]
		})
	}
	return total
}

// mssFrameTerms returns Σ|a − b| and Σ|log((a + ε)/(b + ε))| over one
// frame; it overwrites a.
func mssFrameTerms(a, b []float64) (lin, lg float64) {
	b = b[:len(a)]
	for k, v := range a {
		w := b[k]
		lin += math.Abs(v - w)
		a[k] = (v + mssEps) / (w + mssEps)
	}
	logs(a, a)
	for _, v := range a {
		lg += math.Abs(v)
	}
	return lin, lg
}

// peakNormalized returns x/max|x| (x itself, copied, if it is all zero).
func peakNormalized(x []float64) []float64 {
	y := make([]float64, len(x))
	peakNormalize(y, x)
	return y
}

// peakNormalize writes x/max|x| into y (x itself if it is all zero).
func peakNormalize(y, x []float64) {
	// The fold of math.Max (an infinity wins over NaN, NaN over numbers)
	// without its cost per call.
	p, nan := 0.0, false
	for _, v := range x {
		a := math.Abs(v)
		if a > p {
			p = a
		}
		nan = nan || a != a
	}
	if nan && !math.IsInf(p, 1) {
		p = math.NaN()
	}
	y = y[:len(x)]
	if !(p > 0) {
		copy(y, x)
		return
	}
	inv := 1 / p
	for i, v := range x {
		y[i] = v * inv
	}
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
