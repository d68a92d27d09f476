// Package dsp holds the signal-processing plans the differentiable losses
// are built from: real FFTs, windows, the short-time Fourier transform and
// its adjoint, Gaussian smoothing and mel filter banks.
//
// Every transform here comes with its adjoint (the transpose of its
// Jacobian), because the losses need exact reverse-mode gradients through
// the spectrogram, and no Go library offers an STFT adjoint. The real FFT is
// hand-written for power-of-two sizes because it sits on the hot path of
// every training iteration and measures three to four times as fast as gonum's
// fourier.FFT (BenchmarkFFT); gonum remains the fallback for other sizes and
// the test oracle.
//
// Results must be the same bits on every machine, because studies promise
// identical exports wherever they run: every product that feeds a sum is
// rounded on its own (float64(a*b), cmul), which stops the compiler from
// fusing it into a multiply-add on arm64 or with GOAMD64=v3, and lengths
// that are not powers of two use our own CmplxFFT rather than gonum's.
//
// FrameMagnitudes computes the magnitude spectra of four frames at once,
// one per lane of an AVX2 vector, in assembly: the MSS score that every
// study trial computes runs 1.6 million bins per sound through it, and Go
// compiles complex arithmetic to one double per instruction. Each lane does
// the operations of the Go code in its order, so the bits do not depend on
// the machine; STFT.Magnitude uses it when it gives the same bits.
//
// All types are plans in the gonum style: built once for a size, with
// destination-first methods that allocate nothing. A plan is not safe for
// concurrent use.
package dsp
