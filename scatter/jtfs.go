package scatter

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
	"github.com/soundmatch/soundmatch/dsp"
)

// JTFSConfig describes a joint time-frequency scattering transform in
// Kymatio's terms (TimeFrequencyScattering, format 'time').
type JTFSConfig struct {
	J, Q1, Q2 int     // time wavelets: scale and wavelets per octave
	T         float64 // time lowpass support (0 means 2^J)
	JFr, QFr  int     // frequential wavelets along the first-order index
	F         int     // frequential lowpass support; Kymatio main needs 2^JFr (0 means that)
	// J2Min leaves out second-order time filters with j2 < J2Min (their
	// rows are omitted; the remaining rows are unchanged). 0 keeps all.
	J2Min int
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
	gffts map[int]*dsp.CmplxFFT // frequential lengths (any size)

	xpad, gpad []float64
	x0, gx0    []complex128
	y1, u1hat  [][]complex128 // per n1, kept for order 2 and backward
	gu1hat     [][]complex128
	s1, gs1    []float64 // first-order rows, n1-major × nt
	tbuf       []complex128
	rbuf       []float64
	xb, gxb    []complex128 // plane and its gradient: t-major × stride
	yb         []complex128 // frequential coefficients of one block: t-major × R
	ub         []float64    // their moduli (then gradients): t-major × R
	bmat       [][]complex128
	kern       map[int]kernel
	freqMode   int       // tests: 0 chooses per plane, 1 forces matrices, 2 forces FFTs
	s2, gs2    []float64 // time-averaged rows at the kept frames: frame-major × R
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
	t.log2T = int(math.Floor(detmath.Log2(cfg.T)))
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
			t.favg[k] = freqAverager(t.phiF.Level(k), t.nfr>>k, t.nfr>>t.log2F)
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
		for i1 := 0; i1 < m; i1++ {
			if t.k1[i1] >= p2.NumLevels() || p2.J >= t.bank.Phi.NumLevels() {
				return nil, fmt.Errorf("scatter: J=%d, Q=(%d,%d), T=%g needs filter resolutions Kymatio does not build", cfg.J, cfg.Q1, cfg.Q2, cfg.T)
			}
		}
		if p2.J < cfg.J2Min {
			continue
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
	t.ffts, t.rffts, t.gffts = map[int]*fftPlan{}, map[int]*realFFT{}, map[int]*dsp.CmplxFFT{}
	for m := N; m >= 1; m /= 2 {
		t.ffts[m] = newFFTPlan(m)
		if m >= 2 {
			t.rffts[m] = newRealFFT(m)
		}
	}
	t.gffts[t.nfr] = dsp.NewCmplxFFT(t.nfr)
	for _, k := range t.jfr {
		if t.gffts[t.nfr>>k] == nil {
			t.gffts[t.nfr>>k] = dsp.NewCmplxFFT(t.nfr >> k)
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
	t.allocPlanes()
	t.s2, t.gs2 = make([]float64, t.nfr*t.frames), make([]float64, t.nfr*t.frames)
	for i, ff := range t.psiFr {
		t.bmat = append(t.bmat, freqMatrix(ff.Level(0), t.jfr[i]))
	}
	t.kern = map[int]kernel{}
	for i2, p2 := range t.bank.Psi2 {
		if t.n1max[i2] > 0 && p2.J >= cfg.J2Min {
			if _, ok := t.kern[p2.J]; !ok {
				t.kern[p2.J] = newKernel(t.bank.Phi.Level(p2.J))
			}
		}
	}
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
				s += float64(phi[k] * detmath.Cos(ph))
			}
			a[q*rIn+r] = s / float64(rIn)
		}
	}
	return a
}

// allocPlanes sizes the plane buffers for the current choice of
// frequential transform per plane.
func (t *JTFS) allocPlanes() {
	N := t.npad
	// Plane buffers: the largest plane (columns × stride), and one block
	// of frequential coefficients.
	xMax, cMax := 0, 0
	grow := func(M, n1max int) {
		pl := t.newPlane(M, n1max, 0, 0, M)
		xMax = max(xMax, M*pl.stride)
		cMax = max(cMax, min(M, planeBlock))
	}
	grow(t.nt, len(t.bank.Psi1))
	for i2, p2 := range t.bank.Psi2 {
		if t.n1max[i2] > 0 && p2.J >= t.cfg.J2Min {
			grow(N>>p2.J, t.n1max[i2])
		}
	}
	t.xb, t.gxb = make([]complex128, xMax), make([]complex128, xMax)
	t.yb, t.ub = make([]complex128, cMax*t.nfr), make([]float64, cMax*t.nfr)
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
	return collectRows(dst, x, len(t.paths), t.frames, t.Eval)
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
		periodizeProduct(y1, t.x0, p1.lv[0], 1/float64(N))
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

	// Order 1: frequential scattering of S1 (real input: lowpass and spin
	// up), needed only at the kept frames.
	n1all := len(t.bank.Psi1)
	nt := t.nt
	pl := t.newPlane(nt, n1all, -1, t.start, t.start+t.frames)
	X := t.xb[:nt*pl.stride]
	for tt := pl.t0; tt < pl.t1; tt++ {
		c := X[tt*pl.stride : (tt+1)*pl.stride]
		clear(c)
		for i := 0; i < n1all; i++ {
			c[i] = complex(t.s1[i*nt+tt], 0)
		}
	}
	total, path = t.scatterPlane(&pl, false, total, path, f, back)
	if back {
		gX := t.gxb
		for tt := pl.t0; tt < pl.t1; tt++ {
			for i := 0; i < n1all; i++ {
				t.gs1[i*nt+tt] += real(gX[tt*pl.stride+i])
			}
		}
	}

	// Order 2, one second-order filter at a time.
	for i2, p2 := range t.bank.Psi2 {
		m1 := t.n1max[i2]
		if m1 == 0 || p2.J < t.cfg.J2Min {
			continue
		}
		M := N >> p2.J
		pl := t.newPlane(M, m1, p2.J, 0, M)
		X := t.xb[:M*pl.stride]
		clear(X)
		for i1 := 0; i1 < m1; i1++ {
			k1 := t.k1[i1]
			y := t.tbuf[:M]
			periodizeProduct(y, t.u1hat[i1], p2.lv[k1], 1/float64(N>>k1))
			t.ffts[M].transform(y, true)
			for tt, v := range y {
				X[tt*pl.stride+i1] = v
			}
		}
		total, path = t.scatterPlane(&pl, true, total, path, f, back)
		if back {
			// Back to the rows of Y2, then to Û1 through ψ2.
			gX := t.gxb
			for i1 := 0; i1 < m1; i1++ {
				k1 := t.k1[i1]
				g := t.tbuf[:M]
				for tt := range g {
					g[tt] = gX[tt*pl.stride+i1]
				}
				t.ffts[M].transform(g, false)
				tileProduct(t.gu1hat[i1], g, p2.lv[k1], 1/float64(N>>k1))
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
			tileProduct(t.gx0, y, p1.lv[0], 1/float64(N))
		}
		t.rffts[N].inverseReal(t.gpad, t.gx0)
		reflectPadAdjoint(grad, t.gpad, t.padL)
	}
	return total
}

// timeAvg writes the φ_T average of the signal with spectrum uhat
// (resolution N/2^lev) at resolution N/2^log2T into dst (all nt frames).
func (t *JTFS) timeAvg(dst []float64, uhat []complex128, phi Filter, lev int) {
	periodizeProduct(t.sc, uhat, phi.lv[lev], 1/float64(len(uhat)))
	t.rffts[t.nt].inverseReal(dst, t.sc)
}

// timeAvgAdjoint adds the adjoint of timeAvg applied to gs (nt frames)
// to the spectrum gradient g.
func (t *JTFS) timeAvgAdjoint(g []complex128, gs []float64, phi Filter, lev int) {
	t.rffts[t.nt].forward(t.sc, gs)
	tileProduct(g, t.sc, phi.lv[lev], 1/float64(len(g)))
}

// plane is a time-frequency plane scattered along frequency: columns
// t0 ≤ t < t1 of M time samples, t-major in xb with the given stride, of
// which rows below n1max are nonzero. lev is the time resolution of
// second-order planes (time averaging by φ_T follows), −1 for the first
// order. With matrix set the frequential wavelets are dense (R × n1max)
// products on the rows themselves (stride n1max); otherwise the columns
// are zero-padded to nfr and transformed by FFT (stride nfr).
type plane struct {
	M, n1max, lev int
	t0, t1        int
	matrix        bool
	stride        int
}

func (t *JTFS) newPlane(M, n1max, lev, t0, t1 int) plane {
	p := plane{M: M, n1max: n1max, lev: lev, t0: t0, t1: t1, matrix: t.useMatrix(n1max), stride: t.nfr}
	if p.matrix {
		p.stride = n1max
	}
	return p
}

// useMatrix says whether the frequential wavelet transform of n1max
// nonzero rows is cheaper as a dense (R × n1max) product than as a
// padded FFT followed by one inverse FFT per filter.
func (t *JTFS) useMatrix(n1max int) bool {
	switch t.freqMode {
	case 1:
		return true
	case 2:
		return false
	}
	return n1max <= 16
}

// planeBlock is the number of plane columns whose frequential wavelet
// coefficients are held at once: large planes (Kymatio's configuration)
// are processed in blocks, recomputing each block's coefficients in the
// backward pass, so memory stays bounded.
var planeBlock = 8192 // a variable so that tests can exercise several blocks

// scatterPlane applies every frequential filter (all of them when
// spinned, else the lowpass and spin up) to the plane in t.xb, hands the
// rows to f and, when back, leaves in t.gxb (same layout, rows below
// n1max) the gradient of the summed contributions with respect to the
// plane.
func (t *JTFS) scatterPlane(pl *plane, spinned bool, total float64, path int, f Reducer, back bool) (float64, int) {
	X := t.xb
	st := pl.stride
	if !pl.matrix {
		for tt := pl.t0; tt < pl.t1; tt++ {
			c := X[tt*st : (tt+1)*st]
			t.gffts[t.nfr].Coefficients(c, c)
		}
	}
	if back {
		clear(t.gxb[pl.t0*st : pl.t1*st])
	}
	for i, ff := range t.psiFr {
		if !spinned && ff.Xi < 0 {
			continue
		}
		var v float64
		v, path = t.freqPath(pl, i, path, f, back)
		total += v
	}
	if back && !pl.matrix {
		// gX = F^H gX̂ per column.
		for tt := pl.t0; tt < pl.t1; tt++ {
			c := t.gxb[tt*st : (tt+1)*st]
			t.gffts[t.nfr].Sequence(t.col, c)
			copy(c, t.col)
		}
	}
	return total, path
}

// freqCoefs writes the frequential wavelet coefficients of filter i for
// columns [b0, b1) into Y (block-local, Rn per column) and their moduli
// into U.
func (t *JTFS) freqCoefs(pl *plane, i, Rn, b0, b1 int, Y []complex128, U []float64) {
	ff := t.psiFr[i]
	R := t.nfr >> t.jfr[i]
	st := pl.stride
	X := t.xb
	B := t.bmat[i]
	for tt := b0; tt < b1; tt++ {
		y := Y[(tt-b0)*Rn : (tt-b0+1)*Rn]
		if pl.matrix {
			x := X[tt*st : tt*st+pl.n1max]
			for r := range y {
				b := B[r*t.nfr : r*t.nfr+len(x)]
				var s complex128
				for ii, v := range x {
					s += cmul(b[ii], v)
				}
				y[r] = s
			}
		} else {
			c := t.col[:R]
			periodizeProduct(c, X[tt*st:(tt+1)*st], ff.lv[0], 1/float64(t.nfr))
			t.gffts[R].Sequence(t.col2[:R], c)
			copy(y, t.col2[:Rn])
		}
		u := U[(tt-b0)*Rn : (tt-b0+1)*Rn]
		for r, v := range y {
			u[r] = math.Sqrt(float64(real(v)*real(v)) + float64(imag(v)*imag(v)))
		}
	}
}

// tapRuns finds the taps di of a kernel (d = dlo+di) for which the
// column (c − d) mod M lies in [b0, b1), as at most three runs
// [lo, hi) with the column of tap lo, and returns how many it wrote.
func tapRuns(c, dlo, ntaps, M, b0, b1 int, runs *[3][3]int) int {
	n := 0
	for _, sh := range [3]int{-M, 0, M} {
		// column = c + sh − d ∈ [b0, b1)  ⇔  d ∈ (c+sh−b1, c+sh−b0]
		lo := max(c+sh-b1+1-dlo, 0)
		hi := min(c+sh-b0+1-dlo, ntaps)
		if lo < hi {
			runs[n] = [3]int{lo, hi, c + sh - (dlo + lo)}
			n++
		}
	}
	return n
}

// freqPath computes the rows of frequential filter i on the plane:
// frequential wavelet (subsampled by 2^k), modulus, time averaging at the
// kept frames (second order), frequential averaging (spin ≠ 0); hands
// each row to f and, when back, accumulates the plane gradient in t.gxb
// (Fourier side when the plane is transformed by FFT).
func (t *JTFS) freqPath(pl *plane, i int, path int, f Reducer, back bool) (float64, int) {
	ff := t.psiFr[i]
	k := t.jfr[i]
	R := t.nfr >> k
	rowsOut := (pl.n1max + t.cfg.F - 1) / t.cfg.F
	Rn := R
	var A []float64
	if ff.Xi == 0 {
		Rn = rowsOut
	} else {
		A = t.favg[k]
	}
	frames := t.frames
	S2 := t.s2[:frames*Rn]
	var ker []float64
	var dlo, m int
	if pl.lev >= 0 {
		kk := t.kern[pl.lev]
		ker, dlo = kk.taps, kk.dlo
		m = 1 << (t.log2T - pl.lev)
	}
	clear(S2)
	var runs [3][3]int
	oneBlock := pl.t1-pl.t0 <= planeBlock
	for b0 := pl.t0; b0 < pl.t1; b0 += planeBlock {
		b1 := min(b0+planeBlock, pl.t1)
		Y := t.yb[:(b1-b0)*Rn]
		U := t.ub[:(b1-b0)*Rn]
		t.freqCoefs(pl, i, Rn, b0, b1, Y, U)
		if pl.lev < 0 {
			// First order: the block holds kept frames t0+j.
			for tt := b0; tt < b1; tt++ {
				j := tt - t.start
				copy(S2[j*Rn:(j+1)*Rn], U[(tt-b0)*Rn:(tt-b0+1)*Rn])
			}
			continue
		}
		for j := 0; j < frames; j++ {
			c := (t.start + j) * m
			srow := S2[j*Rn : (j+1)*Rn]
			nr := tapRuns(c, dlo, len(ker), pl.M, b0, b1, &runs)
			for _, run := range runs[:nr] {
				col := run[2] - b0
				for _, w := range ker[run[0]:run[1]] {
					urow := U[col*Rn : (col+1)*Rn]
					for r, v := range urow {
						srow[r] += float64(w * v)
					}
					col--
				}
			}
		}
	}
	var gS2 []float64
	if back {
		gS2 = t.gs2[:frames*Rn]
		clear(gS2)
	}
	total := 0.0
	for q := 0; q < rowsOut; q++ {
		out := t.out
		for j := range out {
			srow := S2[j*Rn : (j+1)*Rn]
			if A == nil {
				out[j] = srow[q]
				continue
			}
			a := A[q*R : (q+1)*R]
			s := 0.0
			for r, v := range srow {
				s += float64(a[r] * v)
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
				grow := gS2[j*Rn : (j+1)*Rn]
				if A == nil {
					grow[q] += gj
					continue
				}
				a := A[q*R : (q+1)*R]
				for r := range grow {
					grow[r] += float64(a[r] * gj)
				}
			}
		}
	}
	if !back {
		return total, path
	}
	// Backward, block by block: through time averaging (gU in U) and the
	// modulus (gY in Y), then the frequential wavelet.
	gX := t.gxb
	st := pl.stride
	B := t.bmat[i]
	for b0 := pl.t0; b0 < pl.t1; b0 += planeBlock {
		b1 := min(b0+planeBlock, pl.t1)
		Y := t.yb[:(b1-b0)*Rn]
		gU := t.ub[:(b1-b0)*Rn]
		if !oneBlock {
			t.freqCoefs(pl, i, Rn, b0, b1, Y, gU)
		}
		clear(gU)
		if pl.lev >= 0 {
			for j := 0; j < frames; j++ {
				c := (t.start + j) * m
				grow := gS2[j*Rn : (j+1)*Rn]
				nr := tapRuns(c, dlo, len(ker), pl.M, b0, b1, &runs)
				for _, run := range runs[:nr] {
					col := run[2] - b0
					for _, w := range ker[run[0]:run[1]] {
						urow := gU[col*Rn : (col+1)*Rn]
						for r, v := range grow {
							urow[r] += float64(w * v)
						}
						col--
					}
				}
			}
		} else {
			for tt := b0; tt < b1; tt++ {
				j := tt - t.start
				copy(gU[(tt-b0)*Rn:(tt-b0+1)*Rn], gS2[j*Rn:(j+1)*Rn])
			}
		}
		for tt := b0; tt < b1; tt++ {
			y := Y[(tt-b0)*Rn : (tt-b0+1)*Rn]
			gu := gU[(tt-b0)*Rn : (tt-b0+1)*Rn]
			for r := range y {
				y[r] = modGrad(y[r], gu[r])
			}
			if pl.matrix {
				gx := gX[tt*st : tt*st+pl.n1max]
				for r, gy := range y {
					if gy == 0 {
						continue
					}
					b := B[r*t.nfr : r*t.nfr+len(gx)]
					for ii := range gx {
						bb := b[ii]
						gx[ii] += cmul(complex(real(bb), -imag(bb)), gy)
					}
				}
			} else {
				c := t.col[:R]
				clear(c)
				copy(c, y)
				t.gffts[R].Coefficients(t.col2[:R], c)
				tileProduct(gX[tt*st:(tt+1)*st], t.col2[:R], ff.lv[0], 1/float64(t.nfr))
			}
		}
	}
	return total, path
}

func modGrad(y complex128, g float64) complex128 {
	a := math.Sqrt(float64(real(y)*real(y)) + float64(imag(y)*imag(y)))
	if a == 0 {
		return 0
	}
	return cmul(y, complex(g/a, 0))
}

const kernelFloor = 1e-13

// kernel is a time-domain lowpass φ_T at one resolution, restricted to
// the taps d ∈ [dlo, dlo+len(taps)) where it is not negligible.
type kernel struct {
	dlo  int
	taps []float64
}

// newKernel returns Re IFFT_M(φ̂) — the exact circular kernel of the
// Fourier-domain lowpass, since the averaged signal is real — without
// the taps below kernelFloor·max. The floor sits above the rounding noise
// of the inverse FFT (~1e−16·max), which would otherwise keep every tap;
// the dropped taps change outputs by less than 1e−10 relative.
func newKernel(phi []float64) kernel {
	M := len(phi)
	z := ifftReal(phi)
	mx := 0.0
	for _, v := range z {
		mx = math.Max(mx, math.Abs(real(v)))
	}
	thr := kernelFloor * mx
	h := M / 2
	for h > 0 && math.Abs(real(z[h%M])) <= thr && math.Abs(real(z[(M-h)%M])) <= thr {
		h--
	}
	dlo, dhi := -h, h
	if dhi-dlo+1 > M {
		dhi = dlo + M - 1
	}
	k := kernel{dlo: dlo, taps: make([]float64, dhi-dlo+1)}
	for d := dlo; d <= dhi; d++ {
		k.taps[d-dlo] = real(z[(d%M+M)%M])
	}
	return k
}

// freqMatrix returns the dense (R × nfr) complex map of a frequential
// wavelet on zero-padded columns: B[r][i] = (1/nfr) Σ_K ψ̂[K] e^{2πiK(r·2^k − i)/nfr}.
func freqMatrix(psi []float64, k int) []complex128 {
	nfr := len(psi)
	R := nfr >> k
	cs := make([]complex128, nfr)
	for j := range cs {
		sn, c := detmath.Sincos(2 * math.Pi * float64(j) / float64(nfr))
		cs[j] = complex(c, sn)
	}
	B := make([]complex128, R*nfr)
	for r := 0; r < R; r++ {
		for i := 0; i < nfr; i++ {
			d := ((r<<k-i)%nfr + nfr) % nfr
			var s complex128
			for K, v := range psi {
				s += cmul(complex(v, 0), cs[(K*d)%nfr])
			}
			B[r*nfr+i] = s / complex(float64(nfr), 0)
		}
	}
	return B
}
