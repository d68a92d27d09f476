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
// All types are plans in the gonum style: built once for a size, with
// destination-first methods that allocate nothing. A plan is not safe for
// concurrent use.
package dsp
