// Package scatter computes wavelet scattering transforms — first- and
// second-order time scattering (Kymatio's Scattering1D) and joint
// time-frequency scattering (Kymatio's TimeFrequencyScattering) — together
// with their vector-Jacobian products, so that losses built on them can be
// minimised by gradient descent.
//
// No Go library computes scattering, and Kymatio's NumPy, PyTorch and JAX
// backends are out of reach of a Go binary, so the transforms are written
// here from Kymatio's definitions: the same Morlet filter banks
// (centre frequencies, bandwidths, periodisation, normalisation), the same
// padding, subsampling and cropping, so that coefficients agree with
// Kymatio's to rounding (see testdata/README.md for the reference data).
//
// A transform is a plan built once for a signal length. Eval runs it path
// by path: each output row is handed to a Reducer as soon as it exists,
// and when a gradient is requested the row's contribution is propagated
// back at once (forward and backward fused per path), so memory stays a
// few padded signal lengths instead of the whole tree of intermediates.
// JTFS time-averages only the output frames that survive cropping (a
// direct sum over those frames instead of an FFT of every row), applies
// its frequential wavelets as small dense matrices when few first-order
// rows feed a plane, and processes large planes in column blocks.
//
// Power-of-two FFTs are our own (radix-4 Stockham, AVX butterflies on
// amd64; build tag purego for pure Go): time scattering is mostly FFT
// work and gonum's FFTPACK port is several times slower at these sizes.
// dsp.CmplxFFT serves the short, arbitrary frequential lengths.
//
// A transform gives the same bits on every machine: products that feed a
// sum are rounded on their own (cmul, float64(a*b)) so that arm64 and
// amd64 v3 builds cannot fuse them into multiply-adds, the elementary
// functions are package detmath's, and the AVX butterflies round as the Go
// ones do. gonum's FFTPACK port, compiled with whatever fusion the machine
// allows, is not used.
package scatter
