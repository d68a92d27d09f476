package figure

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Spectrogram display settings: 1024-sample periodic Hann frames, hop 256,
// magnitudes in dB relative to the louder sound's peak, floor 80 dB below.
const (
	specFrame = 1024
	specHop   = 256
	specRange = 80.0
)

// specGrid is a log-magnitude spectrogram as a plotter.GridXYZ: columns are
// frames (x in seconds), rows are frequency bins (y in kHz).
type specGrid struct {
	db   [][]float64 // [frame][bin]
	rate float64
}

func (g specGrid) Dims() (c, r int)   { return len(g.db), len(g.db[0]) }
func (g specGrid) Z(c, r int) float64 { return g.db[c][r] }
func (g specGrid) X(c int) float64    { return (float64(c*specHop) + specFrame/2) / g.rate }
func (g specGrid) Y(r int) float64    { return float64(r) * g.rate / specFrame / 1000 }

// logSpectrogram returns 20·log10|STFT| of x (frames start at sample 0; the
// last one is zero-padded), with a floor of 1e-12 before the log.
func logSpectrogram(x []float64, rate float64) specGrid {
	frames := 1
	if len(x) > specFrame {
		frames = 1 + (len(x)-specFrame+specHop-1)/specHop
	}
	fft := fourier.NewFFT(specFrame)
	win := make([]float64, specFrame)
	for i := range win {
		win[i] = 0.5 - float64(0.5*math.Cos(2*math.Pi*float64(i)/specFrame))
	}
	buf := make([]float64, specFrame)
	coef := make([]complex128, specFrame/2+1)
	g := specGrid{db: make([][]float64, frames), rate: rate}
	for f := range g.db {
		clear(buf)
		for i := range buf {
			if j := f*specHop + i; j < len(x) {
				buf[i] = x[j] * win[i]
			}
		}
		fft.Coefficients(coef, buf)
		row := make([]float64, len(coef))
		for b, c := range coef {
			row[b] = 20 * math.Log10(math.Max(math.Hypot(real(c), imag(c)), 1e-12))
		}
		g.db[f] = row
	}
	return g
}

func gridMax(g specGrid) float64 {
	m := math.Inf(-1)
	for _, row := range g.db {
		for _, v := range row {
			m = math.Max(m, v)
		}
	}
	return m
}

// SaveSpectrograms draws the log-magnitude spectrograms of target and output
// side by side on one colour scale (dB below the louder of the two, down to
// −80 dB), and writes them to path (.png or .svg). The file is written under
// a temporary name and renamed into place, so an interrupted program never
// leaves a partial picture.
func SaveSpectrograms(title string, target, output []float64, rate float64, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("%s: unsupported picture format %q (accepted: .png, .svg)", path, filepath.Ext(path))
	}
	if len(target) == 0 || len(output) == 0 || rate <= 0 {
		return fmt.Errorf("figure: spectrograms need two non-empty sounds and a positive rate")
	}
	grids := []specGrid{logSpectrogram(target, rate), logSpectrogram(output, rate)}
	top := math.Max(gridMax(grids[0]), gridMax(grids[1]))
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(top - specRange)
	cm.SetMax(top)
	pal := cm.Palette(255)
	names := []string{"target", "output"}
	plots := make([][]*plot.Plot, 1)
	for i, g := range grids {
		p := plot.New()
		p.Title.Text = names[i]
		if title != "" {
			p.Title.Text = title + ": " + names[i]
		}
		p.X.Label.Text = "time (s)"
		if i == 1 {
			p.X.Label.Text = "time (s)    colour: 0 dB (white) to −80 dB (black) below the louder peak"
		}
		p.Y.Label.Text = "frequency (kHz)"
		h := plotter.NewHeatMap(g, pal)
		h.Min, h.Max = top-specRange, top
		h.Underflow = pal.Colors()[0]
		h.Rasterized = true
		p.Add(h)
		plots[0] = append(plots[0], p)
	}
	const w, hgt = 11 * vg.Inch, 4.5 * vg.Inch
	c, err := draw.NewFormattedCanvas(w, hgt, format)
	if err != nil {
		return err
	}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(plots, tiles, draw.New(c))
	for j, p := range plots[0] {
		p.Draw(canvases[0][j])
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err = c.WriteTo(tmp); err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
