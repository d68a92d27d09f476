package scatter

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// JTFSConfig describes a joint time-frequency scattering transform in
// Kymatio's terms (TimeFrequencyScattering, format 'time').
type JTFSConfig struct {
	J, Q1, Q2 int     // time wavelets: scale and wavelets per octave
	T         float64 // time lowpass support (0 means 2^J)
	JFr, QFr  int     // frequential wavelets along the first-order index
	F         int     // frequential lowpass support; Kymatio main needs 2^JFr (0 means that)
}

// JTFSPath identifies one output row of JTFS: its order, the first-order
// index N1 it starts at (after frequential subsampling), the second-order
// time filter N2 (−1 at order ≤ 1), the frequential filter NFr and its
// spin (+1 up, −1 down, 0 for the frequential lowpass).
type JTFSPath struct {
	Order, N1, N2, NFr, Spin int
}

// JTFS is a plan for Kymatio's joint time-frequency scattering (separable
// form, local averaging in time and frequency, format 'time') on signals
// of one length, with Kymatio main's sum-periodised filters. It is not
// safe for concurrent use.
type JTFS struct {
	cfg    JTFSConfig
	n      int
	npad   int
	padL   int
	log2T  int
	log2F  int
	nt     int // frames at resolution 2^log2T before cropping
	start  int
	frames int
	bank   *Bank
	k1     []int
	nfr    int // padded frequential length
	phiF   Filter
	psiFr  []Filter // n_fr order: φ_fr (lowpass, j = JFr), ups, downs
	jfr    []int    // subsampling of each frequential filter
	favg   map[int][]float64
	paths  []JTFSPath
	// n1max[n2]: number of first-order rows with j1 < j2 (a prefix)
	n1max []int

	rffts map[int]*realFFT
	ffts  map[int]*fftPlan
	gffts map[int]*fourier.CmplxFFT // frequential lengths (any size)

	xpad, gpad []float64
	x0, gx0    []complex128
	y1, u1hat  [][]complex128 // per n1, kept for order 2 and backward
	gu1hat     [][]complex128
	s1, gs1    []float64 // first-order rows, n1-major × nt
	tbuf       []complex128
	rbuf       []float64
	xb, gxb    []complex128 // t-major × nfr
	yb         []complex128 // t-major × R
	s2, gs2    []float64    // R × nt
	col, col2  []complex128
	sc         []complex128
	sfull      []float64
	out, gout  []float64
}

// NewJTFS builds the JTFS plan for signals of length n.
func NewJTFS(n int, cfg JTFSConfig) (*JTFS, error) {
	if cfg.T == 0 {
		cfg.T = math.Ldexp(1, cfg.J)
	}
	if cfg.F == 0 {
		cfg.F = 1 << cfg.JFr
	}
	if err := checkConfig(n, Config{J: cfg.J, Q1: cfg.Q1, Q2: cfg.Q2, T: cfg.T, MaxOrder: 2}); err != nil {
		return nil, err
	}
	switch {
	case cfg.JFr < 1 || cfg.JFr > 8:
		return nil, fmt.Errorf("scatter: J_fr=%d: want 1 ≤ J_fr ≤ 8", cfg.JFr)
	case cfg.QFr < 1 || cfg.QFr > 8:
		return nil, fmt.Errorf("scatter: Q_fr=%d: want 1 ≤ Q_fr ≤ 8", cfg.QFr)
	case cfg.F != 1<<cfg.JFr:
		return nil, fmt.Errorf("scatter: F=%d: Kymatio's JTFS needs F = 2^J_fr = %d", cfg.F, 1<<cfg.JFr)
	case cfg.T < math.Ldexp(1, cfg.J):
		return nil, fmt.Errorf("scatter: T=%g: JTFS needs T ≥ 2^J = %d", cfg.T, 1<<cfg.J)
	}
	t := &JTFS{cfg: cfg, n: n}
	var err error
	if t.npad, t.padL, err = padding(n, cfg.T); err != nil {
		return nil, err
	}
	t.log2T = int(math.Floor(math.Log2(cfg.T)))
	t.log2F = cfg.JFr
	t.bank = NewBank(t.npad, cfg.J, cfg.Q1, cfg.Q2, cfg.T, Sum)
	t.nt = t.npad >> t.log2T
	t.start, t.frames = borders(t.padL, n, t.log2T)
	for _, p := range t.bank.Psi1 {
		t.k1 = append(t.k1, min(p.J, t.log2T))
	}

	// Frequential padding and filters (Kymatio's TimeFrequencyScatteringBase).
	nin := (cfg.J + 1) * cfg.Q1
	kfr := cfg.JFr
	t.nfr = (nin + 8*min(cfg.F, 1<<cfg.JFr)) >> kfr << kfr
	if t.nfr < len(t.bank.Psi1) {
		return nil, fmt.Errorf("scatter: frequential padding %d shorter than %d first-order filters", t.nfr, len(t.bank.Psi1))
	}
	sF := sigma0 / float64(cfg.F)
	t.phiF = newFilter(0, sF, t.log2F, periodize(Morlet(t.nfr, 0, sF), 1+t.log2F, Sum))
	s1 := sigma0 / float64(int(1)<<cfg.JFr)
	t.psiFr = append(t.psiFr, newFilter(0, s1, cfg.JFr, [][]float64{Morlet(t.nfr, 0, s1)}))
	xis, sigmas := AndenGenerator(cfg.JFr, cfg.QFr)
	for _, sgn := range []float64{1, -1} {
		for i, xi := range xis {
			j := maxDyadicSubsampling(xi, sigmas[i])
			if math.Abs(xi) >= 0.5/math.Ldexp(1, j) {
				return nil, fmt.Errorf("scatter: frequential filter ξ=%g aliases", xi)
			}
			t.psiFr = append(t.psiFr, newFilter(sgn*xi, sigmas[i], j, [][]float64{Morlet(t.nfr, sgn*xi, sigmas[i])}))
		}
	}
	for _, f := range t.psiFr {
		k := min(f.J, t.log2F)
		if t.nfr%(1<<k) != 0 {
			return nil, fmt.Errorf("scatter: frequential length %d not divisible by 2^%d", t.nfr, k)
		}
		t.jfr = append(t.jfr, k)
	}
	// Frequential averaging maps, one per input resolution.
	t.favg = map[int][]float64{}
	for _, k := range t.jfr {
		if _, ok := t.favg[k]; !ok {
			t.favg[k] = freqAverager(t.phiF.Levels[k], t.nfr>>k, t.nfr>>t.log2F)
		}
	}

	// Paths in Kymatio's generation order.
	t.paths = append(t.paths, JTFSPath{Order: 0, N1: -1, N2: -1, NFr: -1})
	n1all := len(t.bank.Psi1)
	rows := (n1all + cfg.F - 1) / cfg.F
	for i, f := range t.psiFr {
		if f.Xi < 0 {
			continue
		}
		for r := 0; r < rows; r++ {
			t.paths = append(t.paths, JTFSPath{Order: 1, N1: r * cfg.F, N2: -1, NFr: i, Spin: sign(f.Xi)})
		}
	}
	t.n1max = make([]int, len(t.bank.Psi2))
	for i2, p2 := range t.bank.Psi2 {
		m := 0
		for i1, p1 := range t.bank.Psi1 {
			if p2.J > p1.J {
				if i1 != m {
					return nil, fmt.Errorf("scatter: first-order scales are not sorted")
				}
				m++
			}
		}
		t.n1max[i2] = m
		if m == 0 {
			continue
		}
		if p2.J > t.log2T {
			return nil, fmt.Errorf("scatter: second-order scale j2=%d exceeds log2 T=%d", p2.J, t.log2T)
		}
		rows := (m + cfg.F - 1) / cfg.F
		for i, f := range t.psiFr {
			for r := 0; r < rows; r++ {
				t.paths = append(t.paths, JTFSPath{Order: 2, N1: r * cfg.F, N2: i2, NFr: i, Spin: sign(f.Xi)})
			}
		}
	}

	// Plans and buffers.
	N := t.npad
	t.ffts, t.rffts, t.gffts = map[int]*fftPlan{}, map[int]*realFFT{}, map[int]*fourier.CmplxFFT{}
	for m := N; m >= 1; m /= 2 {
		t.ffts[m] = newFFTPlan(m)
		if m >= 2 {
			t.rffts[m] = newRealFFT(m)
		}
	}
	t.gffts[t.nfr] = fourier.NewCmplxFFT(t.nfr)
	for _, k := range t.jfr {
		if t.gffts[t.nfr>>k] == nil {
			t.gffts[t.nfr>>k] = fourier.NewCmplxFFT(t.nfr >> k)
		}
	}
	t.xpad, t.gpad = make([]float64, N), make([]float64, N)
	t.x0, t.gx0 = make([]complex128, N), make([]complex128, N)
	for _, k := range t.k1 {
		t.y1 = append(t.y1, make([]complex128, N>>k))
		t.u1hat = append(t.u1hat, make([]complex128, N>>k))
		t.gu1hat = append(t.gu1hat, make([]complex128, N>>k))
	}
	t.s1, t.gs1 = make([]float64, n1all*t.nt), make([]float64, n1all*t.nt)
	t.tbuf, t.rbuf = make([]complex128, N), make([]float64, N)
	mMax := 0
	for i2, p2 := range t.bank.Psi2 {
		if t.n1max[i2] > 0 {
			mMax = max(mMax, N>>p2.J)
		}
	}
	mMax = max(mMax, t.nt)
	t.xb, t.gxb, t.yb = make([]complex128, mMax*t.nfr), make([]complex128, mMax*t.nfr), make([]complex128, mMax*t.nfr)
	t.s2, t.gs2 = make([]float64, t.nfr*t.nt), make([]float64, t.nfr*t.nt)
	t.col, t.col2 = make([]complex128, t.nfr), make([]complex128, t.nfr)
	t.sc, t.sfull = make([]complex128, t.nt), make([]float64, t.nt)
	t.out, t.gout = make([]float64, t.frames), make([]float64, t.frames)
	return t, nil
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// freqAverager returns the real (rOut × rIn) matrix of Kymatio's
// frequential averaging at one resolution: Re IFFT_rOut(Per(FFT_rIn(v) ⊙ φ̂)),
// with mean periodisation. The lengths are short and not powers of two,
// so the map is applied as a matrix.
func freqAverager(phi []float64, rIn, rOut int) []float64 {
	a := make([]float64, rOut*rIn)
	m := rIn / rOut
	for q := 0; q < rOut; q++ {
		for r := 0; r < rIn; r++ {
			// Σ_k φ̂[k] e^{−2πi k r/rIn} e^{+2πi k q m/rIn} / rIn (mean-
			// periodisation then IFFT equals subsampling the full IFFT).
			s := 0.0
			for k := 0; k < rIn; k++ {
				ph := 2 * math.Pi * float64((k*(q*m-r))%rIn) / float64(rIn)
				s += phi[k] * math.Cos(ph)
			}
			a[q*rIn+r] = s / float64(rIn)
		}
	}
	return a
}

// Paths returns the output rows in Kymatio's order (format 'time').
func (t *JTFS) Paths() []JTFSPath { return t.paths }

// Frames is the number of time frames of every row.
func (t *JTFS) Frames() int { return t.frames }

// Bank returns the time filters (read-only).
func (t *JTFS) Bank() *Bank { return t.bank }

// FreqFilters returns the frequential filters in n_fr order: the lowpass
// φ_fr, then spin-up and spin-down wavelets.
func (t *JTFS) FreqFilters() []Filter { return t.psiFr }

// FreqLen is the padded length of the frequential axis.
func (t *JTFS) FreqLen() int { return t.nfr }

// Forward writes all rows (len(Paths()) × Frames(), path-major) into dst
// and returns it; a nil dst is allocated. It panics on length mismatches.
func (t *JTFS) Forward(dst, x []float64) []float64 {
	m := len(t.paths) * t.frames
	if dst == nil {
		dst = make([]float64, m)
	}
	if len(dst) != m {
		panic("scatter: destination length mismatch")
	}
	t.Eval(x, nil, func(p int, s, _ []float64) float64 {
		copy(dst[p*t.frames:], s)
		return 0
	})
	return dst
}

// Eval runs JTFS on x, hands every row to f (in Paths order) and returns
// the sum of f's results; when grad is non-nil it receives the gradient
// of that sum with respect to x. Forward and backward are fused per
// (second-order filter, frequential filter) so that memory stays bounded
// by one time-frequency plane.
func (t *JTFS) Eval(x, grad []float64, f Reducer) float64 {
	if len(x) != t.n || (grad != nil && len(grad) != t.n) {
		panic("scatter: signal length mismatch")
	}
	back := grad != nil
	N := t.npad
	reflectPad(t.xpad, x, t.padL)
	t.rffts[N].forward(t.x0, t.xpad)
	phi := t.bank.Phi
	total := 0.0
	path := 0
	var gout []float64
	if back {
		clear(t.gx0)
		gout = t.gout
	}

	// Order 0.
	t.timeAvg(t.sfull, t.x0, phi, 0)
	copy(t.out, t.sfull[t.start:t.start+t.frames])
	total += f(path, t.out, gout)
	if back {
		clear(t.sfull)
		copy(t.sfull[t.start:], gout)
		t.timeAvgAdjoint(t.gx0, t.sfull, phi, 0)
	}
	path++

	// First-order scalogram, kept for the frequential transforms.
	for i1, p1 := range t.bank.Psi1 {
		k1 := t.k1[i1]
		n1 := N >> k1
		y1, uh := t.y1[i1], t.u1hat[i1]
		periodizeProduct(y1, t.x0, p1.Levels[0], p1.supp[0], 1/float64(N))
		t.ffts[n1].transform(y1, true)
		u := t.rbuf[:n1]
		modulus(u, y1)
		t.rffts[n1].forward(uh, u)
		t.timeAvg(t.s1[i1*t.nt:(i1+1)*t.nt], uh, phi, k1)
		if back {
			clear(t.gu1hat[i1])
		}
	}
	if back {
		clear(t.gs1)
	}

	// Order 1: frequential scattering of S1 (real input: lowpass and spin up).
	n1all := len(t.bank.Psi1)
	nt := t.nt
	xb := t.xb[:nt*t.nfr]
	for tt := 0; tt < nt; tt++ {
		c := xb[tt*t.nfr : (tt+1)*t.nfr]
		clear(c)
		for i := 0; i < n1all; i++ {
			c[i] = complex(t.s1[i*nt+tt], 0)
		}
		t.gffts[t.nfr].Coefficients(c, c)
	}
	if back {
		clear(t.gxb[:nt*t.nfr])
	}
	for i, ff := range t.psiFr {
		if ff.Xi < 0 {
			continue
		}
		var v float64
		v, path = t.freqPath(xb, t.gxb, nt, n1all, i, path, nil, f, back)
		total += v
	}
	if back {
		t.freqInputAdjoint(t.gxb, nt, n1all, func(i, tt int, g complex128) {
			t.gs1[i*nt+tt] += real(g)
		})
	}

	// Order 2, one second-order filter at a time.
	for i2, p2 := range t.bank.Psi2 {
		m1 := t.n1max[i2]
		if m1 == 0 {
			continue
		}
		M := N >> p2.J
		xb := t.xb[:M*t.nfr]
		clear(xb)
		for i1 := 0; i1 < m1; i1++ {
			k1 := t.k1[i1]
			y := t.tbuf[:M]
			periodizeProduct(y, t.u1hat[i1], p2.Levels[k1], p2.supp[k1], 1/float64(N>>k1))
			t.ffts[M].transform(y, true)
			for tt, v := range y {
				xb[tt*t.nfr+i1] = v
			}
		}
		for tt := 0; tt < M; tt++ {
			c := xb[tt*t.nfr : (tt+1)*t.nfr]
			t.gffts[t.nfr].Coefficients(c, c)
		}
		if back {
			clear(t.gxb[:M*t.nfr])
		}
		for i := range t.psiFr {
			var v float64
			v, path = t.freqPath(xb, t.gxb, M, m1, i, path, &p2, f, back)
			total += v
		}
		if back {
			// Back to Y2 rows, then to Û1 through ψ2.
			gy := t.yb[:M*m1]
			t.freqInputAdjoint(t.gxb, M, m1, func(i1, tt int, g complex128) {
				gy[i1*M+tt] = g
			})
			for i1 := 0; i1 < m1; i1++ {
				k1 := t.k1[i1]
				g := gy[i1*M : (i1+1)*M]
				t.ffts[M].transform(g, false)
				tileProduct(t.gu1hat[i1], g, p2.Levels[k1], p2.supp[k1], 1/float64(N>>k1))
			}
		}
	}

	if back {
		for i1, p1 := range t.bank.Psi1 {
			k1 := t.k1[i1]
			n1 := N >> k1
			g := t.gu1hat[i1]
			t.timeAvgAdjoint(g, t.gs1[i1*nt:(i1+1)*nt], phi, k1)
			gu := t.rbuf[:n1]
			t.rffts[n1].inverseReal(gu, g)
			y := t.tbuf[:n1]
			copy(y, t.y1[i1])
			modulusAdjoint(y, gu)
			t.ffts[n1].transform(y, false)
			tileProduct(t.gx0, y, p1.Levels[0], p1.supp[0], 1/float64(N))
		}
		t.rffts[N].inverseReal(t.gpad, t.gx0)
		reflectPadAdjoint(grad, t.gpad, t.padL)
	}
	return total
}

// timeAvg writes the φ_T average of the signal with spectrum uhat
// (resolution N/2^lev) at resolution N/2^log2T into dst (all nt frames).
func (t *JTFS) timeAvg(dst []float64, uhat []complex128, phi Filter, lev int) {
	periodizeProduct(t.sc, uhat, phi.Levels[lev], phi.supp[lev], 1/float64(len(uhat)))
	t.rffts[t.nt].inverseReal(dst, t.sc)
}

// timeAvgAdjoint adds the adjoint of timeAvg applied to gs (nt frames)
// to the spectrum gradient g.
func (t *JTFS) timeAvgAdjoint(g []complex128, gs []float64, phi Filter, lev int) {
	t.rffts[t.nt].forward(t.sc, gs)
	tileProduct(g, t.sc, phi.Levels[lev], phi.supp[lev], 1/float64(len(g)))
}

// freqPath computes the rows of one frequential filter i applied to the
// plane whose frequential spectra are in xb (M columns × nfr, t-major):
// frequential wavelet (subsampled), modulus, time averaging (second order
// only, p2 non-nil), frequential averaging (spin ≠ 0), cropping; hands
// each row to f and, when back, accumulates the gradient of the plane's
// spectra into gxb. It returns the summed contribution and the next path.
func (t *JTFS) freqPath(xb, gxb []complex128, M, n1max, i int, path int, p2 *Filter, f Reducer, back bool) (float64, int) {
	ff := t.psiFr[i]
	k := t.jfr[i]
	R := t.nfr >> k
	fft := t.gffts[R]
	yb := t.yb[:M*R]
	for tt := 0; tt < M; tt++ {
		c := t.col[:R]
		periodizeProduct(c, xb[tt*t.nfr:(tt+1)*t.nfr], ff.Levels[0], ff.supp[0], 1/float64(t.nfr))
		fft.Sequence(yb[tt*R:(tt+1)*R], c)
	}
	nt := t.nt
	s2 := t.s2[:R*nt]
	if p2 != nil {
		// |Y| then time averaging, row by row.
		lev := p2.J
		u := t.rbuf[:M]
		uh := t.tbuf[:M]
		for r := 0; r < R; r++ {
			for tt := 0; tt < M; tt++ {
				v := yb[tt*R+r]
				u[tt] = math.Sqrt(real(v)*real(v) + imag(v)*imag(v))
			}
			t.rffts[M].forward(uh, u)
			t.timeAvg(s2[r*nt:(r+1)*nt], uh, t.bank.Phi, lev)
		}
	} else {
		for r := 0; r < R; r++ {
			for tt := 0; tt < nt; tt++ {
				v := yb[tt*R+r]
				s2[r*nt+tt] = math.Sqrt(real(v)*real(v) + imag(v)*imag(v))
			}
		}
	}
	rows := (n1max + t.cfg.F - 1) / t.cfg.F
	var A []float64
	rOut := R
	if ff.Xi != 0 {
		A = t.favg[k]
		rOut = t.nfr >> t.log2F
	}
	_ = rOut
	var gs2 []float64
	if back {
		gs2 = t.gs2[:R*nt]
		clear(gs2)
	}
	total := 0.0
	for q := 0; q < rows; q++ {
		out := t.out
		for j := range out {
			tt := t.start + j
			if A == nil {
				out[j] = s2[q*nt+tt]
				continue
			}
			a := A[q*R : (q+1)*R]
			s := 0.0
			for r, ar := range a {
				s += ar * s2[r*nt+tt]
			}
			out[j] = s
		}
		var g []float64
		if back {
			g = t.gout
		}
		total += f(path, out, g)
		path++
		if back {
			for j, gj := range g {
				tt := t.start + j
				if A == nil {
					gs2[q*nt+tt] += gj
					continue
				}
				a := A[q*R : (q+1)*R]
				for r, ar := range a {
					gs2[r*nt+tt] += ar * gj
				}
			}
		}
	}
	if !back {
		return total, path
	}
	// Back through time averaging and the modulus, into gY (in yb).
	if p2 != nil {
		lev := p2.J
		gu := t.rbuf[:M]
		uh := t.tbuf[:M]
		for r := 0; r < R; r++ {
			clear(uh)
			t.timeAvgAdjoint(uh, gs2[r*nt:(r+1)*nt], t.bank.Phi, lev)
			t.rffts[M].inverseReal(gu, uh)
			for tt := 0; tt < M; tt++ {
				yb[tt*R+r] = modGrad(yb[tt*R+r], gu[tt])
			}
		}
	} else {
		for r := 0; r < R; r++ {
			for tt := 0; tt < nt; tt++ {
				yb[tt*R+r] = modGrad(yb[tt*R+r], gs2[r*nt+tt])
			}
		}
	}
	// Through the frequential wavelet: gX̂ += ψ ⊙ Tile(F_R(gY))/nfr.
	for tt := 0; tt < M; tt++ {
		c := t.col[:R]
		fft.Coefficients(c, yb[tt*R:(tt+1)*R])
		tileProduct(gxb[tt*t.nfr:(tt+1)*t.nfr], c, ff.Levels[0], ff.supp[0], 1/float64(t.nfr))
	}
	return total, path
}

func modGrad(y complex128, g float64) complex128 {
	a := math.Sqrt(real(y)*real(y) + imag(y)*imag(y))
	if a == 0 {
		return 0
	}
	return y * complex(g/a, 0)
}

// freqInputAdjoint maps the gradient of the frequential spectra (M
// columns × nfr) back to the unpadded rows: gX = F^H gX̂, keeping rows
// below n1max, and hands each entry to put.
func (t *JTFS) freqInputAdjoint(gxb []complex128, M, n1max int, put func(i, tt int, g complex128)) {
	c := t.col
	for tt := 0; tt < M; tt++ {
		t.gffts[t.nfr].Sequence(c, gxb[tt*t.nfr:(tt+1)*t.nfr])
		for i := 0; i < n1max; i++ {
			put(i, tt, c[i])
		}
	}
}
