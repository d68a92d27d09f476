package loss

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
	"github.com/soundmatch/soundmatch/dsp"
)

// MelL1 is the mel-l1 loss: mean|log(M·S_x^p + ε) − log(M·S_t^p + ε)|,
// where S is the magnitude of a reflect-centred STFT (periodic Hann window,
// librosa's and torch's default), p the power (1: magnitude, 2: power) and
// M a Slaney-style mel filter bank (librosa.filters.mel defaults:
// htk=False, norm="slaney"). The defaults are librosa's
// melspectrogram settings (n_fft 2048, hop 512, 128 mels, 0 Hz to
// Nyquist) at 44.1 kHz, with magnitude (p = 1) and ε = 1e-5 as in the
// log-mel L1 losses of neural vocoders. Centring pads by reflection, as
// torch.stft and librosa before 0.10 do (librosa 0.10 pads with zeros).
type MelL1 struct {
	n      int
	power  float64
	eps    float64
	st     *dsp.STFT
	bank   *dsp.MelBank
	target []float64 // log(M·S_t^p + ε)
	s, p   []float64 // S_x and S_x^p (then gradients)
	mel    []float64
	lmel   []float64 // log(mel + ε)
}

func melSettings() []Setting {
	return []Setting{
		{Name: "sample_rate", Default: "44100", Doc: "sample rate of the sounds in Hz (places the mel filters)"},
		{Name: "n_fft", Default: "2048", Doc: "FFT length"},
		{Name: "win_length", Default: "2048", Doc: "window length (≤ n_fft: zero-padded, centred; > n_fft: cropped)"},
		{Name: "hop", Default: "512", Doc: "samples between frames"},
		{Name: "window", Default: "hann-periodic", Doc: "window: hann-periodic, hann (symmetric) or rect"},
		{Name: "center", Default: "true", Doc: "reflect-pad n_fft/2 samples on each side"},
		{Name: "n_mels", Default: "128", Doc: "number of mel filters"},
		{Name: "fmin", Default: "0", Doc: "lowest filter edge in Hz"},
		{Name: "fmax", Default: "0", Doc: "highest filter edge in Hz (0 = sample_rate/2)"},
		{Name: "power", Default: "1", Doc: "exponent of the magnitude before the mel filters (1 magnitude, 2 power)"},
		{Name: "log_eps", Default: "1e-5", Doc: "ε inside log(mel + ε)"},
	}
}

// NewMelL1 builds mel-l1 for target with resolved settings.
func NewMelL1(target []float64, s Settings) (*MelL1, error) {
	var e settingErr
	sr := e.float(s, "sample_rate")
	nfft := e.int(s, "n_fft")
	wl := e.int(s, "win_length")
	hop := e.int(s, "hop")
	center := e.bool(s, "center")
	nm := e.int(s, "n_mels")
	fmin := e.float(s, "fmin")
	fmax := e.float(s, "fmax")
	p := e.float(s, "power")
	eps := e.float(s, "log_eps")
	e.positive("power", p)
	e.positive("log_eps", eps)
	if e.err != nil {
		return nil, e.err
	}
	w, err := dsp.Window(s["window"], wl)
	if err != nil {
		return nil, fmt.Errorf("setting window/win_length: %v", err)
	}
	st, err := dsp.NewSTFT(dsp.STFTConfig{NFFT: nfft, Window: w, Hop: hop, Center: center}, len(target))
	if err != nil {
		return nil, err
	}
	bank, err := dsp.NewMelBank(sr, nfft, nm, fmin, fmax)
	if err != nil {
		return nil, err
	}
	m := st.Frames() * st.Bins()
	l := &MelL1{n: len(target), power: p, eps: eps, st: st, bank: bank,
		target: make([]float64, st.Frames()*nm), s: make([]float64, m), p: make([]float64, m), mel: make([]float64, st.Frames()*nm), lmel: make([]float64, st.Frames()*nm)}
	l.logMel(l.target, target)
	return l, nil
}

// melOf computes S, S^p and the mel energies M·S^p of x.
func (l *MelL1) melOf(x, grad []float64) {
	forward(l.st, l.s, x, grad)
	switch l.power {
	case 1:
		copy(l.p, l.s)
	case 2:
		for i, v := range l.s {
			l.p[i] = v * v
		}
	default:
		for i, v := range l.s {
			l.p[i] = detmath.Pow(v, l.power)
		}
	}
	l.bank.Forward(l.mel, l.p)
}

// logMel writes log(M·S^p + ε) of x into dst.
func (l *MelL1) logMel(dst, x []float64) {
	l.melOf(x, nil)
	for i, v := range l.mel {
		dst[i] = v + l.eps
	}
	logs(dst, dst)
}

// Eval implements Loss.
func (l *MelL1) Eval(x, grad []float64) float64 {
	checkLen(x, grad, l.n)
	l.melOf(x, grad)
	inv := 1 / float64(len(l.mel))
	sum := 0.0
	for i, v := range l.mel {
		l.lmel[i] = v + l.eps
	}
	logs(l.lmel, l.lmel)
	for i, v := range l.mel {
		d := l.lmel[i] - l.target[i]
		sum += math.Abs(d)
		l.mel[i] = signTimes(d, inv/(v+l.eps)) // ∂L/∂mel, in place
	}
	if grad != nil {
		l.bank.Adjoint(l.p, l.mel)
		switch l.power {
		case 1:
		case 2:
			for i, v := range l.s {
				l.p[i] *= 2 * v
			}
		default:
			for i, v := range l.s {
				if v == 0 {
					l.p[i] = 0
					continue
				}
				l.p[i] *= l.power * detmath.Pow(v, l.power-1)
			}
		}
		l.st.Adjoint(grad, l.p)
	}
	return sum * inv
}

func init() {
	Register(Spec{
		Name: "mel-l1",
		Doc: "mean absolute difference of log-mel spectrograms (Slaney mel filters as librosa's default, " +
			"log(mel + ε)), librosa melspectrogram framing",
		Settings: melSettings(),
		New: func(t []float64, s Settings) (Loss, error) {
			l, err := NewMelL1(t, s)
			if err != nil {
				return nil, fmt.Errorf("loss mel-l1: %v", err)
			}
			return l, nil
		},
	})
}
