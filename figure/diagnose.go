package figure

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Sample is a named set of values, e.g. the gradient cosines of one loss.
type Sample struct {
	Name   string
	Values []float64
}

// SaveCosines draws, for each sample, the distribution of cosines in
// [-1, 1] between the negative gradient and the direction to the target,
// as a 20-bin histogram line (fraction of points per bin), so losses can
// be compared on one picture. NaN values (zero gradients) are left out
// and counted in the legend.
func SaveCosines(title string, samples []Sample, path string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "cos(−grad L, target − u)   (right = descent heads for the target)"
	p.Y.Label.Text = "fraction of points"
	p.X.Min, p.X.Max = -1, 1
	const bins = 20
	for i, s := range samples {
		counts := make([]float64, bins)
		zero := 0
		for _, v := range s.Values {
			if math.IsNaN(v) {
				zero++
				continue
			}
			b := int((v + 1) / 2 * bins)
			if b >= bins {
				b = bins - 1
			}
			if b < 0 {
				b = 0
			}
			counts[b]++
		}
		pts := make(plotter.XYs, 0, 2*bins)
		for b, c := range counts {
			frac := 0.0
			if len(s.Values) > 0 {
				frac = c / float64(len(s.Values))
			}
			lo := -1 + 2*float64(b)/bins
			pts = append(pts, plotter.XY{X: lo, Y: frac}, plotter.XY{X: lo + 2.0/bins, Y: frac})
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		line.Color = pathColor(i)
		if i == 3 { // white is for dark heatmaps; use black on a white page
			line.Color = plotter.DefaultLineStyle.Color
		}
		line.Width = vg.Points(1.5)
		p.Add(line)
		name := s.Name
		if zero > 0 {
			name = fmt.Sprintf("%s (%d zero gradients)", s.Name, zero)
		}
		p.Legend.Add(name, line)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return Save(p, path, 7*vg.Inch, 4.5*vg.Inch)
}
