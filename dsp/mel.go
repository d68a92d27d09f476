package dsp

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// The mel scale here is Slaney's (Auditory Toolbox), librosa's default
// (htk=False): linear below 1 kHz (200/3 Hz per mel), logarithmic above
// (27 mels per factor 6.4).
const (
	melFSp       = 200.0 / 3
	melMinLogHz  = 1000.0
	melMinLogMel = melMinLogHz / melFSp
)

var melLogStep = detmath.Log(6.4) / 27

// HzToMel converts a frequency in Hz to Slaney mels (librosa.hz_to_mel
// with htk=False).
func HzToMel(f float64) float64 {
	if f >= melMinLogHz {
		return melMinLogMel + detmath.Log(f/melMinLogHz)/melLogStep
	}
	return f / melFSp
}

// MelToHz converts Slaney mels to Hz (librosa.mel_to_hz with htk=False).
func MelToHz(m float64) float64 {
	if m >= melMinLogMel {
		return melMinLogHz * detmath.Exp(melLogStep*(m-melMinLogMel))
	}
	return m * melFSp
}

// MelBank is a bank of triangular mel filters over the NFFT/2+1 bins of a
// one-sided spectrum, built as librosa.filters.mel(sr, n_fft, n_mels,
// fmin, fmax, htk=False, norm="slaney") but in float64: triangles whose
// corners are n_mels+2 points equally spaced in Slaney mels between fmin
// and fmax, each scaled by 2/(f_{i+2} − f_i) so that it has unit area in
// Hz.
type MelBank struct {
	bins int
	lo   []int       // first nonzero bin of each filter
	w    [][]float64 // nonzero weights of each filter, from lo
}

// NewMelBank returns the filter bank for spectra of nFFT/2+1 bins at the
// given sample rate. fMax ≤ 0 means sampleRate/2.
func NewMelBank(sampleRate float64, nFFT, nMels int, fMin, fMax float64) (*MelBank, error) {
	if !(sampleRate > 0) {
		return nil, fmt.Errorf("mel bank: sample rate %g: want a positive number", sampleRate)
	}
	if nFFT < 2 {
		return nil, fmt.Errorf("mel bank: n_fft %d: want at least 2", nFFT)
	}
	if nMels < 1 {
		return nil, fmt.Errorf("mel bank: %d mels: want at least 1", nMels)
	}
	if fMax <= 0 {
		fMax = sampleRate / 2
	}
	if fMin < 0 || fMin >= fMax {
		return nil, fmt.Errorf("mel bank: fmin %g, fmax %g: want 0 ≤ fmin < fmax", fMin, fMax)
	}
	bins := nFFT/2 + 1
	mlo, mhi := HzToMel(fMin), HzToMel(fMax)
	f := make([]float64, nMels+2)
	for i := range f {
		f[i] = MelToHz(mlo + (mhi-mlo)*float64(i)/float64(nMels+1))
	}
	b := &MelBank{bins: bins, lo: make([]int, nMels), w: make([][]float64, nMels)}
	row := make([]float64, bins)
	for i := range nMels {
		enorm := 2 / (f[i+2] - f[i])
		first, last := -1, -1
		for k := range row {
			fk := sampleRate / 2 * float64(k) / float64(bins-1)
			lower := (fk - f[i]) / (f[i+1] - f[i])
			upper := (f[i+2] - fk) / (f[i+2] - f[i+1])
			v := math.Max(0, math.Min(lower, upper)) * enorm
			row[k] = v
			if v != 0 {
				if first < 0 {
					first = k
				}
				last = k
			}
		}
		if first < 0 {
			// An empty filter (too many mels for n_fft), as librosa
			// allows with a warning; it outputs zero.
			first, last = 0, -1
		}
		b.lo[i] = first
		b.w[i] = append([]float64(nil), row[first:last+1]...)
	}
	return b, nil
}

// Mels returns the number of filters.
func (b *MelBank) Mels() int { return len(b.w) }

// Bins returns the number of spectrum bins the bank expects.
func (b *MelBank) Bins() int { return b.bins }

// Weight returns the weight of bin k in filter i.
func (b *MelBank) Weight(i, k int) float64 {
	j := k - b.lo[i]
	if j < 0 || j >= len(b.w[i]) {
		return 0
	}
	return b.w[i][j]
}

// Forward applies the bank to every frame of a frame-major spectrogram:
// dst[f·Mels()+i] = Σ_k W[i][k]·spec[f·Bins()+k]. It panics if the lengths
// are not whole frames of the same count.
func (b *MelBank) Forward(dst, spec []float64) {
	nm := len(b.w)
	frames := len(spec) / b.bins
	if len(spec) != frames*b.bins || len(dst) != frames*nm {
		panic("dsp: MelBank length mismatch")
	}
	for f := range frames {
		row := spec[f*b.bins : (f+1)*b.bins]
		out := dst[f*nm : (f+1)*nm]
		for i, w := range b.w {
			seg := row[b.lo[i] : b.lo[i]+len(w)]
			acc := 0.0
			for k, v := range w {
				acc += float64(v * seg[k])
			}
			out[i] = acc
		}
	}
}

// Adjoint writes the transpose of Forward applied to g into dst:
// dst[f·Bins()+k] = Σ_i W[i][k]·g[f·Mels()+i].
func (b *MelBank) Adjoint(dst, g []float64) {
	nm := len(b.w)
	frames := len(dst) / b.bins
	if len(dst) != frames*b.bins || len(g) != frames*nm {
		panic("dsp: MelBank length mismatch")
	}
	clear(dst)
	for f := range frames {
		row := dst[f*b.bins : (f+1)*b.bins]
		gr := g[f*nm : (f+1)*nm]
		for i, w := range b.w {
			seg := row[b.lo[i] : b.lo[i]+len(w)]
			gi := gr[i]
			for k, v := range w {
				seg[k] += float64(v * gi)
			}
		}
	}
}
