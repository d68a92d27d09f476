package scatter

import (
	"math"
	"math/bits"

	"github.com/soundmatch/soundmatch/detmath"
)

// fftPlan is a complex FFT of one power-of-two length (radix-4 Stockham
// autosort, with one radix-2 stage when log2 n is odd). gonum's FFTPACK
// port handles every length but is about three times slower at the 2^16
// lengths that dominate time scattering, so the power-of-two transforms
// are done here; dsp.CmplxFFT serves the short frequential lengths.
type fftPlan struct {
	n     int
	work  []complex128
	tw    [][]complex128 // per stage: w^p, w^2p, w^3p interleaved (forward sign)
	twInv [][]complex128
	// first-stage twiddles as separate runs w^p, w^2p, w^3p, for the
	// assembly kernel, which loads two consecutive p at once
	first, firstInv [3][]complex128
}

// Sign masks turning swap(z) = (im, re) into +i·z (forward butterflies)
// or −i·z (inverse) in the assembly kernel.
var (
	jmaskFwd = [4]float64{math.Copysign(0, -1), 0, math.Copysign(0, -1), 0}
	jmaskInv = [4]float64{0, math.Copysign(0, -1), 0, math.Copysign(0, -1)}
)

// cmul is the complex product a·b with the roundings of Go's complex128
// multiply on amd64 (re = ar·br − ai·bi, im = ar·bi + ai·br, every product
// rounded). Written out because arm64 and amd64 v3 fuse one product of
// each part into a multiply-add, which changes the last bits there; with
// cmul every machine gets the bits of the AVX kernels, which round every
// product too. The package's real products that feed a sum are rounded by
// float64(...) for the same reason.
func cmul(a, b complex128) complex128 {
	ar, ai, br, bi := real(a), imag(a), real(b), imag(b)
	return complex(float64(ar*br)-float64(ai*bi), float64(ar*bi)+float64(ai*br))
}

func isPow2(n int) bool { return n > 0 && n&(n-1) == 0 }

func newFFTPlan(n int) *fftPlan {
	if !isPow2(n) {
		panic("scatter: fft length is not a power of two")
	}
	p := &fftPlan{n: n, work: make([]complex128, n)}
	for l := n; l > 1; {
		if l == 2 {
			p.tw = append(p.tw, nil)
			p.twInv = append(p.twInv, nil)
			break
		}
		m := l / 4
		f := make([]complex128, 3*m)
		b := make([]complex128, 3*m)
		for q := 0; q < m; q++ {
			for r := 1; r <= 3; r++ {
				a := -2 * math.Pi * float64(r*q) / float64(l)
				s, c := detmath.Sincos(a)
				f[3*q+r-1] = complex(c, s)
				b[3*q+r-1] = complex(c, -s)
			}
		}
		p.tw = append(p.tw, f)
		p.twInv = append(p.twInv, b)
		if l == n {
			for r := 0; r < 3; r++ {
				p.first[r] = make([]complex128, m)
				p.firstInv[r] = make([]complex128, m)
				for q := 0; q < m; q++ {
					p.first[r][q] = f[3*q+r]
					p.firstInv[r][q] = b[3*q+r]
				}
			}
		}
		l = m
	}
	return p
}

// transform computes the unnormalised DFT of x in place: forward uses
// e^{-2πikn/N}, inverse e^{+2πikn/N} (no 1/N).
func (p *fftPlan) transform(x []complex128, inverse bool) {
	if len(x) != p.n {
		panic("scatter: fft length mismatch")
	}
	n := p.n
	if n == 1 {
		return
	}
	src, dst := x, p.work
	s := 1
	stage := 0
	for l := n; l > 1; stage++ {
		if l == 2 {
			// The last radix-2 stage is elementwise, so it can write
			// straight into x whichever buffer holds its input.
			out := x
			lo, hi := out[:s], out[s:2*s]
			a0, b0 := src[:s], src[s:2*s]
			for q := range lo {
				a, b := a0[q], b0[q]
				lo[q] = a + b
				hi[q] = a - b
			}
			return
		}
		m := l / 4
		tw := p.tw[stage]
		if inverse {
			tw = p.twInv[stage]
		}
		if s == 1 && useAVX && m >= 2 {
			w, mask := &p.first, &jmaskFwd
			if inverse {
				w, mask = &p.firstInv, &jmaskInv
			}
			radix4FirstAVX(&dst[0], &src[0], m, &w[0][0], &w[1][0], &w[2][0], mask)
			src, dst = dst, src
			s *= 4
			l = m
			continue
		}
		if s == 1 {
			radix4First(dst, src, tw, m, inverse)
			src, dst = dst, src
			s *= 4
			l = m
			continue
		}
		if s == 4 && !useAVX {
			radix4Second(dst, src, tw, m, inverse)
			src, dst = dst, src
			s *= 4
			l = m
			continue
		}
		if useAVX {
			mask := &jmaskFwd
			if inverse {
				mask = &jmaskInv
			}
			for q := 0; q < m; q++ {
				d := dst[s*4*q : s*4*q+4*s]
				radix4AVX(&d[0], &d[s], &d[2*s], &d[3*s],
					&src[s*q], &src[s*(q+m)], &src[s*(q+2*m)], &src[s*(q+3*m)],
					s, &tw[3*q], mask)
			}
			src, dst = dst, src
			s *= 4
			l = m
			continue
		}
		for q := 0; q < m; q++ {
			w1, w2, w3 := tw[3*q], tw[3*q+1], tw[3*q+2]
			s0 := src[s*q : s*q+s]
			s1 := src[s*(q+m) : s*(q+m)+s]
			s2 := src[s*(q+2*m) : s*(q+2*m)+s]
			s3 := src[s*(q+3*m) : s*(q+3*m)+s]
			d0 := dst[s*4*q : s*4*q+s]
			d1 := dst[s*(4*q+1) : s*(4*q+1)+s]
			d2 := dst[s*(4*q+2) : s*(4*q+2)+s]
			d3 := dst[s*(4*q+3) : s*(4*q+3)+s]
			s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
			d0, d1, d2, d3 = d0[:len(s0)], d1[:len(s0)], d2[:len(s0)], d3[:len(s0)]
			if q == 0 {
				radix4Unit(d0, d1, d2, d3, s0, s1, s2, s3, inverse)
				continue
			}
			if inverse {
				for k := range s0 {
					a, b, c, d := s0[k], s1[k], s2[k], s3[k]
					apc, amc := a+c, a-c
					bpd, bmd := b+d, b-d
					jbmd := complex(-imag(bmd), real(bmd))
					d0[k] = apc + bpd
					d1[k] = cmul(w1, amc+jbmd)
					d2[k] = cmul(w2, apc-bpd)
					d3[k] = cmul(w3, amc-jbmd)
				}
			} else {
				for k := range s0 {
					a, b, c, d := s0[k], s1[k], s2[k], s3[k]
					apc, amc := a+c, a-c
					bpd, bmd := b+d, b-d
					jbmd := complex(-imag(bmd), real(bmd))
					d0[k] = apc + bpd
					d1[k] = cmul(w1, amc-jbmd)
					d2[k] = cmul(w2, apc-bpd)
					d3[k] = cmul(w3, amc+jbmd)
				}
			}
		}
		src, dst = dst, src
		s *= 4
		l = m
	}
	if &src[0] != &x[0] {
		copy(x, src)
	}
}

// radix4Unit is a stride-s butterfly whose twiddles are all 1.
func radix4Unit(d0, d1, d2, d3, s0, s1, s2, s3 []complex128, inverse bool) {
	s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
	d0, d1, d2, d3 = d0[:len(s0)], d1[:len(s0)], d2[:len(s0)], d3[:len(s0)]
	for k := range s0 {
		a, b, c, d := s0[k], s1[k], s2[k], s3[k]
		apc, amc := a+c, a-c
		bpd, bmd := b+d, b-d
		jbmd := complex(-imag(bmd), real(bmd))
		if inverse {
			jbmd = complex(imag(bmd), -real(bmd))
		}
		d0[k] = apc + bpd
		d1[k] = amc - jbmd
		d2[k] = apc - bpd
		d3[k] = amc + jbmd
	}
}

// radix4First is the first Stockham stage (stride 1), written without
// per-butterfly subslices, which dominate its cost otherwise.
func radix4First(dst, src, tw []complex128, m int, inverse bool) {
	src = src[:4*m]
	dst = dst[:4*m]
	tw = tw[:3*m]
	for q := 0; q < m; q++ {
		a, b, c, d := src[q], src[q+m], src[q+2*m], src[q+3*m]
		apc, amc := a+c, a-c
		bpd, bmd := b+d, b-d
		jbmd := complex(-imag(bmd), real(bmd))
		if inverse {
			jbmd = complex(imag(bmd), -real(bmd))
		}
		o := dst[4*q : 4*q+4 : 4*q+4]
		t := tw[3*q : 3*q+3 : 3*q+3]
		o[0] = apc + bpd
		o[1] = cmul(t[0], amc-jbmd)
		o[2] = cmul(t[1], apc-bpd)
		o[3] = cmul(t[2], amc+jbmd)
	}
}

// radix4Second is the stride-4 Stockham stage, unrolled for the same
// reason as radix4First.
func radix4Second(dst, src, tw []complex128, m int, inverse bool) {
	src = src[:16*m]
	dst = dst[:16*m]
	tw = tw[:3*m]
	for q := 0; q < m; q++ {
		t := tw[3*q : 3*q+3 : 3*q+3]
		w1, w2, w3 := t[0], t[1], t[2]
		s0 := src[4*q : 4*q+4 : 4*q+4]
		s1 := src[4*(q+m) : 4*(q+m)+4 : 4*(q+m)+4]
		s2 := src[4*(q+2*m) : 4*(q+2*m)+4 : 4*(q+2*m)+4]
		s3 := src[4*(q+3*m) : 4*(q+3*m)+4 : 4*(q+3*m)+4]
		o := dst[16*q : 16*q+16 : 16*q+16]
		for k := 0; k < 4; k++ {
			a, b, c, d := s0[k], s1[k], s2[k], s3[k]
			apc, amc := a+c, a-c
			bpd, bmd := b+d, b-d
			jbmd := complex(-imag(bmd), real(bmd))
			if inverse {
				jbmd = complex(imag(bmd), -real(bmd))
			}
			o[k] = apc + bpd
			o[4+k] = cmul(w1, amc-jbmd)
			o[8+k] = cmul(w2, apc-bpd)
			o[12+k] = cmul(w3, amc+jbmd)
		}
	}
}

// realFFT computes the first n/2+1 DFT bins of a real sequence of even
// power-of-two length n with one complex FFT of length n/2.
type realFFT struct {
	n   int
	h   *fftPlan
	buf []complex128
	w   []complex128 // e^{-2πik/n}, k < n/2
}

func newRealFFT(n int) *realFFT {
	if n < 2 || !isPow2(n) {
		panic("scatter: real fft length must be a power of two ≥ 2")
	}
	r := &realFFT{n: n, h: newFFTPlan(n / 2), buf: make([]complex128, n/2), w: make([]complex128, n/2)}
	for k := range r.w {
		s, c := detmath.Sincos(-2 * math.Pi * float64(k) / float64(n))
		r.w[k] = complex(c, s)
	}
	return r
}

// forward writes the full length-n spectrum of the real x into dst
// (Hermitian symmetry fills the upper half).
func (r *realFFT) forward(dst []complex128, x []float64) {
	h := r.n / 2
	z := r.buf
	for k := range z {
		z[k] = complex(x[2*k], x[2*k+1])
	}
	r.h.transform(z, false)
	dst[0] = complex(real(z[0])+imag(z[0]), 0)
	dst[h] = complex(real(z[0])-imag(z[0]), 0)
	for k := 1; k < h; k++ {
		a, b := z[k], z[h-k]
		bc := complex(real(b), -imag(b))
		e := cmul(a+bc, 0.5)
		o := cmul(a-bc, complex(0, -0.5))
		v := e + cmul(r.w[k], o)
		dst[k] = v
		dst[r.n-k] = complex(real(v), -imag(v))
	}
}

// inverseReal writes Re(Σ_k X[k] e^{+2πikn/N}) (unnormalised) into dst:
// the real part of the inverse DFT of a spectrum that need not be
// Hermitian, computed from its Hermitian part with one half-length FFT.
func (r *realFFT) inverseReal(dst []float64, X []complex128) {
	n, h := r.n, r.n/2
	z := r.buf
	// Hermitian part H[k] = (X[k] + conj X[n-k]) / 2 has Re IDFT equal
	// to Re IDFT(X); pack even/odd outputs into one complex sequence.
	for k := 0; k < h; k++ {
		a := X[k]
		b := X[(n-k)&(n-1)]
		hk := cmul(a+complex(real(b), -imag(b)), 0.5)
		a2 := X[k+h]
		b2 := X[(n-k-h)&(n-1)]
		hk2 := cmul(a2+complex(real(b2), -imag(b2)), 0.5)
		e := hk + hk2
		o := cmul(hk-hk2, complex(real(r.w[k]), -imag(r.w[k])))
		z[k] = e + complex(-imag(o), real(o))
	}
	r.h.transform(z, true)
	for k := range z {
		dst[2*k] = real(z[k])
		dst[2*k+1] = imag(z[k])
	}
}

func log2(n int) int { return bits.Len(uint(n)) - 1 }
