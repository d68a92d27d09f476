package loss

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/soundmatch/soundmatch/dsp"
)

// specSettings are the spectrogram settings shared by l1-spec, simse-spec
// and dtw-envelope; the defaults are the spectrogram of METHOD §4.
func specSettings() []Setting {
	return []Setting{
		{Name: "n_fft", Default: "512", Doc: "FFT length (frames are cropped to it when the window is longer)"},
		{Name: "win_length", Default: "600", Doc: "window length in samples; also the frame length used for counting frames"},
		{Name: "hop", Default: "100", Doc: "samples between frames"},
		{Name: "window", Default: "hann", Doc: "window: hann (symmetric), hann-periodic or rect"},
		{Name: "center", Default: "true", Doc: "reflect-pad n_fft/2 samples on each side before framing"},
		{Name: "normalize", Default: "true", Doc: "divide the spectrum by √Σw² of the window"},
	}
}

// newSpecSTFT builds the magnitude STFT described by specSettings.
func newSpecSTFT(s Settings, n int) (*dsp.STFT, error) {
	var e settingErr
	nfft := e.int(s, "n_fft")
	wl := e.int(s, "win_length")
	hop := e.int(s, "hop")
	center := e.bool(s, "center")
	norm := e.bool(s, "normalize")
	if e.err != nil {
		return nil, e.err
	}
	w, err := dsp.Window(s["window"], wl)
	if err != nil {
		return nil, fmt.Errorf("setting window/win_length: %v", err)
	}
	return dsp.NewSTFT(dsp.STFTConfig{NFFT: nfft, Window: w, Hop: hop, Center: center, Normalize: norm}, n)
}

// settingErr collects the first error while reading several settings.
type settingErr struct{ err error }

func (e *settingErr) int(s Settings, name string) int {
	v, err := s.Int(name)
	if err != nil && e.err == nil {
		e.err = err
	}
	return v
}

func (e *settingErr) float(s Settings, name string) float64 {
	v, err := s.Float(name)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		err = fmt.Errorf("setting %s=%q: want a finite number", name, s[name])
	}
	if err != nil && e.err == nil {
		e.err = err
	}
	return v
}

func (e *settingErr) bool(s Settings, name string) bool {
	v, err := s.Bool(name)
	if err != nil && e.err == nil {
		e.err = err
	}
	return v
}

// ints reads a comma-separated list of positive integers.
func (e *settingErr) ints(s Settings, name string) []int {
	var out []int
	for _, f := range strings.Split(s[name], ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			if e.err == nil {
				e.err = fmt.Errorf("setting %s=%q: want a comma-separated list of positive integers", name, s[name])
			}
			return nil
		}
		out = append(out, v)
	}
	return out
}

// positive records an error unless v > 0.
func (e *settingErr) positive(name string, v float64) {
	if !(v > 0) && e.err == nil {
		e.err = fmt.Errorf("setting %s=%g: want a positive number", name, v)
	}
}

// forward computes the magnitude spectrogram, keeping what the adjoint
// needs only when a gradient is wanted.
func forward(st *dsp.STFT, dst, x, grad []float64) {
	if grad != nil {
		st.Forward(dst, x)
	} else {
		st.Magnitude(dst, x)
	}
}

func checkLen(x, grad []float64, n int) {
	if len(x) != n || (grad != nil && len(grad) != n) {
		panic(fmt.Sprintf("loss: Eval with %d samples (gradient %d), target has %d", len(x), len(grad), n))
	}
}

// L1Spec is the l1-spec loss: mean |S(x) − S(t)| over the magnitude
// spectrogram of METHOD §4.
type L1Spec struct {
	st     *dsp.STFT
	target []float64 // S(t)
	s, g   []float64 // S(x) and ∂L/∂S
}

// NewL1Spec builds l1-spec for target with resolved settings (see
// specSettings).
func NewL1Spec(target []float64, s Settings) (*L1Spec, error) {
	st, err := newSpecSTFT(s, len(target))
	if err != nil {
		return nil, err
	}
	m := st.Frames() * st.Bins()
	l := &L1Spec{st: st, target: make([]float64, m), s: make([]float64, m), g: make([]float64, m)}
	st.Magnitude(l.target, target)
	return l, nil
}

// Eval implements Loss.
func (l *L1Spec) Eval(x, grad []float64) float64 {
	checkLen(x, grad, l.st.Len())
	forward(l.st, l.s, x, grad)
	inv := 1 / float64(len(l.s))
	sum := 0.0
	for i, v := range l.s {
		d := v - l.target[i]
		sum += math.Abs(d)
		l.g[i] = signTimes(d, inv)
	}
	if grad != nil {
		l.st.Adjoint(grad, l.g)
	}
	return sum * inv
}

// signTimes returns c·sign(d) (0 for d = 0) without a branch on the sign,
// which is random in the loss loops and would be mispredicted half the time.
func signTimes(d, c float64) float64 {
	if d == 0 {
		return 0
	}
	return math.Copysign(c, d)
}

// SimseSpec is the simse-spec loss: with a = clip(S(t), 0, c) and
// b = clip(S(x), 0, c), α = Σab/Σbb (0 when Σbb = 0), the loss is
// mean (a − αb)²; the gradient includes the path through α.
type SimseSpec struct {
	st   *dsp.STFT
	clip float64
	a    []float64 // clipped S(t)
	b    []float64 // clipped S(x)
	s, g []float64
}

// NewSimseSpec builds simse-spec for target with resolved settings.
func NewSimseSpec(target []float64, s Settings) (*SimseSpec, error) {
	var e settingErr
	c := e.float(s, "clip_max")
	e.positive("clip_max", c)
	if e.err != nil {
		return nil, e.err
	}
	st, err := newSpecSTFT(s, len(target))
	if err != nil {
		return nil, err
	}
	m := st.Frames() * st.Bins()
	l := &SimseSpec{st: st, clip: c, a: make([]float64, m), b: make([]float64, m), s: make([]float64, m), g: make([]float64, m)}
	st.Magnitude(l.a, target)
	for i, v := range l.a {
		l.a[i] = math.Min(math.Max(v, 0), c)
	}
	return l, nil
}

// Eval implements Loss.
func (l *SimseSpec) Eval(x, grad []float64) float64 {
	checkLen(x, grad, l.st.Len())
	forward(l.st, l.s, x, grad)
	c := l.clip
	a, bs := l.a, l.b[:len(l.s)]
	sab, sbb := 0.0, 0.0
	for i, v := range l.s {
		b := v // S ≥ 0, so only the upper clip acts
		if b > c {
			b = c
		}
		bs[i] = b
		sab += float64(a[i] * b)
		sbb += float64(b * b)
	}
	alpha := 0.0
	if sbb > 0 {
		alpha = sab / sbb
	}
	inv := 1 / float64(len(l.s))
	sum, res := 0.0, 0.0
	for i, b := range bs {
		d := a[i] - float64(alpha*b)
		sum += float64(d * d)
		res += float64(d * b)
	}
	if grad != nil {
		// L = (1/N)Σ(a − αb)²: ∂L/∂b_i = −(2/N)α(a_i − αb_i) + ∂L/∂α·∂α/∂b_i
		// with ∂L/∂α = −(2/N)Σ(a − αb)b (zero up to rounding at the optimal
		// α, kept for exactness) and ∂α/∂b_i = (a_i − 2αb_i)/Σbb.
		dalpha := 0.0
		if sbb > 0 {
			dalpha = -2 * inv * res / sbb
		}
		for i, v := range l.s {
			if v > c {
				l.g[i] = 0 // clipped: no gradient
				continue
			}
			b := bs[i]
			l.g[i] = float64(-2*inv*alpha*(a[i]-float64(alpha*b))) + float64(dalpha*(a[i]-float64(2*alpha*b)))
		}
		l.st.Adjoint(grad, l.g)
	}
	return sum * inv
}

func init() {
	Register(Spec{
		Name: "l1-spec",
		Doc: "mean absolute difference of magnitude spectrograms (by default: symmetric Hann 600, " +
			"hop 100, reflect-centred, cropped to a 512-point FFT, divided by √Σw²)",
		Settings: specSettings(),
		New: func(t []float64, s Settings) (Loss, error) {
			l, err := NewL1Spec(t, s)
			if err != nil {
				return nil, fmt.Errorf("loss l1-spec: %v", err)
			}
			return l, nil
		},
	})
	Register(Spec{
		Name: "simse-spec",
		Doc: "scale-invariant MSE of spectrograms clipped to [0, clip_max]: mean (a − αb)², " +
			"α = Σab/Σbb, a = target, b = sound; same spectrogram as l1-spec",
		Settings: append(specSettings(), Setting{Name: "clip_max", Default: "1", Doc: "upper clip of both spectrograms"}),
		New: func(t []float64, s Settings) (Loss, error) {
			l, err := NewSimseSpec(t, s)
			if err != nil {
				return nil, fmt.Errorf("loss simse-spec: %v", err)
			}
			return l, nil
		},
	})
}
