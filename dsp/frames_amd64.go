//go:build amd64 && !purego

package dsp

import "golang.org/x/sys/cpu"

// useAVX2 selects the four-lane assembly kernels of FrameMagnitudes (AVX2
// for the gathers of the first pass; the OS must save the YMM registers,
// which cpu checks).
var useAVX2 = cpu.X86.HasAVX2

// packRadix4AVX2 gathers the windowed even/odd sample pairs of four frames
// (lane l reads x at byte offset offs[l]) in bit-reversed order and runs
// the twiddle-free radix-4 first pass: z holds m four-lane complex values.
//
//go:noescape
func packRadix4AVX2(z, x, w *float64, rev *int32, m int, offs *[4]int64)

// packRadix2AVX2 is packRadix4AVX2 with a radix-2 first pass (log2 m odd).
//
//go:noescape
func packRadix2AVX2(z, x, w *float64, rev *int32, m int, offs *[4]int64)

// stageAVX2 is FFT.stage on four-lane values.
//
//go:noescape
func stageAVX2(z *float64, m, h int, tw *twiddle3)

// splitMagAVX2 is the split of FFT.forward followed by the magnitudes, for
// k = 1 … m/2 and m−k, into dst[4k+l].
//
//go:noescape
func splitMagAVX2(dst, z *float64, post *complex128, m int)
