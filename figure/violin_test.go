package figure

import (
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Expected values from numpy 1.24 / scipy 1.10:
//
//	s = x.std(ddof=1); iqr = np.percentile(x, 75) - np.percentile(x, 25)
//	h = 0.9*min(s, iqr/1.34)*n**-0.2
//	gaussian_kde(x, bw_method=h/s)(grid)
var kdeSample = []float64{0.3, 1.2, 1.9, 2.2, 2.4, 3.1, 3.3, 4.8, 5.0, 7.5, 2.2, 1.1}

func TestSilvermanAndKDEAgainstScipy(t *testing.T) {
	h := SilvermanBandwidth(kdeSample)
	if want := 0.796775686584012; math.Abs(h-want) > 1e-14*want {
		t.Errorf("bandwidth %.17g, want %.17g", h, want)
	}
	grid := []float64{-1, 0, 2.2, 3.7, 9}
	want := []float64{0.013326865276037068, 0.07313218005136547, 0.23867560578037336, 0.12429402650657385, 0.007092582124070187}
	got := KDE(nil, grid, kdeSample, h)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*want[i] {
			t.Errorf("KDE(%v) = %.17g, want %.17g", grid[i], got[i], want[i])
		}
	}
	// A density integrates to 1.
	const n = 4001
	g := make([]float64, n)
	for i := range g {
		g[i] = -6 + 20*float64(i)/(n-1)
	}
	d := KDE(nil, g, kdeSample, h)
	sum := 0.0
	for i := 1; i < n; i++ {
		sum += (d[i] + d[i-1]) / 2 * (g[i] - g[i-1])
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("KDE integrates to %v", sum)
	}
	if SilvermanBandwidth([]float64{2, 2, 2}) != 0 || SilvermanBandwidth([]float64{1}) != 0 {
		t.Error("constant or single data must have bandwidth 0")
	}
}

func TestViolinPicture(t *testing.T) {
	if _, err := NewViolin(nil, 0, color.Black); err == nil {
		t.Error("empty violin: no error")
	}
	if _, err := NewViolin([]float64{1, math.NaN()}, 0, color.Black); err == nil {
		t.Error("NaN violin: no error")
	}
	p := plot.New()
	for i, vals := range [][]float64{kdeSample, {3, 3, 3}} {
		v, err := NewViolin(vals, float64(i), color.RGBA{R: 200, A: 255})
		if err != nil {
			t.Fatal(err)
		}
		xmin, xmax, ymin, ymax := v.DataRange()
		lo, hi := 3.0, 3.0
		if i == 0 {
			// cut at 2 bandwidths beyond the data
			h := SilvermanBandwidth(kdeSample)
			lo, hi = 0.3-2*h, 7.5+2*h
		}
		if xmin != float64(i)-0.4 || xmax != float64(i)+0.4 || math.Abs(ymin-lo) > 1e-12 || math.Abs(ymax-hi) > 1e-12 {
			t.Errorf("violin %d: data range %v %v %v %v", i, xmin, xmax, ymin, ymax)
		}
		p.Add(v)
	}
	dir := t.TempDir()
	for _, name := range []string{"v.png", "v.svg"} {
		path := filepath.Join(dir, name)
		if err := Save(p, path, 4*vg.Inch, 3*vg.Inch); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() < 500 {
			t.Errorf("%s: %v", name, err)
		}
	}
}
