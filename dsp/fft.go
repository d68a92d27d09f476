package dsp

import (
	"math"
	"math/bits"

	"github.com/soundmatch/soundmatch/detmath"
)

// FFT is a plan for the discrete Fourier transform of real sequences of
// one length n:
//
//	X[k] = Σ_{j<n} x[j]·exp(−2πi·jk/n),  k = 0 … n/2  (unnormalized, one-sided)
//
// and for its adjoint. For power-of-two n ≥ 16 the plan uses a hand-written
// transform (an n/2-point complex radix-4/2 FFT on the even/odd samples
// packed as one complex sequence, then a split into the one-sided spectrum);
// it is three to four times as fast as gonum's fourier.FFT on the sizes our losses
// use (see BenchmarkFFT). Other lengths use CmplxFFT.
//
// A plan owns its work buffers: it is not safe for concurrent use, and its
// methods allocate nothing.
type FFT struct {
	n int

	// Power-of-two path.
	m     int          // n/2, the complex FFT length
	rev   []int32      // bit reversal permutation of 0 … m−1
	tw    [][]twiddle3 // per radix-4 stage: w^j, w^2j, w^3j
	post  []complex128 // exp(−2πik/n), k = 0 … m
	z     []complex128 // work, m values
	odd   bool         // log2(m) odd: one leading radix-2 pass
	first int          // h of the first twiddled radix-4 stage

	// Other lengths.
	g *fftFallback
}

// NewFFT returns a plan for real sequences of length n. It panics if
// n < 1.
func NewFFT(n int) *FFT {
	if n < 1 {
		panic("dsp: FFT length must be positive")
	}
	p := &FFT{n: n}
	if n < 16 || n&(n-1) != 0 {
		p.g = newFFTFallback(n)
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
		s, c := detmath.Sincos(-2 * math.Pi * float64(k) / float64(n))
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
		t := make([]twiddle3, h)
		for j := range t {
			t[j] = twiddle3{cis(j, 4*h), cis(2*j, 4*h), cis(3*j, 4*h)}
		}
		p.tw = append(p.tw, t)
	}
	return p
}

// twiddle3 holds the three twiddle factors of one radix-4 butterfly.
type twiddle3 struct{ w1, w2, w3 complex128 }

// cis returns exp(−2πi·k/n).
func cis(k, n int) complex128 {
	s, c := detmath.Sincos(-2 * math.Pi * float64(k) / float64(n))
	return complex(c, s)
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
		p.g.forward(dst, x, w)
		return
	}
	m := p.m
	z := p.z
	p.packFirstPass(x, w)
	p.stages()
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
		er, ei := float64(0.5*(real(a)+real(b))), float64(0.5*(imag(a)-imag(b)))
		or, oi := float64(0.5*(imag(a)+imag(b))), float64(-0.5*(real(a)-real(b)))
		wr, wi := real(post[k]), imag(post[k])
		tr, ti := float64(wr*or)-float64(wi*oi), float64(wr*oi)+float64(wi*or)
		dst[k] = complex(er+tr, ei+ti)
		dst[m-k] = complex(er-tr, -(ei - ti))
	}
}

// adjointAdd adds w·(Fᵀg) into dst (w nil means no window).
func (p *FFT) adjointAdd(dst []float64, g []complex128, w []float64) {
	if p.g != nil {
		p.g.adjointAdd(dst, g, w)
		return
	}
	m := p.m
	z := p.z[:m]
	rev := p.rev[:m]
	post := p.post[:m+1]
	g = g[:m+1]
	// Adjoint of the split X[k] = E + W^k·O, X[m−k] = conj(E − W^k·O)
	// with E = (Z[k] + conj Z[m−k])/2, O = −i(Z[k] − conj Z[m−k])/2:
	// Ē = G[k] + conj G[m−k], Ō = conj(W^k)·(G[k] − conj G[m−k]),
	// Z̄[k] = (Ē + iŌ)/2, Z̄[m−k] = conj(Ē − iŌ)/2. The conjugate of Z̄
	// is stored (in bit-reversed order) so that a forward transform yields
	// the conjugate of the inverse transform.
	g0, gm := real(g[0]), real(g[m])
	z[0] = complex(g0+gm, -(g0 - gm))
	z[rev[m/2]] = g[m/2]
	for k := 1; k < m/2; k++ {
		a, b := g[k], g[m-k]
		er, ei := real(a)+real(b), imag(a)-imag(b)
		dr, di := real(a)-real(b), imag(a)+imag(b) // G[k] − conj G[m−k]
		wr, wi := real(post[k]), -imag(post[k])    // conj(W^k)
		or, oi := float64(wr*dr)-float64(wi*di), float64(wr*di)+float64(wi*dr)
		// Ē + iŌ = (er − oi) + i(ei + or); Ē − iŌ = (er + oi) + i(ei − or).
		z[rev[k]] = complex(0.5*(er-oi), -0.5*(ei+or))
		z[rev[m-k]] = complex(0.5*(er+oi), 0.5*(ei-or))
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
			dst[2*j] += float64(real(v) * w[2*j])
			dst[2*j+1] -= float64(imag(v) * w[2*j+1])
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
		for b := 0; b < m; b += 4 {
			s := z[b : b+4 : b+4]
			s[0], s[1], s[2], s[3] = radix4(s[0], s[1], s[2], s[3])
		}
	}
	p.stages()
}

// radix4 is the twiddle-free length-4 butterfly on inputs in bit-reversed
// order (F0, F2, F1, F3 of length-1 transforms).
func radix4(a, b, c, d complex128) (complex128, complex128, complex128, complex128) {
	t0, t1 := a+b, a-b
	t2, t3 := c+d, c-d
	mi := complex(imag(t3), -real(t3)) // −i·t3
	return t0 + t2, t1 + mi, t0 - t2, t1 - mi
}

// packFirstPass packs x·w (w nil: no window) as the complex sequence
// x[2k] + i·x[2k+1] in bit-reversed order and runs the first, twiddle-free
// pass of the transform on it in the same sweep.
func (p *FFT) packFirstPass(x, w []float64) {
	z := p.z
	m := len(z)
	rev := p.rev[:m]
	x = x[:2*m]
	val := func(k int32) complex128 {
		if w == nil {
			return complex(x[2*k], x[2*k+1])
		}
		return complex(x[2*k]*w[2*k], x[2*k+1]*w[2*k+1])
	}
	if w != nil {
		w = w[:2*m]
	}
	if p.odd {
		for b := 0; b < m; b += 2 {
			a0, a1 := val(rev[b]), val(rev[b+1])
			z[b], z[b+1] = a0+a1, a0-a1
		}
		return
	}
	for b := 0; b < m; b += 4 {
		r := rev[b : b+4 : b+4]
		s := z[b : b+4 : b+4]
		s[0], s[1], s[2], s[3] = radix4(val(r[0]), val(r[1]), val(r[2]), val(r[3]))
	}
}

// stages runs the twiddled radix-4 passes.
func (p *FFT) stages() {
	h := p.first
	for _, t := range p.tw {
		p.stage(h, t)
		h *= 4
	}
}

// stage combines, in every block of 4h values, the four length-h
// transforms (stored as F0, F2, F1, F3 because of the bit-reversed input
// order) into one transform of length 4h.
func (p *FFT) stage(h int, t []twiddle3) {
	z := p.z
	m := len(z)
	t = t[:h]
	for b := 0; b < m; b += 4 * h {
		s0 := z[b : b+h : b+h]
		s1 := z[b+h : b+2*h : b+2*h]
		s2 := z[b+2*h : b+3*h : b+3*h]
		s3 := z[b+3*h : b+4*h : b+4*h]
		s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
		for j, tw := range t {
			w1, w2, w3 := tw.w1, tw.w2, tw.w3
			a := s0[j]
			bb := cmul(w2, s1[j])
			c := cmul(w1, s2[j])
			d := cmul(w3, s3[j])
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

// cmul is a·b computed as Go computes complex128 products, with each real
// product rounded on its own: the compiler may otherwise fuse a product
// and a sum into one multiply-add (arm64, amd64 with GOAMD64=v3), which
// rounds once and changes the last bits; results must not depend on the
// machine.
func cmul(a, b complex128) complex128 {
	ar, ai, br, bi := real(a), imag(a), real(b), imag(b)
	return complex(float64(ar*br)-float64(ai*bi), float64(ar*bi)+float64(ai*br))
}
