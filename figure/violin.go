package figure

// Violin plots. gonum/plot has box plots but no violins, so the kernel
// density estimate and the mirrored polygon are drawn here.

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SilvermanBandwidth returns Silverman's rule-of-thumb bandwidth of a
// Gaussian kernel density estimate of x:
// 0.9 · min(s, IQR/1.34) · n^(−1/5), with s the sample standard deviation
// (n−1) and IQR from linearly interpolated quartiles (numpy's default).
// When the IQR is 0 but s is not, s alone is used; it returns 0 for
// constant data and for fewer than 2 values.
func SilvermanBandwidth(x []float64) float64 {
	n := len(x)
	if n < 2 {
		return 0
	}
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(n)
	ss := 0.0
	for _, v := range x {
		ss += float64((v - m) * (v - m))
	}
	s := math.Sqrt(ss / float64(n-1))
	sorted := slices.Sorted(slices.Values(x))
	iqr := quantile(sorted, 0.75) - quantile(sorted, 0.25)
	spread := s
	if iqr > 0 {
		spread = math.Min(s, iqr/1.34)
	}
	return 0.9 * spread * math.Pow(float64(n), -0.2)
}

// quantile of sorted data, linear interpolation between closest ranks
// (numpy "linear", R type 7).
func quantile(sorted []float64, q float64) float64 {
	pos := float64(q * float64(len(sorted)-1))
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + float64(f*(sorted[i+1]-sorted[i]))
}

// KDE writes into dst the Gaussian kernel density estimate of the sample x
// with bandwidth h at each point of grid, and returns dst (allocated when
// nil; a dst of another length than grid panics).
func KDE(dst, grid, x []float64, h float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(grid))
	}
	if len(dst) != len(grid) {
		panic("figure: destination length mismatch")
	}
	norm := 1 / (float64(len(x)) * h * math.Sqrt(2*math.Pi))
	for i, g := range grid {
		s := 0.0
		for _, v := range x {
			z := (g - v) / h
			s += math.Exp(-0.5 * z * z)
		}
		dst[i] = s * norm
	}
	return dst
}

// Violin is a plotter drawing the distribution of Values at horizontal
// position X as a mirrored kernel density estimate (Silverman bandwidth,
// cut at 2 bandwidths beyond the data), with a line at the median. Make
// one with NewViolin.
type Violin struct {
	X     float64
	Width float64 // full width at the density's peak, in data units of the X axis
	Color color.Color
	Line  draw.LineStyle // outline and median line

	grid, density []float64
	median        float64
}

// violinPoints is the number of grid points of the density estimate.
const violinPoints = 128

// NewViolin estimates the density of values for a violin at x filled with
// c. It returns an error for no values or a NaN; constant values give a
// flat line at their value.
func NewViolin(values []float64, x float64, c color.Color) (*Violin, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("figure: violin at %v has no values", x)
	}
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("figure: violin at %v: value %v is not finite", x, v)
		}
	}
	sorted := slices.Sorted(slices.Values(values))
	v := &Violin{X: x, Width: 0.8, Color: c, median: quantile(sorted, 0.5)}
	v.Line = draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}
	h := SilvermanBandwidth(values)
	if h == 0 {
		v.grid = []float64{sorted[0], sorted[len(sorted)-1]}
		v.density = []float64{1, 1}
		return v, nil
	}
	lo, hi := sorted[0]-2*h, sorted[len(sorted)-1]+2*h
	v.grid = make([]float64, violinPoints)
	for i := range v.grid {
		v.grid[i] = lo + (hi-lo)*float64(i)/float64(violinPoints-1)
	}
	v.density = KDE(nil, v.grid, values, h)
	return v, nil
}

// Plot implements plot.Plotter.
func (v *Violin) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	peak := slices.Max(v.density)
	half := func(d float64) float64 { return v.Width / 2 * d / peak }
	poly := make([]vg.Point, 0, 2*len(v.grid))
	for i, y := range v.grid {
		poly = append(poly, vg.Point{X: trX(v.X + half(v.density[i])), Y: trY(y)})
	}
	for i := len(v.grid) - 1; i >= 0; i-- {
		poly = append(poly, vg.Point{X: trX(v.X - half(v.density[i])), Y: trY(v.grid[i])})
	}
	if len(v.grid) == 2 && v.grid[0] == v.grid[1] {
		// Constant data: a horizontal bar at the value.
		y := trY(v.grid[0])
		c.StrokeLine2(draw.LineStyle{Color: v.Color, Width: vg.Points(2)}, trX(v.X-float64(v.Width/2)), y, trX(v.X+float64(v.Width/2)), y)
		return
	}
	c.FillPolygon(v.Color, c.ClipPolygonXY(poly))
	closed := append(poly, poly[0])
	c.StrokeLines(v.Line, c.ClipLinesXY(closed)...)
	// Median: a line across the violin at its width there.
	w := half(interp(v.grid, v.density, v.median))
	ym := trY(v.median)
	c.StrokeLine2(v.Line, trX(v.X-w), ym, trX(v.X+w), ym)
}

// interp is linear interpolation of (xs, ys) at x, xs ascending.
func interp(xs, ys []float64, x float64) float64 {
	i, _ := slices.BinarySearch(xs, x)
	switch {
	case i == 0:
		return ys[0]
	case i >= len(xs):
		return ys[len(ys)-1]
	}
	f := (x - xs[i-1]) / (xs[i] - xs[i-1])
	return ys[i-1] + float64(f*(ys[i]-ys[i-1]))
}

// DataRange implements plot.DataRanger.
func (v *Violin) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.X - float64(v.Width/2), v.X + float64(v.Width/2), v.grid[0], v.grid[len(v.grid)-1]
}
