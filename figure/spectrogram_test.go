package figure

import (
	"image/png"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
)

// The spectrogram's frames are checked against a naive DFT of the same
// windowed frame.
func TestLogSpectrogramAgainstNaiveDFT(t *testing.T) {
	const rate = 8000.0
	x := make([]float64, 3000)
	for i := range x {
		x[i] = math.Sin(2*math.Pi*1000*float64(i)/rate) + 0.1*math.Cos(2*math.Pi*2510*float64(i)/rate)
	}
	g := logSpectrogram(x, rate)
	if c, r := g.Dims(); c != 1+(3000-specFrame+specHop-1)/specHop || r != specFrame/2+1 {
		t.Fatalf("dims %d×%d", c, r)
	}
	f := 3 // a frame reaching past the end: zero-padded
	for _, bin := range []int{0, 128, 200, 321, 512} {
		var s complex128
		for i := 0; i < specFrame; i++ {
			j := f*specHop + i
			if j >= len(x) {
				break
			}
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/specFrame)
			s += complex(x[j]*w, 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(bin*i)/specFrame))
		}
		want := 20 * math.Log10(math.Max(cmplx.Abs(s), 1e-12))
		if got := g.Z(f, bin); math.Abs(got-want) > 1e-6 {
			t.Errorf("frame %d bin %d: %v dB, want %v", f, bin, got, want)
		}
	}
	if y := g.Y(128); y != 1 {
		t.Errorf("bin 128 at %v kHz, want 1", y)
	}
}

func TestSaveSpectrogramsAndCurve(t *testing.T) {
	dir := t.TempDir()
	a := make([]float64, 4410)
	b := make([]float64, 4410)
	for i := range a {
		a[i] = math.Sin(float64(i) * 0.3)
		b[i] = math.Sin(float64(i)*0.31) * 0.5
	}
	path := filepath.Join(dir, "spec.png")
	if err := SaveSpectrograms("test", a, b, 44100, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w < 500 {
		t.Errorf("picture %d pixels wide", w)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := SaveSpectrograms("x", a, b, 44100, filepath.Join(dir, "spec.jpg")); err == nil {
		t.Error(".jpg accepted")
	}

	p, err := LossCurve("trial", "l1-spec", []float64{3, 2, 1, 0.5, math.NaN(), 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(p, filepath.Join(dir, "loss.svg"), 6*vg.Inch, 4*vg.Inch); err != nil {
		t.Fatal(err)
	}
	if _, err := LossCurve("empty", "l1-spec", nil); err == nil {
		t.Error("empty loss curve accepted")
	}
}
