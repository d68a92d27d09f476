package scatter

import (
	"errors"
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// Config describes a scattering transform in Kymatio's terms.
type Config struct {
	J      int     // maximum log2 scale of the wavelets
	Q1, Q2 int     // wavelets per octave at first and second order
	T      float64 // lowpass support in samples (0 means 2^J)
	// MaxOrder is 1 or 2 (time scattering only; JTFS is always order 2).
	MaxOrder int
	// Norm is the periodisation of lower-resolution filters.
	Norm Normalization
}

// Path identifies one output row: its order and filter indices (−1 where
// absent) and their dyadic scales.
type Path struct {
	Order  int
	N1, N2 int
	J1, J2 int
}

// Reducer turns the coefficients s of one path into a scalar contribution
// to a loss and, when gs is non-nil, writes d(contribution)/ds into gs.
// It is called once per path, in output order, with slices owned by the
// transform that are valid only during the call.
type Reducer func(path int, s, gs []float64) float64

// Time is a plan for Kymatio's Scattering1D (time scattering of order 1
// or 2, local averaging by φ_T, stride T) on signals of one length.
// It is not safe for concurrent use.
type Time struct {
	cfg        Config
	n          int // input length
	npad       int
	padL       int
	log2T      int
	frames     int // output frames per path
	start      int // first kept frame at resolution 2^log2T
	bank       *Bank
	paths      []Path
	k1         []int // subsampling after each ψ1
	children   [][]int
	ffts       map[int]*fftPlan
	rffts      map[int]*realFFT
	xpad, gpad []float64
	x0, gx0    []complex128
	y1, g1     []complex128 // Y1 (resolution n1), accumulated gradient of Û1
	u1hat      []complex128
	u1, gu1    []float64
	y2, tmp    []complex128
	u2         []float64
	sc         []complex128
	s, gs      []float64
	sfull      []float64
}

// NewTime builds the time-scattering plan for signals of length n.
func NewTime(n int, cfg Config) (*Time, error) {
	if cfg.T == 0 {
		cfg.T = math.Ldexp(1, cfg.J)
	}
	if cfg.MaxOrder == 0 {
		cfg.MaxOrder = 2
	}
	if err := checkConfig(n, cfg); err != nil {
		return nil, err
	}
	t := &Time{cfg: cfg, n: n}
	var err error
	t.npad, t.padL, err = padding(n, cfg.T)
	if err != nil {
		return nil, err
	}
	t.log2T = int(math.Floor(detmath.Log2(cfg.T)))
	if t.npad>>t.log2T < 1 {
		return nil, fmt.Errorf("scatter: T=%g exceeds the padded length %d", cfg.T, t.npad)
	}
	q2 := cfg.Q2
	if cfg.MaxOrder < 2 {
		q2 = 0
	}
	t.bank = NewBank(t.npad, cfg.J, cfg.Q1, q2, cfg.T, cfg.Norm)
	t.start, t.frames = borders(t.padL, n, t.log2T)

	t.paths = append(t.paths, Path{Order: 0, N1: -1, N2: -1, J1: -1, J2: -1})
	for i, p := range t.bank.Psi1 {
		t.paths = append(t.paths, Path{Order: 1, N1: i, N2: -1, J1: p.J, J2: -1})
		t.k1 = append(t.k1, min(p.J, t.log2T))
	}
	t.children = make([][]int, len(t.bank.Psi1))
	for i, p := range t.bank.Psi1 {
		for j, q := range t.bank.Psi2 {
			if q.J > p.J {
				k1 := t.k1[i]
				if k1 >= q.NumLevels() || max(min(q.J, t.log2T), k1) >= t.bank.Phi.NumLevels() {
					return nil, fmt.Errorf("scatter: J=%d, Q=(%d,%d), T=%g needs filter resolutions Kymatio does not build", cfg.J, cfg.Q1, cfg.Q2, cfg.T)
				}
				t.paths = append(t.paths, Path{Order: 2, N1: i, N2: j, J1: p.J, J2: q.J})
				t.children[i] = append(t.children[i], j)
			}
		}
	}
	t.ffts = map[int]*fftPlan{}
	t.rffts = map[int]*realFFT{}
	for m := t.npad; m >= 1; m /= 2 {
		t.ffts[m] = newFFTPlan(m)
		if m >= 2 {
			t.rffts[m] = newRealFFT(m)
		}
	}
	N := t.npad
	t.xpad, t.gpad = make([]float64, N), make([]float64, N)
	t.x0, t.gx0 = make([]complex128, N), make([]complex128, N)
	t.y1, t.g1, t.u1hat = make([]complex128, N), make([]complex128, N), make([]complex128, N)
	t.u1, t.gu1 = make([]float64, N), make([]float64, N)
	t.y2, t.tmp = make([]complex128, N), make([]complex128, N)
	t.u2 = make([]float64, N)
	ns := N >> t.log2T
	t.sc = make([]complex128, ns)
	t.sfull = make([]float64, ns)
	t.s, t.gs = make([]float64, t.frames), make([]float64, t.frames)
	return t, nil
}

func checkConfig(n int, cfg Config) error {
	switch {
	case n < 2:
		return fmt.Errorf("scatter: signal length %d: want at least 2 samples", n)
	case cfg.J < 1 || cfg.J > 20:
		return fmt.Errorf("scatter: J=%d: want 1 ≤ J ≤ 20", cfg.J)
	case cfg.Q1 < 1 || cfg.Q1 > 32:
		return fmt.Errorf("scatter: Q1=%d: want 1 ≤ Q1 ≤ 32", cfg.Q1)
	case cfg.Q2 < 1 || cfg.Q2 > 32:
		return fmt.Errorf("scatter: Q2=%d: want 1 ≤ Q2 ≤ 32", cfg.Q2)
	case cfg.T < 1 || cfg.T > float64(n):
		return fmt.Errorf("scatter: T=%g: want 1 ≤ T ≤ signal length %d", cfg.T, n)
	case cfg.MaxOrder != 1 && cfg.MaxOrder != 2:
		return fmt.Errorf("scatter: max order %d: want 1 or 2", cfg.MaxOrder)
	}
	return nil
}

// padding follows Kymatio: pad to a power of two covering the signal plus
// three times the temporal support of φ_T on each side, at most 3n−2.
func padding(n int, T float64) (npad, padL int, err error) {
	sup := temporalSupport(Morlet(n, 0, sigma0/T))
	minToPad := 3 * sup
	jMax := int(math.Floor(detmath.Log2(float64(3*n - 2))))
	jPad := min(int(math.Ceil(detmath.Log2(float64(n+2*minToPad)))), jMax)
	npad = 1 << jPad
	if npad < n {
		return 0, 0, fmt.Errorf("scatter: padded length %d shorter than signal %d", npad, n)
	}
	padL = (npad - n) / 2
	padR := npad - n - padL
	if max(padL, padR) >= n {
		return 0, 0, errors.New("scatter: signal too short for its reflect padding (choose a smaller T)")
	}
	return npad, padL, nil
}

// borders gives the first kept frame and the frame count at resolution
// 2^res, as Kymatio's compute_border_indices (ceil halving).
func borders(padL, n, res int) (start, count int) {
	i0, i1 := padL, padL+n
	for j := 0; j < res; j++ {
		i0 = i0/2 + i0%2
		i1 = i1/2 + i1%2
	}
	return i0, i1 - i0
}

// Paths returns the output rows in Kymatio's order (order, then n1, n2).
func (t *Time) Paths() []Path { return t.paths }

// Frames is the number of time frames of every path.
func (t *Time) Frames() int { return t.frames }

// Bank returns the filters (read-only).
func (t *Time) Bank() *Bank { return t.bank }

// PaddedLen is the padded length of the signal.
func (t *Time) PaddedLen() int { return t.npad }

// Forward writes the coefficients of x into dst, path-major (len(Paths())
// rows of Frames() values), and returns dst; a nil dst is allocated.
// It panics if len(x) is not the plan's length or dst has a wrong length.
func (t *Time) Forward(dst, x []float64) []float64 {
	return collectRows(dst, x, len(t.paths), t.frames, t.Eval)
}

// Eval runs the transform on x, hands each path to f, and returns the sum
// of f's results. When grad is non-nil it receives the gradient of that
// sum with respect to x (the vector-Jacobian product of the transform with
// the per-path gradients f wrote), computed path by path so that memory
// stays a few signal lengths. It panics on length mismatches.
func (t *Time) Eval(x, grad []float64, f Reducer) float64 {
	if len(x) != t.n || (grad != nil && len(grad) != t.n) {
		panic("scatter: signal length mismatch")
	}
	back := grad != nil
	var gs []float64
	if back {
		gs = t.gs
	}
	N := t.npad
	reflectPad(t.xpad, x, t.padL)
	t.rffts[N].forward(t.x0, t.xpad)
	if back {
		clear(t.gx0)
	}
	phi := t.bank.Phi
	total := 0.0
	path := 0

	// Order 0: lowpass of the signal itself.
	total += t.lowpass(t.x0[:N], phi, 0, path, f, gs)
	if back {
		t.lowpassAdjoint(t.gx0[:N], phi, 0, gs)
	}
	path++
	order2 := path + len(t.bank.Psi1)

	for i1, p1 := range t.bank.Psi1 {
		k1 := t.k1[i1]
		n1 := N >> k1
		y1 := t.y1[:n1]
		periodizeProduct(y1, t.x0, p1.lv[0], 1/float64(N))
		t.ffts[n1].transform(y1, true)
		u1 := t.u1[:n1]
		modulus(u1, y1)
		u1hat := t.u1hat[:n1]
		t.rffts[n1].forward(u1hat, u1)
		total += t.lowpass(u1hat, phi, k1, path, f, gs)
		var g1 []complex128
		if back {
			g1 = t.g1[:n1]
			clear(g1)
			t.lowpassAdjoint(g1, phi, k1, gs)
		}
		path++
		for _, i2 := range t.children[i1] {
			p2 := t.bank.Psi2[i2]
			lev := max(min(p2.J, t.log2T), k1) // k1 + k2
			n2 := N >> lev
			y2 := t.y2[:n2]
			periodizeProduct(y2, u1hat, p2.lv[k1], 1/float64(n1))
			t.ffts[n2].transform(y2, true)
			u2 := t.u2[:n2]
			modulus(u2, y2)
			u2hat := t.tmp[:n2]
			t.rffts[n2].forward(u2hat, u2)
			total += t.lowpass(u2hat, phi, lev, order2, f, gs)
			if back {
				clear(u2hat)
				t.lowpassAdjoint(u2hat, phi, lev, gs)
				// gU2 = Re F^H gÛ2, then through the modulus.
				gu2 := t.gu1[:n2] // free until the parent's own backward step
				t.rffts[n2].inverseReal(gu2, u2hat)
				modulusAdjointAbs(y2, gu2, u2)
				t.ffts[n2].transform(y2, false)
				tileProduct(g1, y2, p2.lv[k1], 1/float64(n1))
			}
			order2++
		}
		if back {
			gu1 := t.gu1[:n1]
			t.rffts[n1].inverseReal(gu1, g1)
			modulusAdjointAbs(y1, gu1, u1)
			t.ffts[n1].transform(y1, false)
			tileProduct(t.gx0, y1, p1.lv[0], 1/float64(N))
		}
	}
	if back {
		t.rffts[N].inverseReal(t.gpad, t.gx0)
		reflectPadAdjoint(grad, t.gpad, t.padL)
	}
	return total
}

// lowpass computes the φ_T average of a signal given by its spectrum uhat
// (length n), subsampled to resolution N/2^log2T, crops the kept frames,
// and hands them to f.
func (t *Time) lowpass(uhat []complex128, phi Filter, lev, path int, f Reducer, gs []float64) float64 {
	ns := t.npad >> t.log2T
	periodizeProduct(t.sc, uhat, phi.lv[lev], 1/float64(len(uhat)))
	t.rffts[ns].inverseReal(t.sfull, t.sc)
	copy(t.s, t.sfull[t.start:t.start+t.frames])
	return f(path, t.s, gs)
}

// lowpassAdjoint adds to g (spectrum of length n) the adjoint of lowpass
// applied to the frame gradient gs: g += φ̂ ⊙ Tile(F(gs))/n.
func (t *Time) lowpassAdjoint(g []complex128, phi Filter, lev int, gs []float64) {
	ns := t.npad >> t.log2T
	clear(t.sfull)
	copy(t.sfull[t.start:], gs)
	t.rffts[ns].forward(t.sc, t.sfull)
	tileProduct(g, t.sc, phi.lv[lev], 1/float64(len(g)))
}

// periodizeProduct sets dst[k] = c·Σ_r src[k+r·n]·h[k+r·n], n = len(dst):
// the product with a filter level h followed by periodisation to a
// coarser grid (c folds the mean's 1/m and the inverse FFT's 1/n). Only
// the filter's stored runs are visited.
func periodizeProduct(dst, src []complex128, h level, c float64) {
	n := len(dst)
	clear(dst)
	for _, rn := range h.runs {
		lo, hi := rn.lo, rn.lo+len(rn.v)
		for lo < hi {
			r := lo / n * n
			e := min(hi, r+n)
			d := dst[lo-r : e-r]
			s, hh := src[lo:e], rn.v[lo-rn.lo:e-rn.lo]
			for k := range d {
				d[k] += cmul(s[k], complex(c*hh[k], 0))
			}
			lo = e
		}
	}
}

// tileProduct adds c·h[k]·src[k mod len(src)] to g[k] over the filter's
// stored runs: the adjoint of periodizeProduct.
func tileProduct(g, src []complex128, h level, c float64) {
	n := len(src)
	for _, rn := range h.runs {
		lo, hi := rn.lo, rn.lo+len(rn.v)
		for lo < hi {
			r := lo / n * n
			e := min(hi, r+n)
			gg := g[lo:e]
			s, hh := src[lo-r:e-r], rn.v[lo-rn.lo:e-rn.lo]
			for k := range gg {
				gg[k] += cmul(s[k], complex(c*hh[k], 0))
			}
			lo = e
		}
	}
}

func modulus(dst []float64, y []complex128) {
	for i, v := range y {
		re, im := real(v), imag(v)
		dst[i] = math.Sqrt(float64(re*re) + float64(im*im))
	}
}

// modulusAdjointAbs is modulusAdjoint given a = |y| from the forward pass.
func modulusAdjointAbs(y []complex128, g, a []float64) {
	a = a[:len(y)]
	g = g[:len(y)]
	for i, v := range y {
		if a[i] == 0 {
			y[i] = 0
			continue
		}
		y[i] = cmul(v, complex(g[i]/a[i], 0))
	}
}

// modulusAdjoint overwrites y with g·y/|y| (0 where y = 0).
func modulusAdjoint(y []complex128, g []float64) {
	for i, v := range y {
		re, im := real(v), imag(v)
		a := math.Sqrt(float64(re*re) + float64(im*im))
		if a == 0 {
			y[i] = 0
			continue
		}
		y[i] = cmul(v, complex(g[i]/a, 0))
	}
}

// reflectPad writes x into dst[padL:] with numpy 'reflect' padding.
func reflectPad(dst, x []float64, padL int) {
	n := len(x)
	copy(dst[padL:], x)
	for d := 1; d <= padL; d++ {
		dst[padL-d] = x[d]
	}
	for d := 1; padL+n-1+d < len(dst); d++ {
		dst[padL+n-1+d] = x[n-1-d]
	}
}

func reflectPadAdjoint(g, gpad []float64, padL int) {
	n := len(g)
	copy(g, gpad[padL:padL+n])
	for d := 1; d <= padL; d++ {
		g[d] += gpad[padL-d]
	}
	for d := 1; padL+n-1+d < len(gpad); d++ {
		g[n-1-d] += gpad[padL+n-1+d]
	}
}

// collectRows runs eval on x without a gradient and copies its rows (each
// of frames values) into dst (allocated when nil): the Forward of both
// transforms.
func collectRows(dst, x []float64, rows, frames int, eval func(x, grad []float64, f Reducer) float64) []float64 {
	m := rows * frames
	if dst == nil {
		dst = make([]float64, m)
	}
	if len(dst) != m {
		panic("scatter: destination length mismatch")
	}
	eval(x, nil, func(p int, s, _ []float64) float64 {
		copy(dst[p*frames:], s)
		return 0
	})
	return dst
}
