package dsp

// CmplxFFT is a plan for the discrete Fourier transform of complex
// sequences of one length n ≥ 1, any n:
//
//	Coefficients: X[k] = Σ_{j<n} x[j]·exp(−2πi·jk/n)
//	Sequence:     x[j] = Σ_{k<n} X[k]·exp(+2πi·jk/n)  (unnormalized)
//
// It is a mixed-radix decimation-in-time transform (radix 4 and 2, then
// the odd primes of n by direct sums), as gonum's fourier.CmplxFFT is.
// It exists because results must be the same bits on every machine:
// every product is rounded on its own (see cmul), so no build can fuse it
// into a multiply-add, and the roots of unity come from one table. gonum's
// FFTPACK port is compiled with whatever fusion the target allows. The
// radix-3 and radix-5 butterflies make it about three times as fast as
// gonum's on the lengths the scattering uses (BenchmarkCmplxFFT). It
// serves the lengths the power-of-two FFT does not: FFT's other sizes,
// and the frequential transforms of the joint time-frequency scattering.
//
// A plan owns its work buffers: it is not safe for concurrent use, and
// its methods allocate nothing.
type CmplxFFT struct {
	n       int
	factors []int        // radices in the order of the recursion; product n
	roots   []complex128 // exp(−2πi·k/n), k < n
	work    []complex128 // a copy of the input, so dst may be src
	tmp     []complex128 // one butterfly's inputs, max radix long
}

// NewCmplxFFT returns a plan for complex sequences of length n. It panics
// if n < 1.
func NewCmplxFFT(n int) *CmplxFFT {
	if n < 1 {
		panic("dsp: FFT length must be positive")
	}
	p := &CmplxFFT{n: n, roots: make([]complex128, n), work: make([]complex128, n)}
	for k := range p.roots {
		p.roots[k] = cis(k, n)
	}
	rest := n
	for rest%4 == 0 && rest > 4 {
		p.factors = append(p.factors, 4)
		rest /= 4
	}
	for f := 2; rest > 1; {
		if f*f > rest {
			f = rest // rest is prime
		}
		if rest%f == 0 {
			p.factors = append(p.factors, f)
			rest /= f
			continue
		}
		if f == 2 {
			f = 3
		} else {
			f += 2
		}
	}
	maxR := 1
	for _, f := range p.factors {
		maxR = max(maxR, f)
	}
	p.tmp = make([]complex128, maxR)
	return p
}

// Len returns the length the plan was made for.
func (p *CmplxFFT) Len() int { return p.n }

// Coefficients writes the Fourier coefficients of src into dst, which may
// be src. It panics if either length differs from Len().
func (p *CmplxFFT) Coefficients(dst, src []complex128) {
	if len(dst) != p.n || len(src) != p.n {
		panic("dsp: CmplxFFT length mismatch")
	}
	copy(p.work, src)
	p.rec(dst, p.work, p.n, 1, 0)
}

// Sequence writes the unnormalized inverse transform of src into dst,
// which may be src (divide by Len() for the inverse of Coefficients). It
// panics if either length differs from Len().
func (p *CmplxFFT) Sequence(dst, src []complex128) {
	if len(dst) != p.n || len(src) != p.n {
		panic("dsp: CmplxFFT length mismatch")
	}
	// The inverse is the conjugate of the forward transform of the
	// conjugate; conjugation is exact.
	for i, v := range src {
		p.work[i] = complex(real(v), -imag(v))
	}
	p.rec(dst, p.work, p.n, 1, 0)
	for i, v := range dst {
		dst[i] = complex(real(v), -imag(v))
	}
}

// rec writes into dst (length n) the transform of src[0], src[stride], …,
// src[(n−1)·stride]: it transforms the r subsequences of every r-th value
// into the r blocks of dst, then combines them with twiddled r-point
// butterflies.
func (p *CmplxFFT) rec(dst, src []complex128, n, stride, fi int) {
	if n == 1 {
		dst[0] = src[0]
		return
	}
	r := p.factors[fi]
	m := n / r
	if m == 1 {
		for q := range r {
			dst[q] = src[q*stride]
		}
	} else {
		for q := range r {
			p.rec(dst[q*m:(q+1)*m], src[q*stride:], m, stride*r, fi+1)
		}
	}
	N := p.n
	step := N / n // W_n^e = roots[e·step mod N]
	t := p.tmp[:r]
	switch r {
	case 2:
		for k := range m {
			a, b := dst[k], dst[k+m]
			if k > 0 {
				b = cmul(p.roots[k*step], b)
			}
			dst[k], dst[k+m] = a+b, a-b
		}
	case 4:
		for k := range m {
			a, b, c, d := dst[k], dst[k+m], dst[k+2*m], dst[k+3*m]
			if k > 0 {
				b = cmul(p.roots[k*step], b)
				c = cmul(p.roots[2*k*step], c)
				d = cmul(p.roots[3*k*step], d)
			}
			apc, amc := a+c, a-c
			bpd, bmd := b+d, b-d
			mi := complex(imag(bmd), -real(bmd)) // −i(b − d)
			dst[k], dst[k+m], dst[k+2*m], dst[k+3*m] = apc+bpd, amc+mi, apc-bpd, amc-mi
		}
	case 3:
		const h = 0.86602540378443864676 // sin(2π/3)
		for k := range m {
			a, b, c := dst[k], dst[k+m], dst[k+2*m]
			if k > 0 {
				b = cmul(p.roots[k*step], b)
				c = cmul(p.roots[2*k*step], c)
			}
			sum, dif := b+c, b-c
			mid := a - rmul(0.5, sum)
			rot := complex(float64(h*imag(dif)), -float64(h*real(dif))) // −i·h·(b − c)
			dst[k], dst[k+m], dst[k+2*m] = a+sum, mid+rot, mid-rot
		}
	case 5:
		const (
			c1 = 0.30901699437494742410  // cos(2π/5)
			c2 = -0.80901699437494742410 // cos(4π/5)
			s1 = 0.95105651629515357212  // sin(2π/5)
			s2 = 0.58778525229247312917  // sin(4π/5)
		)
		for k := range m {
			t0, t1, t2, t3, t4 := dst[k], dst[k+m], dst[k+2*m], dst[k+3*m], dst[k+4*m]
			if k > 0 {
				t1 = cmul(p.roots[k*step], t1)
				t2 = cmul(p.roots[2*k*step], t2)
				t3 = cmul(p.roots[3*k*step], t3)
				t4 = cmul(p.roots[4*k*step], t4)
			}
			a1, b1, a2, b2 := t1+t4, t1-t4, t2+t3, t2-t3
			r1 := t0 + rmul(c1, a1) + rmul(c2, a2)
			r2 := t0 + rmul(c2, a1) + rmul(c1, a2)
			i1 := rmul(s1, b1) + rmul(s2, b2)
			i2 := rmul(s2, b1) - rmul(s1, b2)
			m1 := complex(imag(i1), -real(i1)) // −i·i1
			m2 := complex(imag(i2), -real(i2))
			dst[k], dst[k+m], dst[k+2*m], dst[k+3*m], dst[k+4*m] = t0+a1+a2, r1+m1, r2+m2, r2-m2, r1-m1
		}
	default:
		rs := N / r // W_r^e = roots[e·rs mod N]
		for k := range m {
			t[0] = dst[k]
			for q := 1; q < r; q++ {
				t[q] = cmul(p.roots[(q*k*step)%N], dst[k+q*m])
			}
			for s := range r {
				acc := t[0]
				for q := 1; q < r; q++ {
					acc += cmul(t[q], p.roots[(q*s%r)*rs])
				}
				dst[k+s*m] = acc
			}
		}
	}
}

// rmul is c·z with each product rounded on its own (see cmul).
func rmul(c float64, z complex128) complex128 {
	return complex(float64(c*real(z)), float64(c*imag(z)))
}

// fftFallback is the path of FFT for lengths that are not a power of two
// (or below 16): a complex transform of the real input.
type fftFallback struct {
	c   *CmplxFFT
	buf []complex128
}

func newFFTFallback(n int) *fftFallback {
	return &fftFallback{c: NewCmplxFFT(n), buf: make([]complex128, n)}
}

// forward writes the one-sided spectrum of x·w (w nil: no window).
func (f *fftFallback) forward(dst []complex128, x, w []float64) {
	for i, v := range x {
		if w != nil {
			v *= w[i]
		}
		f.buf[i] = complex(v, 0)
	}
	f.c.Coefficients(f.buf, f.buf)
	copy(dst, f.buf[:len(dst)])
}

// adjointAdd adds w·Re Σ_{k≤n/2} g[k]·exp(+2πi·jk/n) into dst.
func (f *fftFallback) adjointAdd(dst []float64, g []complex128, w []float64) {
	clear(f.buf)
	copy(f.buf, g)
	f.c.Sequence(f.buf, f.buf)
	for i, v := range f.buf {
		if w != nil {
			dst[i] += float64(real(v) * w[i])
		} else {
			dst[i] += real(v)
		}
	}
}
