package figure

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Path is a trajectory drawn over a landscape, in slider values.
type Path struct {
	Name string
	X, Y []float64
}

// Landscape describes a loss landscape picture: a heatmap over two sliders,
// or a curve over one (Y nil).
type Landscape struct {
	Title          string
	XLabel, YLabel string
	X, Y           []float64   // axis values (grid centres)
	Z              [][]float64 // Z[iy][ix]
	// TargetX, TargetY mark the target (NaN: no mark).
	TargetX, TargetY float64
	Paths            []Path
}

type landscapeGrid struct {
	x, y []float64
	z    [][]float64
}

func (g landscapeGrid) Dims() (c, r int)   { return len(g.x), len(g.y) }
func (g landscapeGrid) Z(c, r int) float64 { return g.z[r][c] }
func (g landscapeGrid) X(c int) float64    { return g.x[c] }
func (g landscapeGrid) Y(r int) float64    { return g.y[r] }

// SaveLandscape draws l to path (PNG or SVG).
func SaveLandscape(l Landscape, path string) error {
	p := plot.New()
	p.Title.Text = l.Title
	p.X.Label.Text = l.XLabel
	if l.Y == nil {
		if len(l.Z) != 1 || len(l.Z[0]) != len(l.X) {
			return fmt.Errorf("figure: 1-D landscape needs one row of %d values", len(l.X))
		}
		p.Y.Label.Text = "loss"
		pts := make(plotter.XYs, len(l.X))
		for i := range l.X {
			pts[i].X, pts[i].Y = l.X[i], l.Z[0][i]
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		p.Add(line)
		if !math.IsNaN(l.TargetX) {
			vl, err := plotter.NewLine(plotter.XYs{{X: l.TargetX, Y: minOf(l.Z[0])}, {X: l.TargetX, Y: maxOf(l.Z[0])}})
			if err != nil {
				return err
			}
			vl.Color = color.RGBA{R: 200, A: 255}
			vl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(vl)
			p.Legend.Add("target", vl)
		}
		return Save(p, path, 7*vg.Inch, 4.5*vg.Inch)
	}
	p.Y.Label.Text = l.YLabel
	pal := moreland.ExtendedBlackBody().Palette(255)
	hm := plotter.NewHeatMap(landscapeGrid{l.X, l.Y, l.Z}, pal)
	hm.Rasterized = true
	p.Add(hm)
	for i, tr := range l.Paths {
		pts := make(plotter.XYs, len(tr.X))
		for k := range tr.X {
			pts[k].X, pts[k].Y = tr.X[k], tr.Y[k]
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		line.Color = pathColor(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		if tr.Name != "" {
			p.Legend.Add(tr.Name, line)
		}
		start, err := plotter.NewScatter(pts[:1])
		if err == nil {
			start.GlyphStyle.Color = line.Color
			start.GlyphStyle.Shape = draw.CircleGlyph{}
			p.Add(start)
		}
	}
	if !math.IsNaN(l.TargetX) && !math.IsNaN(l.TargetY) {
		s, err := plotter.NewScatter(plotter.XYs{{X: l.TargetX, Y: l.TargetY}})
		if err != nil {
			return err
		}
		s.GlyphStyle.Shape = draw.CrossGlyph{}
		s.GlyphStyle.Radius = vg.Points(7)
		s.GlyphStyle.Color = color.RGBA{G: 220, B: 255, A: 255}
		p.Add(s)
		p.Legend.Add("target", s)
	}
	p.Legend.Top = true
	// A colour bar beside the map says what the colours mean.
	bar := plot.New()
	bar.HideX()
	bar.Y.Label.Text = "loss"
	lo, hi := hm.Min, hm.Max
	if hi <= lo {
		hi = lo + 1
	}
	bar.Add(&plotter.ColorBar{ColorMap: colorMap(lo, hi), Vertical: true})
	bar.Y.Min, bar.Y.Max = lo, hi
	return saveWithBar(p, bar, path)
}

// saveWithBar draws p with bar as a narrow colour-bar panel on its right.
func saveWithBar(p, bar *plot.Plot, path string) error {
	const w, h = 8 * vg.Inch, 6 * vg.Inch
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("%s: unsupported picture format %q (accepted: .png, .svg)", path, filepath.Ext(path))
	}
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return err
	}
	dc := draw.New(c)
	p.Draw(draw.Crop(dc, 0, -1.3*vg.Inch, 0, 0))
	bar.Draw(draw.Crop(dc, w-1.25*vg.Inch, -0.1*vg.Inch, 0.5*vg.Inch, -0.4*vg.Inch))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %v", path, err)
	}
	return f.Close()
}

func colorMap(lo, hi float64) palette.ColorMap {
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm
}

func pathColor(i int) color.Color {
	cs := []color.Color{
		color.RGBA{R: 30, G: 144, B: 255, A: 255},
		color.RGBA{R: 50, G: 205, B: 50, A: 255},
		color.RGBA{R: 255, G: 105, B: 180, A: 255},
		color.RGBA{R: 255, G: 255, B: 255, A: 255},
		color.RGBA{R: 0, G: 206, B: 209, A: 255},
	}
	return cs[i%len(cs)]
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
