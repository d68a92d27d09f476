package loss

import (
	"fmt"
	"math"
	"strconv"

	"github.com/soundmatch/soundmatch/detmath"
	"github.com/soundmatch/soundmatch/scatter"
)

// Scattering losses (METHOD §5): mean |S(x) − S(t)| between wavelet
// scattering representations computed by package scatter.
//
// Cost of value + gradient for a 1-s 44.1 kHz signal on one core (CPU
// time, 2 cores shared with other jobs; peak memory of the process):
// scattering ≈ 17 ms, 35 MB (preset=kymatio ≈ 0.25 s, 70 MB); jtfs
// default ≈ 160 ms (value alone ≈ 80 ms; building the loss ≈ 0.9 s),
// 120 MB; jtfs preset=kymatio ≈ 55 s (value alone 21 s), 390 MB.
//
// The jtfs default (J=12, Q1=4, Q2=1, J_fr=2, Q_fr=1, F=4, T=4096,
// j2min=7) was chosen for speed: Q1=4 and J_fr=2 keep the frequential
// planes small, T=4096 leaves 11 output frames, and j2min=7 keeps the
// second-order time filters centred at 30 Hz and below (at 44.1 kHz:
// ξ2 = 0.35·2^−(j2+2) cycles/sample), the range of synthesizer envelopes
// and tremolo/vibrato rates; each smaller j2 would double the cost.

func init() {
	Register(Spec{
		Name: "scattering",
		Doc: "mean |S(x)−S(t)| over all coefficients (orders 0, 1, 2) of time scattering " +
			"(Kymatio Scattering1D; default J=6, Q=1, T=2^J, normalization of Kymatio 0.3.0)",
		Settings: []Setting{
			{Name: "preset", Default: "", Doc: "base configuration: empty (J=6, Q1=1, Q2=1) or kymatio (J=12, Q1=8, Q2=2); settings given explicitly override it"},
			{Name: "J", Default: "", Doc: "maximum log2 scale of the wavelets (default 6; kymatio preset 12)"},
			{Name: "Q1", Default: "", Doc: "first-order wavelets per octave (default 1; kymatio preset 8)"},
			{Name: "Q2", Default: "", Doc: "second-order wavelets per octave (default 1; kymatio preset 2)"},
			{Name: "T", Default: "", Doc: "lowpass support and stride in samples (default 2^J)"},
			{Name: "normalization", Default: "mean", Doc: "lower-resolution filters: mean (Kymatio 0.3.0) or sum (Kymatio main: order-1 rows ×2^j1, order-2 rows ×2^(j1+j2))"},
			{Name: "log1p", Default: "0", Doc: "ε > 0 compares sign(S)·log1p(|S|/ε) instead of S; 0 compares S itself"},
		},
		New: newScatteringLoss,
	})
	Register(Spec{
		Name: "jtfs",
		Doc: "mean |S(x)−S(t)| over the order-1 and order-2 coefficients of joint time-frequency " +
			"scattering (Kymatio main TimeFrequencyScattering, format 'time'); the default " +
			"(J=12, Q1=4, Q2=1, J_fr=2, Q_fr=1, F=4, T=4096, j2min=7) is chosen for speed",
		Settings: []Setting{
			{Name: "preset", Default: "", Doc: "base configuration: empty (the fast default) or kymatio (J=12, Q1=8, Q2=2, J_fr=3, Q_fr=2, F=8, T=4096, j2min=0); settings given explicitly override it"},
			{Name: "J", Default: "", Doc: "maximum log2 scale of the time wavelets (default 12)"},
			{Name: "Q1", Default: "", Doc: "first-order wavelets per octave (default 4; kymatio preset 8)"},
			{Name: "Q2", Default: "", Doc: "second-order wavelets per octave (default 1; kymatio preset 2)"},
			{Name: "J_fr", Default: "", Doc: "maximum log2 scale of the frequential wavelets (default 2; kymatio preset 3)"},
			{Name: "Q_fr", Default: "", Doc: "frequential wavelets per octave (default 1; kymatio preset 2)"},
			{Name: "F", Default: "", Doc: "frequential lowpass support; must be 2^J_fr (Kymatio main), the default"},
			{Name: "T", Default: "", Doc: "time lowpass support and stride in samples, at least 2^J (default 2^J)"},
			{Name: "j2min", Default: "", Doc: "omit second-order time filters with j2 < j2min, keeping modulations up to about 0.35·fs/2^(j2min+2) (default 7, i.e. 30 Hz at 44.1 kHz; kymatio preset 0 keeps all); the rows kept are unchanged"},
			{Name: "log1p", Default: "0", Doc: "ε > 0 compares sign(S)·log1p(|S|/ε) instead of S; 0 compares S itself"},
		},
		New: newJTFSLoss,
	})
}

var jtfsPresets = map[string]scatterPreset{
	"":        {J: 12, Q1: 4, Q2: 1, JFr: 2, QFr: 1, J2Min: 7},
	"kymatio": {J: 12, Q1: 8, Q2: 2, JFr: 3, QFr: 2, J2Min: 0},
}

func newJTFSLoss(target []float64, s Settings) (Loss, error) {
	p, ok := jtfsPresets[s["preset"]]
	if !ok {
		return nil, fmt.Errorf("setting preset=%q: want empty or kymatio", s["preset"])
	}
	var err error
	var cfg scatter.JTFSConfig
	cfg.J = scatterInt(s, "J", p.J, &err)
	cfg.Q1 = scatterInt(s, "Q1", p.Q1, &err)
	cfg.Q2 = scatterInt(s, "Q2", p.Q2, &err)
	cfg.JFr = scatterInt(s, "J_fr", p.JFr, &err)
	cfg.QFr = scatterInt(s, "Q_fr", p.QFr, &err)
	cfg.F = scatterInt(s, "F", 1<<max(cfg.JFr, 0), &err)
	cfg.T = scatterFloat(s, "T", math.Ldexp(1, cfg.J), &err)
	cfg.J2Min = scatterInt(s, "j2min", p.J2Min, &err)
	eps := scatterFloat(s, "log1p", 0, &err)
	if err != nil {
		return nil, err
	}
	if eps < 0 {
		return nil, fmt.Errorf("setting log1p=%q: want 0 (off) or a positive ε", s["log1p"])
	}
	tr, err := scatter.NewJTFS(len(target), cfg)
	if err != nil {
		return nil, fmt.Errorf("loss jtfs: %v", err)
	}
	if len(tr.Paths()) < 2 {
		return nil, fmt.Errorf("loss jtfs: configuration has no order-1 or order-2 coefficients")
	}
	l := &scatterLoss{eval: tr.Eval, frames: tr.Frames(), eps: eps, skipRows: 1}
	l.count = float64((len(tr.Paths()) - 1) * tr.Frames())
	l.target = tr.Forward(nil, target)
	l.compress(l.target)
	l.reduce = l.reduceAll
	return l, nil
}

// scatterPreset holds the base values a preset gives to unset settings.
type scatterPreset struct{ J, Q1, Q2, JFr, QFr, J2Min int }

var scatteringPresets = map[string]scatterPreset{
	"":        {J: 6, Q1: 1, Q2: 1},
	"kymatio": {J: 12, Q1: 8, Q2: 2},
}

// scatterInt reads an integer setting, falling back to def when unset.
func scatterInt(s Settings, name string, def int, err *error) int {
	if *err != nil {
		return 0
	}
	if s[name] == "" {
		return def
	}
	v, e := strconv.Atoi(s[name])
	if e != nil {
		*err = fmt.Errorf("setting %s=%q: want an integer", name, s[name])
	}
	return v
}

func scatterFloat(s Settings, name string, def float64, err *error) float64 {
	if *err != nil {
		return 0
	}
	if s[name] == "" {
		return def
	}
	v, e := strconv.ParseFloat(s[name], 64)
	if e != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		*err = fmt.Errorf("setting %s=%q: want a finite number", name, s[name])
	}
	return v
}

func newScatteringLoss(target []float64, s Settings) (Loss, error) {
	p, ok := scatteringPresets[s["preset"]]
	if !ok {
		return nil, fmt.Errorf("setting preset=%q: want empty or kymatio", s["preset"])
	}
	var err error
	cfg := scatter.Config{MaxOrder: 2}
	cfg.J = scatterInt(s, "J", p.J, &err)
	cfg.Q1 = scatterInt(s, "Q1", p.Q1, &err)
	cfg.Q2 = scatterInt(s, "Q2", p.Q2, &err)
	cfg.T = scatterFloat(s, "T", math.Ldexp(1, cfg.J), &err)
	eps := scatterFloat(s, "log1p", 0, &err)
	if err != nil {
		return nil, err
	}
	if eps < 0 {
		return nil, fmt.Errorf("setting log1p=%q: want 0 (off) or a positive ε", s["log1p"])
	}
	if cfg.Norm, err = scatter.ParseNormalization(s["normalization"]); err != nil {
		return nil, fmt.Errorf("setting %v", err)
	}
	tr, err := scatter.NewTime(len(target), cfg)
	if err != nil {
		return nil, fmt.Errorf("loss scattering: %v", err)
	}
	l := &scatterLoss{eval: tr.Eval, frames: tr.Frames(), eps: eps}
	l.count = float64(len(tr.Paths()) * tr.Frames())
	l.target = tr.Forward(nil, target)
	l.compress(l.target)
	l.reduce = l.reduceAll
	return l, nil
}

// scatterLoss is mean |c(S(x)) − c(S(t))| with c the identity or the
// signed log1p compression; rows below skipRows (order 0 for jtfs) are
// ignored.
type scatterLoss struct {
	eval     func(x, grad []float64, f scatter.Reducer) float64
	target   []float64 // compressed target coefficients, path-major
	frames   int
	skipRows int
	count    float64
	eps      float64
	reduce   scatter.Reducer
}

func (l *scatterLoss) compress(s []float64) {
	if l.eps == 0 {
		return
	}
	for i, v := range s {
		s[i] = math.Copysign(detmath.Log1p(math.Abs(v)/l.eps), v)
	}
}

func (l *scatterLoss) reduceAll(p int, s, gs []float64) float64 {
	if p < l.skipRows {
		clear(gs)
		return 0
	}
	t := l.target[p*l.frames : (p+1)*l.frames]
	sum := 0.0
	for i, v := range s {
		c, dc := v, 1.0
		if l.eps > 0 {
			a := math.Abs(v)
			c = math.Copysign(detmath.Log1p(a/l.eps), v)
			dc = 1 / (l.eps + a)
		}
		d := c - t[i]
		sum += math.Abs(d)
		if gs != nil {
			g := 0.0
			if d > 0 {
				g = dc / l.count
			} else if d < 0 {
				g = -dc / l.count
			}
			gs[i] = g
		}
	}
	return sum
}

// Eval implements Loss.
func (l *scatterLoss) Eval(x, grad []float64) float64 {
	return l.eval(x, grad, l.reduce) / l.count
}
