// Package landscape shows why a sound-match succeeds or fails: it maps a
// loss over a grid of two sliders (the others held at their target
// values), and it diagnoses how well a loss's gradient guides descent at
// random points (does the negative gradient point toward the target, is
// the loss monotone on the straight line to it).
//
// Grid points and diagnostic points are independent, so both are spread
// over a pool of workers, each with its own program clone and loss plan.
//
// Products that feed a sum are rounded on their own, float64(a*b), so that
// arm64 and amd64 v3 builds, which would fuse them into multiply-adds,
// compute the same bits as amd64.
package landscape

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/synth"
)

// Config says what to map.
type Config struct {
	Loss         string
	LossSettings map[string]string
	// X and Y index the program's parameters; Y = -1 maps a 1-D slice
	// along X (the only choice for one-parameter programs).
	X, Y int
	// Grid is the number of points per axis, ≥ 2.
	Grid int
	// Samples is the render length; 0 means one second at the program's rate.
	Samples int
	// Workers defaults to GOMAXPROCS.
	Workers int
}

// Result is a computed landscape.
type Result struct {
	Program string
	Loss    string
	Params  []synth.Param
	X, Y    int
	// XValues and YValues are the slider values of the grid's columns and
	// rows (YValues is nil for a 1-D slice).
	XValues, YValues []float64
	// Values[iy][ix] is the loss at (XValues[ix], YValues[iy]); a 1-D
	// slice has one row.
	Values [][]float64
	// Target holds the target's slider values; every parameter other than
	// X and Y sits at its target value on the whole grid.
	Target []float64
	// MinX, MinY index the grid point of lowest loss.
	MinX, MinY int
}

// Axis returns n slider values evenly spaced from p.Min to p.Max inclusive.
func Axis(p synth.Param, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = p.Min + float64((p.Max-p.Min)*float64(i)/float64(n-1))
	}
	v[n-1] = p.Max
	return v
}

// Compute evaluates the loss of cfg over the grid for the in-domain target
// rendered from targetValues.
func Compute(ctx context.Context, prog *synth.Program, targetValues []float64, cfg Config) (*Result, error) {
	params := prog.Params()
	if len(targetValues) != len(params) {
		return nil, fmt.Errorf("landscape: %d target values for %d parameters", len(targetValues), len(params))
	}
	if cfg.Grid < 2 {
		return nil, fmt.Errorf("landscape: grid %d: want at least 2 points per axis", cfg.Grid)
	}
	if cfg.X < 0 || cfg.X >= len(params) {
		return nil, fmt.Errorf("landscape: x parameter index %d out of range", cfg.X)
	}
	if cfg.Y >= len(params) || cfg.Y == cfg.X || cfg.Y < -1 {
		return nil, fmt.Errorf("landscape: y parameter index %d invalid", cfg.Y)
	}
	n := cfg.Samples
	if n == 0 {
		n = int(prog.SampleRate())
	}
	target := make([]float64, n)
	prog.Render(targetValues, target, nil)
	if _, err := loss.New(cfg.Loss, target, cfg.LossSettings); err != nil {
		return nil, err
	}
	res := &Result{
		Program: prog.Name(), Loss: cfg.Loss, Params: params, X: cfg.X, Y: cfg.Y,
		XValues: Axis(params[cfg.X], cfg.Grid),
		Target:  append([]float64(nil), targetValues...),
	}
	rows := 1
	if cfg.Y >= 0 {
		res.YValues = Axis(params[cfg.Y], cfg.Grid)
		rows = cfg.Grid
	}
	res.Values = make([][]float64, rows)
	for i := range res.Values {
		res.Values[i] = make([]float64, cfg.Grid)
	}
	total := rows * cfg.Grid
	err := parallel(ctx, cfg.Workers, total, func() (func(i int) error, error) {
		p := prog.Clone()
		l, err := loss.New(cfg.Loss, target, cfg.LossSettings)
		if err != nil {
			return nil, err
		}
		x := make([]float64, n)
		v := append([]float64(nil), targetValues...)
		return func(i int) error {
			iy, ix := i/cfg.Grid, i%cfg.Grid
			v[cfg.X] = res.XValues[ix]
			if cfg.Y >= 0 {
				v[cfg.Y] = res.YValues[iy]
			}
			p.Render(v, x, nil)
			res.Values[iy][ix] = l.Eval(x, nil)
			return nil
		}, nil
	})
	if err != nil {
		return nil, err
	}
	best := math.Inf(1)
	for iy, row := range res.Values {
		for ix, y := range row {
			if y < best {
				best, res.MinX, res.MinY = y, ix, iy
			}
		}
	}
	return res, nil
}

// parallel runs job(i) for i in [0, n) on a pool of workers; setup builds
// each worker's own state (program clone, loss plan) and its job.
func parallel(ctx context.Context, workers, n int, setup func() (func(i int) error, error)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		job, err := setup()
		if err != nil {
			close(next)
			wg.Wait()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := job(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}
