package dsp

import (
	"fmt"
	"math"
)

// STFTConfig describes a magnitude short-time Fourier transform.
//
// Framing: after optional centring (reflect padding of NFFT/2 samples on
// each side, numpy's "reflect" mode, which does not repeat the edge
// sample), frame f covers the padded samples starting at f·Hop and is
// F = max(len(Window), NFFT) samples long; there are
// 1 + ⌊(padded length − F)/Hop⌋ frames (a last partial frame is dropped).
// Each frame is multiplied by the window, then
//   - if the window is longer than NFFT, cropped to its first NFFT samples
//     (the convention of METHOD §4: a 600-sample window, a 512-point FFT);
//   - if it is shorter, the window is zero-padded on both sides to NFFT,
//     centred, with ⌊(NFFT − len(Window))/2⌋ zeros on the left (the
//     torch.stft and librosa convention).
//
// The magnitude of bin k is √max(|X[k]|², PowerFloor), divided by
// √Σw² over the whole window when Normalize is set.
type STFTConfig struct {
	NFFT       int       // transform length; NFFT/2+1 bins
	Window     []float64 // window; nil means the symmetric Hann window of NFFT samples
	Hop        int       // samples between frame starts
	Center     bool      // reflect-pad NFFT/2 samples on each side
	Normalize  bool      // divide by √Σw²
	PowerFloor float64   // lower bound of |X|² inside the square root (0: none)

	// MagnitudeOnly builds a plan for Magnitude alone, without the memory
	// Forward and Adjoint need (one complex value per bin).
	MagnitudeOnly bool
}

// STFT is a plan for the magnitude STFT of signals of one length, and for
// its adjoint. Forward keeps the phase X/|X| of every bin of the last
// transform; Adjoint differentiates the magnitude at that point.
type STFT struct {
	cfg    STFTConfig
	n      int       // signal length
	pad    int       // centre padding on each side
	flen   int       // frame length max(len(w), NFFT)
	frames int       // number of frames
	bins   int       // NFFT/2 + 1
	w      []float64 // effective window, NFFT samples (scaled, zero-padded or cropped)
	fft    *FFT
	fm     *FrameMagnitudes // Magnitude four frames at a time (nil: frame by frame)
	four   []float64        // Magnitudes4's interleaved output
	xp     []float64        // padded signal (or its gradient)
	spec   []complex128     // one frame's spectrum gradient
	cache  []complex128     // X/|X| of every bin of the last Forward (0 below the floor)
}

// NewSTFT returns a plan for signals of n samples. It returns an error
// if the configuration is invalid or n is too short for one frame (or,
// when centring, for reflect padding).
func NewSTFT(cfg STFTConfig, n int) (*STFT, error) {
	if cfg.NFFT < 1 {
		return nil, fmt.Errorf("stft: n_fft %d: want at least 1", cfg.NFFT)
	}
	if cfg.Hop < 1 {
		return nil, fmt.Errorf("stft: hop %d: want at least 1", cfg.Hop)
	}
	if cfg.Window == nil {
		cfg.Window = Hann(cfg.NFFT)
	}
	if len(cfg.Window) == 0 {
		return nil, fmt.Errorf("stft: empty window")
	}
	if cfg.PowerFloor < 0 || math.IsNaN(cfg.PowerFloor) {
		return nil, fmt.Errorf("stft: power floor %g: want ≥ 0", cfg.PowerFloor)
	}
	s := &STFT{cfg: cfg, n: n, bins: cfg.NFFT/2 + 1}
	if cfg.Center {
		s.pad = cfg.NFFT / 2
		if s.pad >= n {
			return nil, fmt.Errorf("stft: signal of %d samples is too short for reflect padding of %d (want at least %d samples)", n, s.pad, s.pad+1)
		}
	}
	wl := len(cfg.Window)
	s.flen = max(wl, cfg.NFFT)
	padded := n + 2*s.pad
	if padded < s.flen {
		return nil, fmt.Errorf("stft: signal of %d samples is shorter than one frame (want at least %d samples)", n, s.flen-2*s.pad)
	}
	s.frames = 1 + (padded-s.flen)/cfg.Hop
	scale := 1.0
	if cfg.Normalize {
		e := 0.0
		for _, v := range cfg.Window {
			e += float64(v * v)
		}
		if e == 0 {
			return nil, fmt.Errorf("stft: cannot normalize by an all-zero window")
		}
		scale = 1 / math.Sqrt(e)
	}
	s.w = make([]float64, cfg.NFFT)
	if wl >= cfg.NFFT {
		for i := range s.w {
			s.w[i] = cfg.Window[i] * scale
		}
	} else {
		off := (cfg.NFFT - wl) / 2
		for i, v := range cfg.Window {
			s.w[off+i] = v * scale
		}
	}
	s.fft = NewFFT(cfg.NFFT)
	if useAVX2 && s.fft.g == nil && cfg.PowerFloor == 0 && s.frames >= 4 {
		fm := newFrameMagnitudes(s.w, s.fft)
		// The same bits as the frame-by-frame loop of run: see Magnitude.
		s.fm, s.four = fm, make([]float64, 4*s.bins)
	}
	if s.pad > 0 {
		s.xp = make([]float64, padded)
	}
	s.spec = make([]complex128, s.bins)
	if !cfg.MagnitudeOnly {
		s.cache = make([]complex128, s.frames*s.bins)
	}
	return s, nil
}

// Len returns the signal length the plan accepts.
func (s *STFT) Len() int { return s.n }

// Frames returns the number of frames.
func (s *STFT) Frames() int { return s.frames }

// Bins returns the number of one-sided frequency bins, NFFT/2+1.
func (s *STFT) Bins() int { return s.bins }

// Forward writes the magnitude spectrogram of x into dst, frame-major:
// dst[f·Bins()+k] is bin k of frame f, and keeps the complex spectrum for
// Adjoint. It panics if len(x) != Len(), len(dst) != Frames()·Bins(), or
// the plan was built MagnitudeOnly.
func (s *STFT) Forward(dst, x []float64) {
	if s.cache == nil {
		panic("dsp: STFT.Forward on a MagnitudeOnly plan")
	}
	s.run(dst, x, s.cache, s.bins)
}

// Magnitude is Forward without keeping anything for Adjoint, which saves
// memory traffic when no gradient is needed; Adjoint still refers to the
// last call to Forward.
func (s *STFT) Magnitude(dst, x []float64) {
	if s.fm == nil {
		s.run(dst, x, s.spec, 0)
		return
	}
	if len(x) != s.n || len(dst) != s.frames*s.bins {
		panic("dsp: STFT length mismatch")
	}
	xp := s.padded(x)
	hop, bins := s.cfg.Hop, s.bins
	// With no power floor, run's magnitude is √p where p = |X|² > 0 and
	// 0 otherwise (p = 0, or NaN), which is FrameMagnitudes' √p where that
	// is > 0 and 0 otherwise: the same bits.
	whole := s.frames / 4 * 4
	for f := 0; f < s.frames; f += 4 {
		if f == whole {
			f = s.frames - 4 // the last frames again, overlapping
		}
		s.fm.Magnitudes4(s.four, xp, f*hop, hop)
		for l := range 4 {
			row := dst[(f+l)*bins : (f+l+1)*bins]
			for k := range row {
				v := s.four[4*k+l]
				if !(v > 0) {
					v = 0
				}
				row[k] = v
			}
		}
	}
}

// padded returns x, or x reflect-padded into xp when the plan centres.
func (s *STFT) padded(x []float64) []float64 {
	if s.pad == 0 {
		return x
	}
	xp := s.xp
	p, n := s.pad, s.n
	copy(xp[p:p+n], x)
	for j := 0; j < p; j++ {
		xp[j] = x[p-j]
		xp[p+n+j] = x[n-2-j]
	}
	return xp
}

// run computes the magnitude spectrogram; frame f's spectrum goes to
// spec[f·stride:] (stride 0 reuses one frame's buffer).
func (s *STFT) run(dst, x []float64, spec []complex128, stride int) {
	if len(x) != s.n || len(dst) != s.frames*s.bins {
		panic("dsp: STFT length mismatch")
	}
	xp := s.padded(x)
	nfft, hop, bins := s.cfg.NFFT, s.cfg.Hop, s.bins
	floor := s.cfg.PowerFloor
	sfloor := math.Sqrt(floor)
	for f := 0; f < s.frames; f++ {
		sp := spec[f*stride : f*stride+bins]
		s.fft.forward(sp, xp[f*hop:f*hop+nfft], s.w)
		row := dst[f*bins : (f+1)*bins]
		if stride == 0 {
			for k, v := range sp {
				re, im := real(v), imag(v)
				p := float64(re*re) + float64(im*im)
				if p > floor {
					row[k] = math.Sqrt(p)
				} else {
					row[k] = sfloor
				}
			}
			continue
		}
		// Keep ∂|X|/∂X = X/|X| (0 where the floor holds the magnitude)
		// for Adjoint in place of X.
		for k, v := range sp {
			re, im := real(v), imag(v)
			p := float64(re*re) + float64(im*im)
			if p > floor {
				m := math.Sqrt(p)
				row[k] = m
				inv := 1 / m
				sp[k] = complex(re*inv, im*inv)
			} else {
				row[k] = sfloor
				sp[k] = 0
			}
		}
	}
}

// Adjoint writes into dst the gradient with respect to x of
// Σ grad[i]·S[i], where S is the magnitude spectrogram computed by the
// last call to Forward (the adjoint of the Jacobian of Forward at that x).
// Where |X|² ≤ PowerFloor the magnitude is constant and contributes no
// gradient. It panics on length mismatch.
func (s *STFT) Adjoint(dst, grad []float64) {
	if len(dst) != s.n || len(grad) != s.frames*s.bins {
		panic("dsp: STFT length mismatch")
	}
	if s.cache == nil {
		panic("dsp: STFT.Adjoint on a MagnitudeOnly plan")
	}
	gp := dst
	if s.pad > 0 {
		gp = s.xp
	}
	clear(gp)
	nfft, hop, bins := s.cfg.NFFT, s.cfg.Hop, s.bins
	spec := s.spec
	for f := 0; f < s.frames; f++ {
		row := grad[f*bins : (f+1)*bins]
		u := s.cache[f*bins : (f+1)*bins]
		spec = spec[:len(row)]
		for k, g := range row {
			spec[k] = complex(g*real(u[k]), g*imag(u[k]))
		}
		s.fft.adjointAdd(gp[f*hop:f*hop+nfft], spec, s.w)
	}
	if s.pad > 0 {
		p, n := s.pad, s.n
		copy(dst, gp[p:p+n])
		for j := 0; j < p; j++ {
			dst[p-j] += gp[j]
			dst[n-2-j] += gp[p+n+j]
		}
	}
}
