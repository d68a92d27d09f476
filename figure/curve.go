package figure

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// LossCurve draws a trial's loss against the iteration (0-based, the
// iteration whose render the loss scored). The loss axis is logarithmic when
// every value is positive and they span more than two decades, since losses
// often fall by orders of magnitude; NaN and
// Inf values are left out of the line.
func LossCurve(title, lossName string, loss []float64) (*plot.Plot, error) {
	if len(loss) == 0 {
		return nil, fmt.Errorf("figure: loss curve %q has no iterations", title)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "iteration"
	p.Y.Label.Text = lossName
	pts := make(plotter.XYs, 0, len(loss))
	positive := true
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range loss {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		positive = positive && v > 0
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		pts = append(pts, plotter.XY{X: float64(i), Y: v})
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("figure: loss curve %q has no finite value", title)
	}
	// Under two decades a log axis would label one power of ten at most.
	if positive && hi > 100*lo {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Label.Text += " (log scale)"
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	line.Width = 1.5
	p.Add(line, plotter.NewGrid())
	p.X.Min, p.X.Max = 0, math.Max(1, float64(len(loss)-1))
	return p, nil
}
