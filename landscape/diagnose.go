package landscape

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/match"
	"github.com/soundmatch/soundmatch/synth"
)

// DiagnoseConfig says how to probe a loss's gradient.
type DiagnoseConfig struct {
	Loss         string
	LossSettings map[string]string
	// Points is the number of random (target, point) pairs.
	Points int
	// LineSteps is the number of evaluations on the straight line from
	// the point to the target (in u space), ≥ 2.
	LineSteps int
	Seed      uint64
	Samples   int // render length; 0 means one second
	Workers   int
}

// Probe is what the diagnosis found at one random point.
type Probe struct {
	Target, Point []float64 // slider values
	// Cosine between −∇_u L and (u_target − u); NaN where the gradient is 0.
	Cosine float64
	// Grad is ∂L/∂u per parameter.
	Grad []float64
	// Monotone is the fraction of steps along the line to the target on
	// which the loss decreases; LineMonotone says every step did.
	Monotone     float64
	LineMonotone bool
}

// Diagnosis summarizes the probes of one loss on one program.
type Diagnosis struct {
	Program string
	Loss    string
	Params  []synth.Param
	Probes  []Probe
	// TowardTarget is the fraction of probes whose negative gradient has a
	// positive cosine with the direction to the target (zero gradients
	// count as not pointing toward it).
	TowardTarget float64
	MeanCosine   float64 // over probes with a non-zero gradient
	ZeroGradient float64 // fraction of probes with ∇L = 0
	// MedianGrad is the median |∂L/∂u_k| per parameter.
	MedianGrad []float64
	// MeanMonotone is the mean fraction of decreasing steps on the lines;
	// LinesMonotone the fraction of lines that decrease all the way.
	MeanMonotone  float64
	LinesMonotone float64
}

// Diagnose draws cfg.Points random (target, point) pairs the way trials
// are drawn (METHOD §2, seeds cfg.Seed, cfg.Seed+1, ...) and probes the
// loss gradient at each point.
func Diagnose(ctx context.Context, prog *synth.Program, cfg DiagnoseConfig) (*Diagnosis, error) {
	if cfg.Points < 1 {
		return nil, fmt.Errorf("diagnose: points %d: want at least 1", cfg.Points)
	}
	if cfg.LineSteps == 0 {
		cfg.LineSteps = 16
	}
	if cfg.LineSteps < 2 {
		return nil, fmt.Errorf("diagnose: line steps %d: want at least 2", cfg.LineSteps)
	}
	if _, ok := loss.Lookup(cfg.Loss); !ok {
		_, err := loss.New(cfg.Loss, []float64{0}, nil)
		return nil, err
	}
	params := prog.Params()
	d := len(params)
	n := cfg.Samples
	if n == 0 {
		n = int(prog.SampleRate())
	}
	probes := make([]Probe, cfg.Points)
	err := parallel(ctx, cfg.Workers, cfg.Points, func() (func(i int) error, error) {
		p := prog.Clone()
		x := make([]float64, n)
		t := make([]float64, n)
		g := make([]float64, n)
		jac := make([][]float64, d)
		for k := range jac {
			jac[k] = make([]float64, n)
		}
		v := make([]float64, d)
		return func(i int) error {
			tv, pv := match.DrawTrial(params, cfg.Seed+uint64(i))
			p.Render(tv, t, nil)
			l, err := loss.New(cfg.Loss, t, cfg.LossSettings)
			if err != nil {
				return err
			}
			p.Render(pv, x, jac)
			l.Eval(x, g)
			pr := Probe{Target: tv, Point: pv, Grad: make([]float64, d)}
			var dot, gg, ee float64
			for k := range params {
				var s float64
				for j, gj := range g {
					s += float64(gj * jac[k][j])
				}
				du := (params[k].Max - params[k].Min) / 2
				pr.Grad[k] = s * du
				e := match.ToU(params[k], tv[k]) - match.ToU(params[k], pv[k])
				dot += float64(-pr.Grad[k] * e)
				gg += float64(pr.Grad[k] * pr.Grad[k])
				ee += float64(e * e)
			}
			pr.Cosine = math.NaN()
			if gg > 0 && ee > 0 {
				pr.Cosine = dot / math.Sqrt(gg*ee)
			}
			// The line from the point to the target in u space.
			prev := math.NaN()
			down := 0
			for s := 0; s <= cfg.LineSteps; s++ {
				a := float64(s) / float64(cfg.LineSteps)
				for k := range params {
					u0, u1 := match.ToU(params[k], pv[k]), match.ToU(params[k], tv[k])
					v[k] = match.FromU(params[k], u0+float64(a*(u1-u0)))
				}
				p.Render(v, x, nil)
				y := l.Eval(x, nil)
				if s > 0 && y < prev {
					down++
				}
				prev = y
			}
			pr.Monotone = float64(down) / float64(cfg.LineSteps)
			pr.LineMonotone = down == cfg.LineSteps
			probes[i] = pr
			return nil
		}, nil
	})
	if err != nil {
		return nil, err
	}
	return summarize(prog.Name(), cfg.Loss, params, probes), nil
}

func summarize(program, lossName string, params []synth.Param, probes []Probe) *Diagnosis {
	d := &Diagnosis{Program: program, Loss: lossName, Params: params, Probes: probes,
		MedianGrad: make([]float64, len(params))}
	var cosN int
	np := float64(len(probes))
	for _, p := range probes {
		if math.IsNaN(p.Cosine) {
			d.ZeroGradient++
		} else {
			d.MeanCosine += p.Cosine
			cosN++
			if p.Cosine > 0 {
				d.TowardTarget++
			}
		}
		d.MeanMonotone += p.Monotone
		if p.LineMonotone {
			d.LinesMonotone++
		}
	}
	d.TowardTarget /= np
	d.ZeroGradient /= np
	d.MeanMonotone /= np
	d.LinesMonotone /= np
	if cosN > 0 {
		d.MeanCosine /= float64(cosN)
	} else {
		d.MeanCosine = math.NaN()
	}
	mags := make([]float64, len(probes))
	for k := range params {
		for i, p := range probes {
			mags[i] = math.Abs(p.Grad[k])
		}
		sort.Float64s(mags)
		m := len(mags)
		if m%2 == 1 {
			d.MedianGrad[k] = mags[m/2]
		} else {
			d.MedianGrad[k] = (mags[m/2-1] + mags[m/2]) / 2
		}
	}
	return d
}
