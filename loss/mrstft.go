package loss

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/dsp"
)

// MRSTFT is the multi-resolution STFT loss of Yamamoto et al. (Parallel
// WaveGAN, 2020) as in auraloss's MultiResolutionSTFTLoss with its default
// settings: for each resolution (FFT size, hop, window length) the magnitude
// S = √max(|X|², ε) of a reflect-centred STFT (periodic Hann window
// zero-padded to the FFT size, the torch.stft convention) gives the
// spectral convergence ‖S_t − S_x‖_F/‖S_t‖_F and the log-magnitude distance
// mean|log S_x − log S_t|; the loss is the mean over resolutions of
// w_sc·SC + w_log_mag·LM. The default resolutions are (1024, 120, 600),
// (2048, 240, 1200) and (512, 50, 240).
type MRSTFT struct {
	n         int
	wsc, wlog float64
	st        []*dsp.STFT
	target    [][]float64
	tnorm     []float64
	spec      [][]float64
	gtmp      []float64
	ratio     []float64 // S_x/S_t, then its logarithm
}

func mrstftSettings() []Setting {
	return []Setting{
		{Name: "fft_sizes", Default: "1024,2048,512", Doc: "FFT size of each resolution"},
		{Name: "hop_sizes", Default: "120,240,50", Doc: "hop of each resolution"},
		{Name: "win_lengths", Default: "600,1200,240", Doc: "window length of each resolution (≤ FFT size: zero-padded, centred)"},
		{Name: "window", Default: "hann-periodic", Doc: "window: hann-periodic (torch.hann_window), hann (symmetric) or rect"},
		{Name: "center", Default: "true", Doc: "reflect-pad fft_size/2 samples on each side"},
		{Name: "eps", Default: "1e-8", Doc: "floor ε of |X|² inside the magnitude's square root (> 0)"},
		{Name: "w_sc", Default: "1", Doc: "weight of the spectral convergence term"},
		{Name: "w_log_mag", Default: "1", Doc: "weight of the log-magnitude L1 term"},
	}
}

// NewMRSTFT builds mrstft for target with resolved settings.
func NewMRSTFT(target []float64, s Settings) (*MRSTFT, error) {
	var e settingErr
	ffts := e.ints(s, "fft_sizes")
	hops := e.ints(s, "hop_sizes")
	wins := e.ints(s, "win_lengths")
	center := e.bool(s, "center")
	eps := e.float(s, "eps")
	e.positive("eps", eps)
	l := &MRSTFT{n: len(target), wsc: e.float(s, "w_sc"), wlog: e.float(s, "w_log_mag"), gtmp: make([]float64, len(target))}
	if e.err != nil {
		return nil, e.err
	}
	if len(ffts) != len(hops) || len(ffts) != len(wins) {
		return nil, fmt.Errorf("settings fft_sizes, hop_sizes, win_lengths: want lists of the same length, have %d, %d, %d", len(ffts), len(hops), len(wins))
	}
	for r := range ffts {
		if wins[r] > ffts[r] {
			return nil, fmt.Errorf("resolution %d: win_length %d exceeds fft_size %d", r+1, wins[r], ffts[r])
		}
		w, err := dsp.Window(s["window"], wins[r])
		if err != nil {
			return nil, fmt.Errorf("setting window: %v", err)
		}
		st, err := dsp.NewSTFT(dsp.STFTConfig{NFFT: ffts[r], Window: w, Hop: hops[r], Center: center, PowerFloor: eps}, len(target))
		if err != nil {
			return nil, fmt.Errorf("resolution %d: %v", r+1, err)
		}
		m := st.Frames() * st.Bins()
		t := make([]float64, m)
		st.Magnitude(t, target)
		norm := 0.0
		for _, v := range t {
			norm += float64(v * v)
		}
		l.st = append(l.st, st)
		l.target = append(l.target, t)
		l.tnorm = append(l.tnorm, math.Sqrt(norm))
		l.spec = append(l.spec, make([]float64, m))
		if m > len(l.ratio) {
			l.ratio = make([]float64, m)
		}
	}
	return l, nil
}

// Eval implements Loss.
func (l *MRSTFT) Eval(x, grad []float64) float64 {
	checkLen(x, grad, l.n)
	if grad != nil {
		clear(grad)
	}
	ir := 1 / float64(len(l.st))
	total := 0.0
	for r, st := range l.st {
		sx, t := l.spec[r], l.target[r]
		forward(st, sx, x, grad)
		dd, lm := 0.0, 0.0
		ratio := l.ratio[:len(sx)]
		for k, a := range sx {
			d := a - t[k]
			dd += float64(d * d)
			ratio[k] = a / t[k]
		}
		logs(ratio, ratio)
		for _, v := range ratio {
			lm += math.Abs(v)
		}
		inv := 1 / float64(len(sx))
		dn := math.Sqrt(dd)
		sc := dn / l.tnorm[r]
		total += float64(ir * (float64(l.wsc*sc) + float64(l.wlog*lm*inv)))
		if grad == nil {
			continue
		}
		// ∂SC/∂S_x = (S_x − S_t)/(‖S_x − S_t‖·‖S_t‖); ∂LM/∂S_x = sign(S_x − S_t)/(N·S_x).
		csc := 0.0
		if dn > 0 {
			csc = ir * l.wsc / (dn * l.tnorm[r])
		}
		clog := ir * l.wlog * inv
		for k, a := range sx {
			d := a - t[k]
			sx[k] = float64(csc*d) + signTimes(d, clog/a)
		}
		st.Adjoint(l.gtmp, sx)
		for k, v := range l.gtmp {
			grad[k] += v
		}
	}
	return total
}

func init() {
	Register(Spec{
		Name: "mrstft",
		Doc: "multi-resolution STFT loss (Parallel WaveGAN / auraloss defaults): mean over resolutions of " +
			"spectral convergence + mean|log S_x − log S_t|",
		Settings: mrstftSettings(),
		New: func(t []float64, s Settings) (Loss, error) {
			l, err := NewMRSTFT(t, s)
			if err != nil {
				return nil, fmt.Errorf("loss mrstft: %v", err)
			}
			return l, nil
		},
	})
}
