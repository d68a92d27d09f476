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
// It streams frame by frame, keeping no spectrogram in memory. To score
// several sounds against one target, NewMSSReference computes the
// target's half once; both give the same bits.
func MSS(x, t []float64) float64 {
	if len(x) != len(t) {
		panic(fmt.Sprintf("loss: MSS of sounds of %d and %d samples", len(x), len(t)))
	}
	if len(x) < slices.Max(mssScales) {
		return math.NaN()
	}
	xn, tn := peakNormalized(x), peakNormalized(t)
	total := 0.0
	for _, sz := range mssScales {
		f := newMSSFrame(sz)
		bins := sz/2 + 1
		b := make([]float64, bins)
		lin, lg, cnt := 0.0, 0.0, 0
		for start := 0; start+sz <= len(x); start += mssHop {
			f.magnitude(b, tn[start:start+sz])
			f.magnitude(f.mag, xn[start:start+sz])
			l, g := mssFrameTerms(f.mag, b)
			lin += l
			lg += g
			cnt += bins
		}
		total += (lin + lg) / float64(cnt)
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
	pool   sync.Pool // *mssScratch
}

type mssScale struct {
	size, frames, bins int
	mag                []float64 // frames × bins: S(t̂)
}

type mssScratch struct {
	frames []*mssFrame // one per scale
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
	for _, sz := range mssScales {
		f := newMSSFrame(sz)
		sc := mssScale{size: sz, frames: (n-sz)/mssHop + 1, bins: sz/2 + 1}
		sc.mag = make([]float64, sc.frames*sc.bins)
		for fr := range sc.frames {
			row := sc.mag[fr*sc.bins : (fr+1)*sc.bins]
			f.magnitude(row, tn[fr*mssHop:fr*mssHop+sz])
		}
		r.scales = append(r.scales, sc)
	}
	return r, nil
}

// Len is the length of the target, which Score requires of x.
func (r *MSSReference) Len() int { return r.n }

// Score returns MSS(x, target) (METHOD §6). It panics if len(x) != Len().
func (r *MSSReference) Score(x []float64) float64 {
	if len(x) != r.n {
		panic(fmt.Sprintf("loss: MSS of a sound of %d samples against a target of %d", len(x), r.n))
	}
	s, _ := r.pool.Get().(*mssScratch)
	if s == nil {
		s = &mssScratch{}
		for _, sc := range r.scales {
			s.frames = append(s.frames, newMSSFrame(sc.size))
		}
	}
	defer r.pool.Put(s)
	xn := peakNormalized(x)
	total := 0.0
	for i, sc := range r.scales {
		f := s.frames[i]
		lin, lg := 0.0, 0.0
		for fr := range sc.frames {
			f.magnitude(f.mag, xn[fr*mssHop:fr*mssHop+sc.size])
			row := sc.mag[fr*sc.bins : (fr+1)*sc.bins]
			l, g := mssFrameTerms(f.mag, row)
			lin += l
			lg += g
		}
		total += (lin + lg) / float64(sc.frames*sc.bins)
	}
	return total
}

// mssFrame computes one frame's magnitude spectrum at one scale.
type mssFrame struct {
	fft *dsp.FFT
	w   []float64 // symmetric Hann
	buf []float64
	c   []complex128
	mag []float64
}

func newMSSFrame(sz int) *mssFrame {
	return &mssFrame{fft: dsp.NewFFT(sz), w: dsp.Hann(sz), buf: make([]float64, sz),
		c: make([]complex128, sz/2+1), mag: make([]float64, sz/2+1)}
}

// magnitude writes |FFT(x·w)| into dst.
func (f *mssFrame) magnitude(dst, x []float64) {
	x = x[:len(f.w)]
	for i, wi := range f.w {
		f.buf[i] = x[i] * wi
	}
	f.fft.Forward(f.c, f.buf)
	dst = dst[:len(f.c)]
	for k, u := range f.c {
		// Rounded products: a fused multiply-add would change the last bit
		// on some machines (studies promise the same bits everywhere).
		dst[k] = math.Sqrt(float64(real(u)*real(u)) + float64(imag(u)*imag(u)))
	}
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
