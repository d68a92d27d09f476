package dsp

import (
	"math"
	"math/bits"

	"gonum.org/v1/gonum/dsp/fourier"
)

// FFT is a plan for the discrete Fourier transform of real sequences of
// one length n:
//
//	X[k] = Σ_{j<n} x[j]·exp(−2πi·jk/n),  k = 0 … n/2  (unnormalized, one-sided)
//
// and for its adjoint. For power-of-two n ≥ 16 the plan uses a hand-written
// transform (an n/2-point complex radix-4/2 FFT on the even/odd samples
// packed as one complex sequence, then a split into the one-sided spectrum);
// it is about three times as fast as gonum's fourier.FFT on the sizes our losses
// use (see BenchmarkFFT). Other lengths fall back to gonum's fourier.FFT.
//
// A plan owns its work buffers: it is not safe for concurrent use, and its
// methods allocate nothing.
type FFT struct {
	n int

	// Power-of-two path.
	m     int            // n/2, the complex FFT length
	rev   []int32        // bit reversal permutation of 0 … m−1
	tw    [][]complex128 // per radix-4 stage: w, w², w³ interleaved
	post  []complex128   // exp(−2πik/n), k = 0 … m
	z     []complex128   // work, m values
	odd   bool           // log2(m) odd: one leading radix-2 pass
	first int            // h of the first twiddled radix-4 stage

	// Fallback path.
	g    *fourier.FFT
	gbuf []float64
	gc   []complex128
}

// NewFFT returns a plan for real sequences of length n. It panics if
// n < 1.
func NewFFT(n int) *FFT {
	if n < 1 {
		panic("dsp: FFT length must be positive")
	}
	p := &FFT{n: n}
	if n < 16 || n&(n-1) != 0 {
		p.g = fourier.NewFFT(n)
		p.gbuf = make([]float64, n)
		p.gc = make([]complex128, n/2+1)
		return p
	}
	m := n / 2
	p.m = m
	logm := bits.TrailingZeros(uint(m))
	p.rev = make([]int32, m)
	for k := range p.rev {
		p.rev[k] = int32(bits.Reverse32(uint32(k)) >> (32 - logm))
	}
	p.z = make([]complex128, m)
	p.post = make([]complex128, m+1)
	for k := range p.post {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		p.post[k] = complex(c, s)
	}
	// The first pass (radix-2 if log2 m is odd, else radix-4 with h=1)
	// needs no twiddles; the remaining radix-4 stages combine four
	// sub-transforms of length h into one of length 4h.
	p.odd = logm%2 == 1
	h := 4
	if p.odd {
		h = 2
	}
	p.first = h
	for ; h <= m/4; h *= 4 {
		t := make([]complex128, 3*h)
		for j := 0; j < h; j++ {
			for q := 1; q <= 3; q++ {
				s, c := math.Sincos(-2 * math.Pi * float64(q*j) / float64(4*h))
				t[3*j+q-1] = complex(c, s)
			}
		}
		p.tw = append(p.tw, t)
	}
	return p
}

// Len returns the sequence length the plan accepts.
func (p *FFT) Len() int { return p.n }

// Forward writes the n/2+1 one-sided Fourier coefficients of x into dst.
// It panics if len(x) != Len() or len(dst) != Len()/2+1.
func (p *FFT) Forward(dst []complex128, x []float64) {
	if len(x) != p.n || len(dst) != p.n/2+1 {
		panic("dsp: FFT length mismatch")
	}
	p.forward(dst, x, nil)
}

// Adjoint computes the adjoint of Forward with respect to the real inner
// products ⟨x, y⟩ = Σ x[j]y[j] and ⟨X, G⟩ = Σ Re(conj(X[k])·G[k]): if G
// holds ∂L/∂Re X[k] + i·∂L/∂Im X[k], Adjoint writes ∂L/∂x into dst:
//
//	dst[j] = Re Σ_{k=0}^{n/2} G[k]·exp(+2πi·jk/n).
//
// It panics if len(dst) != Len() or len(g) != Len()/2+1.
func (p *FFT) Adjoint(dst []float64, g []complex128) {
	if len(dst) != p.n || len(g) != p.n/2+1 {
		panic("dsp: FFT length mismatch")
	}
	clear(dst)
	p.adjointAdd(dst, g, nil)
}

// forward computes the spectrum of x·w (w nil means no window).
func (p *FFT) forward(dst []complex128, x, w []float64) {
	if p.g != nil {
		if w == nil {
			copy(p.gbuf, x)
		} else {
			for i, v := range x {
				p.gbuf[i] = v * w[i]
			}
		}
		p.g.Coefficients(dst, p.gbuf)
		return
	}
	m := p.m
	z := p.z
	rev := p.rev[:m]
	x = x[:2*m]
	if w == nil {
		for k, r := range rev {
			z[r] = complex(x[2*k], x[2*k+1])
		}
	} else {
		w = w[:2*m]
		for k, r := range rev {
			z[r] = complex(x[2*k]*w[2*k], x[2*k+1]*w[2*k+1])
		}
	}
	p.transform()
	// Split the transform of z = even + i·odd into the spectrum of x:
	// X[k] = E + W^k·O and X[m−k] = conj(E − W^k·O).
	dst = dst[:m+1]
	post := p.post[:m+1]
	z0 := z[0]
	dst[0] = complex(real(z0)+imag(z0), 0)
	dst[m] = complex(real(z0)-imag(z0), 0)
	for k := 1; k <= m/2; k++ {
		a, b := z[k], z[m-k]
		// E = (a + conj b)/2, O = −i(a − conj b)/2.
		er, ei := 0.5*(real(a)+real(b)), 0.5*(imag(a)-imag(b))
		or, oi := 0.5*(imag(a)+imag(b)), -0.5*(real(a)-real(b))
		wr, wi := real(post[k]), imag(post[k])
		tr, ti := wr*or-wi*oi, wr*oi+wi*or
		dst[k] = complex(er+tr, ei+ti)
		dst[m-k] = complex(er-tr, -(ei - ti))
	}
}

// adjointAdd adds w·(Fᵀg) into dst (w nil means no window).
func (p *FFT) adjointAdd(dst []float64, g []complex128, w []float64) {
	if p.g != nil {
		n := p.n
		c := p.gc
		c[0] = complex(real(g[0]), 0)
		for k := 1; k < len(c); k++ {
			c[k] = g[k] / 2
		}
		if n%2 == 0 {
			c[n/2] = complex(real(g[n/2]), 0)
		}
		p.g.Sequence(p.gbuf, c)
		if w == nil {
			for i, v := range p.gbuf {
				dst[i] += v
			}
		} else {
			for i, v := range p.gbuf {
				dst[i] += v * w[i]
			}
		}
		return
	}
	m := p.m
	z := p.z[:m]
	rev := p.rev[:m]
	post := p.post[:m+1]
	g = g[:m+1]
	// Adjoint of the split: X[k] = c1·Z[k] + c2·conj(Z[m−k]) with
	// c1 = (1 − iW^k)/2, c2 = (1 + iW^k)/2. The conjugate of Z̄ is
	// accumulated (in bit-reversed order) so that a forward transform
	// yields the conjugate of the inverse transform.
	clear(z)
	for k := 0; k <= m; k++ {
		wr, wi := real(post[k]), imag(post[k])
		gr, gi := real(g[k]), imag(g[k])
		// c1 = (1 + wi − i·wr)/2, c2 = (1 − wi + i·wr)/2.
		c1r, c1i := 0.5*(1+wi), -0.5*wr
		c2r, c2i := 0.5*(1-wi), 0.5*wr
		// conj(conj(c1)·G) = c1·conj(G)
		a := complex(c1r*gr+c1i*gi, c1i*gr-c1r*gi)
		// conj(c2·conj(G)) = conj(c2)·G
		b := complex(c2r*gr+c2i*gi, c2r*gi-c2i*gr)
		z[rev[k&(m-1)]] += a
		z[rev[(m-k)&(m-1)]] += b
	}
	p.transform()
	dst = dst[:2*m]
	if w == nil {
		for j, v := range z {
			dst[2*j] += real(v)
			dst[2*j+1] -= imag(v)
		}
	} else {
		w = w[:2*m]
		for j, v := range z {
			dst[2*j] += real(v) * w[2*j]
			dst[2*j+1] -= imag(v) * w[2*j+1]
		}
	}
}

// transform runs the in-place complex FFT (sign −1) of p.z, whose
// values are already in bit-reversed order.
func (p *FFT) transform() {
	z := p.z
	m := len(z)
	if p.odd {
		for b := 0; b < m; b += 2 {
			a0, a1 := z[b], z[b+1]
			z[b], z[b+1] = a0+a1, a0-a1
		}
	} else {
		// Radix-4 with h = 1: no twiddles.
		for b := 0; b < m; b += 4 {
			s := z[b : b+4 : b+4]
			a, bb, c, d := s[0], s[1], s[2], s[3]
			// Inputs in bit-reversed order: s = [F0, F2, F1, F3].
			t0, t1 := a+bb, a-bb
			t2, t3 := c+d, c-d
			s[0] = t0 + t2
			s[2] = t0 - t2
			mi := complex(imag(t3), -real(t3)) // −i·t3
			s[1] = t1 + mi
			s[3] = t1 - mi
		}
	}
	h := p.first
	for _, t := range p.tw {
		p.stage(h, t)
		h *= 4
	}
}

// stage combines, in every block of 4h values, the four length-h
// transforms (stored as F0, F2, F1, F3 because of the bit-reversed input
// order) into one transform of length 4h.
func (p *FFT) stage(h int, t []complex128) {
	z := p.z
	m := len(z)
	t = t[:3*h]
	for b := 0; b < m; b += 4 * h {
		s0 := z[b : b+h : b+h]
		s1 := z[b+h : b+2*h : b+2*h]
		s2 := z[b+2*h : b+3*h : b+3*h]
		s3 := z[b+3*h : b+4*h : b+4*h]
		for j := range s0 {
			w1, w2, w3 := t[3*j], t[3*j+1], t[3*j+2]
			a := s0[j]
			bb := w2 * s1[j]
			c := w1 * s2[j]
			d := w3 * s3[j]
			apb, amb := a+bb, a-bb
			cpd, cmd := c+d, c-d
			mi := complex(imag(cmd), -real(cmd)) // −i(c−d)
			s0[j] = apb + cpd
			s2[j] = apb - cpd
			s1[j] = amb + mi
			s3[j] = amb - mi
		}
	}
}
