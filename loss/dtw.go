package loss

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/dsp"
)

// SoftDTW is a plan for the soft dynamic-time-warping discrepancy of
// Cuturi & Blondel (2017) between sequences of at most n and m values, on
// the squared-difference cost C[i][j] = (a[i] − b[j])²:
//
//	R[0][0] = 0, R[i][0] = R[0][j] = +∞,
//	R[i][j] = C[i][j] + softmin_γ(R[i−1][j−1], R[i−1][j], R[i][j−1]),
//	softmin_γ(r) = −γ·log Σ exp(−r/γ),
//
// with value R[n][m] (no length normalization). It is written here because
// no Go library offers soft-DTW with its gradient. The soft-min is evaluated
// stably (shifted by the minimum), so large costs neither overflow nor
// lose the value to log(0).
//
// The gradient is the expected-alignment matrix E of Cuturi & Blondel's
// backward recursion, E[i][j] = Σ over successors s of E[s]·∂R[s]/∂R[i][j].
// Their recursion recomputes each ∂R[s]/∂R[i][j] as an exponential of R
// differences; here those soft-min weights are kept from the forward pass
// (three per cell), which gives the same numbers without any exponential in
// the backward pass.
type SoftDTW struct {
	gamma float64
	n, m  int // lengths of the last Value
	cn    int // capacity
	cm    int
	nan   bool      // the last Value had a NaN input
	r     []float64 // (n+1)×(m+1)
	w     []float64 // 3 soft-min weights per cell (diag, up, left), (n+1)×(m+1)×3
	e     []float64 // (n+1)×(m+1)
}

// NewSoftDTW returns a plan for sequences of up to n and m values with
// smoothing γ > 0.
func NewSoftDTW(n, m int, gamma float64) *SoftDTW {
	if !(gamma > 0) {
		panic("loss: soft-DTW needs γ > 0")
	}
	c := (n + 1) * (m + 1)
	return &SoftDTW{gamma: gamma, cn: n, cm: m, r: make([]float64, c), w: make([]float64, 3*c), e: make([]float64, c)}
}

// Value returns the soft-DTW discrepancy between a and b and keeps what
// Gradient needs.
func (d *SoftDTW) Value(a, b []float64) float64 {
	n, m := len(a), len(b)
	if n > d.cn || m > d.cm || n == 0 || m == 0 {
		panic("loss: soft-DTW sequence length out of range")
	}
	d.n, d.m = n, m
	// The recursion below neither propagates NaN reliably (comparisons
	// skip it) nor needs to: a NaN input makes the value and gradient NaN.
	d.nan = hasNaN(a) || hasNaN(b)
	if d.nan {
		return math.NaN()
	}
	cols := m + 1
	r := d.r[:(n+1)*cols]
	w := d.w[:3*(n+1)*cols]
	inf := math.Inf(1)
	r[0] = 0
	for j := 1; j <= m; j++ {
		r[j] = inf
	}
	for i := 1; i <= n; i++ {
		r[i*cols] = inf
	}
	g := d.gamma
	ig := 1 / g
	// Each cell depends on its left neighbour, so a row is one long chain
	// of dependent exponentials and logarithms. Sweeping a strip of rows
	// along anti-diagonals makes the cells of one step — (i, j), (i+1, j−1),
	// … — independent, and their exponentials and logarithms are evaluated
	// together in one loop each.
	const strip = 8
	var (
		at     [strip]int
		mn, s  [strip]float64
		lg     [strip]float64
		ex, ev [3 * strip]float64 // exponents, exponentials (diag, up, left)
	)
	for i0 := 1; i0 <= n; i0 += strip {
		rows := min(strip, n-i0+1)
		for t := 1; t <= m+rows-1; t++ {
			// Cells (i0+q, t−q) with 1 ≤ t−q ≤ m.
			q0, q1 := max(0, t-m), min(rows-1, t-1)
			cnt := q1 - q0 + 1
			for c := range cnt {
				q := q0 + c
				k := (i0+q)*cols + t - q
				diag, up, left := r[k-cols-1], r[k-cols], r[k-1]
				lo := diag
				if up < lo {
					lo = up
				}
				if left < lo {
					lo = left
				}
				at[c], mn[c] = k, lo
				// The minimum's exponential is exactly 1.
				ex[3*c], ex[3*c+1], ex[3*c+2] = (lo-diag)*ig, (lo-up)*ig, (lo-left)*ig
			}
			expNegs(ev[:3*cnt], ex[:3*cnt])
			for c := range cnt {
				s[c] = ev[3*c] + ev[3*c+1] + ev[3*c+2]
			}
			logs(lg[:cnt], s[:cnt])
			for c := range cnt {
				q := q0 + c
				i, j := i0+q, t-q
				d := a[i-1] - b[j-1]
				k := at[c]
				r[k] = float64(d*d) + mn[c] - float64(g*lg[c])
				is := 1 / s[c]
				w[3*k], w[3*k+1], w[3*k+2] = ev[3*c]*is, ev[3*c+1]*is, ev[3*c+2]*is
			}
		}
	}
	return r[n*cols+m]
}

// Gradient adds scale·∂R[n][m]/∂a into ga and scale·∂R[n][m]/∂b into gb
// (either may be nil) for the a and b of the last call to Value.
func (d *SoftDTW) Gradient(a, b, ga, gb []float64, scale float64) {
	n, m := d.n, d.m
	if len(a) != n || len(b) != m {
		panic("loss: soft-DTW gradient for other sequences than the last Value")
	}
	if d.nan {
		for i := range ga {
			ga[i] = math.NaN()
		}
		for i := range gb {
			gb[i] = math.NaN()
		}
		return
	}
	cols := m + 1
	e := d.e[:(n+1)*cols]
	w := d.w[:3*(n+1)*cols]
	// E[i][j] = E[i+1][j+1]·w_diag(i+1,j+1) + E[i+1][j]·w_up(i+1,j) + E[i][j+1]·w_left(i,j+1).
	for i := n; i >= 1; i-- {
		cur := e[i*cols : (i+1)*cols]
		wi := w[3*i*cols : 3*(i+1)*cols]
		// The terms from row i+1 are independent of each other; only the
		// left successor chains along the row, so it gets a loop of its own.
		if i < n {
			next := e[(i+1)*cols : (i+2)*cols]
			wn := w[3*(i+1)*cols : 3*(i+2)*cols]
			for j := 1; j < m; j++ {
				cur[j] = float64(next[j]*wn[3*j+1]) + float64(next[j+1]*wn[3*(j+1)])
			}
			cur[m] = next[m] * wn[3*m+1]
		} else {
			clear(cur)
			cur[m] = 1
		}
		carry := cur[m]
		for j := m - 1; j >= 1; j-- {
			carry = cur[j] + float64(carry*wi[3*(j+1)+2])
			cur[j] = carry
		}
		// ∂C[i][j]/∂a_i = 2(a_i − b_j) = −∂C/∂b_j.
		ai, gai := a[i-1], 0.0
		if gb != nil {
			for j := 1; j <= m; j++ {
				t := float64(2 * cur[j] * (ai - b[j-1]) * scale)
				gai += t
				gb[j-1] -= t
			}
		} else {
			for j := 1; j <= m; j++ {
				gai += float64(2 * cur[j] * (ai - b[j-1]) * scale)
			}
		}
		if ga != nil {
			ga[i-1] += gai
		}
	}
}

func hasNaN(x []float64) bool {
	for _, v := range x {
		if v != v {
			return true
		}
	}
	return false
}

// DTWEnvelope is the dtw-envelope loss (METHOD §5): the spectral envelope
// e[k] = Σ_bin S[k][bin] of the METHOD §4 spectrogram, smoothed by a
// normalized Gaussian ('same' size, zero padded), compared by soft-DTW
// with the target's envelope. With divergence set, the loss is the soft-DTW
// divergence D(x,t) − (D(x,x) + D(t,t))/2, which is ≥ 0 and 0 at x = t.
type DTWEnvelope struct {
	st         *dsp.STFT
	sm         *dsp.Smoother // nil: no smoothing
	dtw        *SoftDTW
	divergence bool
	dtt        float64   // D(t,t)
	et         []float64 // smoothed target envelope
	s          []float64 // S(x), then ∂L/∂S
	raw, env   []float64 // envelope of x before and after smoothing
	genv, graw []float64
}

// NewDTWEnvelope builds dtw-envelope for target with resolved settings.
func NewDTWEnvelope(target []float64, s Settings) (*DTWEnvelope, error) {
	var e settingErr
	gamma := e.float(s, "gamma")
	e.positive("gamma", gamma)
	taps := e.int(s, "smooth_taps")
	sigma := e.float(s, "smooth_sigma")
	div := e.bool(s, "divergence")
	if e.err == nil && taps < 0 {
		e.err = fmt.Errorf("setting smooth_taps=%d: want ≥ 0 (0 = no smoothing)", taps)
	}
	if e.err != nil {
		return nil, e.err
	}
	st, err := newSpecSTFT(s, len(target))
	if err != nil {
		return nil, err
	}
	l := &DTWEnvelope{st: st, divergence: div}
	if taps > 0 {
		h, err := dsp.GaussianKernel(taps, sigma)
		if err != nil {
			return nil, fmt.Errorf("settings smooth_taps/smooth_sigma: %v", err)
		}
		l.sm = dsp.NewSmoother(h)
	}
	k := st.Frames()
	l.s = make([]float64, k*st.Bins())
	l.raw, l.env = make([]float64, k), make([]float64, k)
	l.genv, l.graw = make([]float64, k), make([]float64, k)
	l.et = make([]float64, k)
	l.dtw = NewSoftDTW(k, k, gamma)
	l.envelope(l.et, target, nil)
	if div {
		l.dtt = l.dtw.Value(l.et, l.et)
	}
	return l, nil
}

// envelope writes the smoothed envelope of x into dst (keeping what the
// gradient needs when grad is non-nil).
func (l *DTWEnvelope) envelope(dst, x, grad []float64) {
	forward(l.st, l.s, x, grad)
	b := l.st.Bins()
	for k := range l.raw {
		sum := 0.0
		for _, v := range l.s[k*b : (k+1)*b] {
			sum += v
		}
		l.raw[k] = sum
	}
	if l.sm != nil {
		l.sm.Forward(dst, l.raw)
	} else {
		copy(dst, l.raw)
	}
}

// Eval implements Loss.
func (l *DTWEnvelope) Eval(x, grad []float64) float64 {
	checkLen(x, grad, l.st.Len())
	l.envelope(l.env, x, grad)
	v := l.dtw.Value(l.env, l.et)
	if grad != nil {
		clear(l.genv)
		l.dtw.Gradient(l.env, l.et, l.genv, nil, 1)
	}
	if l.divergence {
		dxx := l.dtw.Value(l.env, l.env)
		if grad != nil {
			l.dtw.Gradient(l.env, l.env, l.genv, l.genv, -0.5)
		}
		v -= float64(0.5 * (dxx + l.dtt))
	}
	if grad != nil {
		if l.sm != nil {
			l.sm.Adjoint(l.graw, l.genv)
		} else {
			copy(l.graw, l.genv)
		}
		b := l.st.Bins()
		for k, g := range l.graw {
			row := l.s[k*b : (k+1)*b]
			for i := range row {
				row[i] = g
			}
		}
		l.st.Adjoint(grad, l.s)
	}
	return v
}

func init() {
	Register(Spec{
		Name: "dtw-envelope",
		Doc: "soft-DTW (Cuturi & Blondel 2017) between Gaussian-smoothed spectral envelopes " +
			"(per-frame sums of the l1-spec spectrogram), cost (e_x[i] − e_t[j])², value R[n][m]",
		Settings: append(specSettings(),
			Setting{Name: "gamma", Default: "1", Doc: "soft-min smoothing γ > 0"},
			Setting{Name: "smooth_taps", Default: "21", Doc: "taps of the Gaussian smoothing kernel (0 = no smoothing)"},
			Setting{Name: "smooth_sigma", Default: "3", Doc: "standard deviation of the Gaussian kernel, in frames"},
			Setting{Name: "divergence", Default: "false", Doc: "use the soft-DTW divergence D(x,t) − (D(x,x)+D(t,t))/2 (≥ 0, 0 at x = t)"},
		),
		New: func(t []float64, s Settings) (Loss, error) {
			l, err := NewDTWEnvelope(t, s)
			if err != nil {
				return nil, fmt.Errorf("loss dtw-envelope: %v", err)
			}
			return l, nil
		},
	})
}
