package dsp

import (
	"fmt"
	"math"
)

// FrameMagnitudes is a plan for the magnitude spectra of windowed frames
// of one length n,
//
//	|X[k]| = |Σ_{j<n} x[j]·w[j]·exp(−2πi·jk/n)|,  k = 0 … n/2,
//
// computed as sqrt(re·re + im·im) of FFT.Forward of the windowed frame. It
// serves the multi-scale spectral distance, which scores every trial of a
// study over 1.6 million bins of four FFT sizes and costs more than the
// rest of a trial's scoring together.
//
// Magnitudes4 computes four frames at once, one frame per lane of the
// machine's 256-bit vectors: on amd64 with AVX2 it runs in assembly with
// every lane doing exactly the operations, in exactly the order, of
// Magnitude on its own frame, so both give the same bits (tested) and
// results do not depend on the machine. Elsewhere, for lengths that are not
// powers of two, and with the purego build tag, it calls Magnitude four
// times. Go compiles complex128 arithmetic to one double per instruction,
// which is why these loops are written by hand.
//
// A plan is not safe for concurrent use; its methods allocate nothing.
type FrameMagnitudes struct {
	n   int
	w   []float64
	fft *FFT
	buf []float64
	c   []complex128
	z   []float64 // four interleaved frames: z[8k+l] = Re, z[8k+4+l] = Im of value k of lane l
}

// NewFrameMagnitudes returns a plan for frames of len(w) samples with the
// window w (which it keeps; do not modify it). It panics if w is empty.
func NewFrameMagnitudes(w []float64) *FrameMagnitudes {
	if len(w) < 1 {
		panic("dsp: FrameMagnitudes of an empty window")
	}
	return newFrameMagnitudes(w, NewFFT(len(w)))
}

// newFrameMagnitudes shares the plan p (of length len(w)), as STFT does.
func newFrameMagnitudes(w []float64, p *FFT) *FrameMagnitudes {
	n := len(w)
	f := &FrameMagnitudes{n: n, w: w, fft: p, buf: make([]float64, n), c: make([]complex128, n/2+1)}
	if f.batched() {
		f.z = make([]float64, 8*f.fft.m)
	}
	return f
}

// framesChunk is the number of four-lane values (64 bytes each) that
// Magnitudes4 transforms together while they stay in the L1 cache.
const framesChunk = 256

// batched reports whether Magnitudes4 runs the four-lane kernels.
func (f *FrameMagnitudes) batched() bool { return useAVX2 && f.fft.g == nil }

// Len returns the frame length.
func (f *FrameMagnitudes) Len() int { return f.n }

// Bins returns n/2 + 1, the number of magnitudes per frame.
func (f *FrameMagnitudes) Bins() int { return f.n/2 + 1 }

// Magnitude writes |X[k]| of frame (len(frame) ≥ Len(); only the first
// Len() samples are used) into dst[k], k < Bins().
func (f *FrameMagnitudes) Magnitude(dst, frame []float64) {
	x := frame[:f.n]
	for i, wi := range f.w {
		f.buf[i] = x[i] * wi
	}
	f.fft.Forward(f.c, f.buf)
	dst = dst[:len(f.c)]
	for k, u := range f.c {
		// Rounded products: a fused multiply-add would change the last bit
		// on some machines.
		dst[k] = math.Sqrt(float64(real(u)*real(u)) + float64(imag(u)*imag(u)))
	}
}

// Magnitudes4 writes the magnitudes of the four frames that start at
// samples start, start+hop, start+2·hop and start+3·hop of x, interleaved:
// dst[4k+l] = |X_l[k]| for k < Bins(), lane l < 4. Each lane is the same
// bits as Magnitude of its frame. It panics if a frame runs past the end
// of x, if hop < 0, or if len(dst) < 4·Bins().
func (f *FrameMagnitudes) Magnitudes4(dst, x []float64, start, hop int) {
	bins := f.Bins()
	if hop < 0 || start < 0 || start+3*hop+f.n > len(x) || len(dst) < 4*bins {
		panic(fmt.Sprintf("dsp: Magnitudes4 of frames %d+%d·l (%d samples) of %d samples into %d values", start, hop, f.n, len(x), len(dst)))
	}
	if !f.batched() {
		mag := f.buf[:bins] // Magnitude reads buf before it writes dst
		if bins > f.n {
			mag = make([]float64, bins) // n = 1: no room in buf
		}
		for l := range 4 {
			f.Magnitude(mag, x[start+l*hop:])
			for k, v := range mag {
				dst[4*k+l] = v
			}
		}
		return
	}
	p := f.fft
	m := p.m
	z := f.z
	src := &x[start]
	offs := [4]int64{0, int64(8 * hop), int64(16 * hop), int64(24 * hop)}
	// The first pass and the stages whose blocks fit in a chunk run chunk
	// by chunk, while the chunk is in the L1 cache (at 64 bytes a value, a
	// 2048-value transform is 128 KB); the butterflies are the same, in
	// another order. The remaining stages sweep the whole array.
	chunk := min(m, framesChunk)
	inner := 0 // stages done chunk by chunk
	for h := p.first; inner < len(p.tw) && 4*h <= chunk; h *= 4 {
		inner++
	}
	for c := 0; c < m; c += chunk {
		if p.odd {
			packRadix2AVX2(&z[8*c], src, &f.w[0], &p.rev[c], chunk, &offs)
		} else {
			packRadix4AVX2(&z[8*c], src, &f.w[0], &p.rev[c], chunk, &offs)
		}
		h := p.first
		for _, t := range p.tw[:inner] {
			stageAVX2(&z[8*c], chunk, h, &t[0])
			h *= 4
		}
	}
	h := p.first
	for i, t := range p.tw {
		if i >= inner {
			stageAVX2(&z[0], m, h, &t[0])
		}
		h *= 4
	}
	// Bins 0 and n/2 come from z[0] alone: X[0] = Re+Im, X[n/2] = Re−Im
	// (imaginary parts 0, squared and added as Magnitude does).
	for l := range 4 {
		re, im := z[l], z[4+l]
		a, b := re+im, re-im
		dst[l] = math.Sqrt(float64(a*a) + float64(0*0))
		dst[4*m+l] = math.Sqrt(float64(b*b) + float64(0*0))
	}
	splitMagAVX2(&dst[0], &z[0], &p.post[0], m)
}
