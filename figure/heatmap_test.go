package figure

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLandscape(t *testing.T) {
	dir := t.TempDir()
	n := 24
	x := make([]float64, n)
	y := make([]float64, n)
	z := make([][]float64, n)
	for i := range x {
		x[i] = 20 + 980*float64(i)/float64(n-1)
		y[i] = 1 + 119*float64(i)/float64(n-1)
	}
	for r := range z {
		z[r] = make([]float64, n)
		for c := range z[r] {
			z[r][c] = math.Abs(x[c]-500)/500 + math.Abs(y[r]-60)/60 + 0.1*math.Sin(x[c]/30)
		}
	}
	l := Landscape{Title: "t", XLabel: "x", YLabel: "y", X: x, Y: y, Z: z, TargetX: 500, TargetY: 60,
		Paths: []Path{{Name: "run", X: []float64{900, 700, 520}, Y: []float64{10, 40, 58}}}}
	for _, name := range []string{"l.png", "l.svg"} {
		p := filepath.Join(dir, name)
		if err := SaveLandscape(l, p); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) < 1000 {
			t.Fatalf("%s: %d bytes, %v", name, len(b), err)
		}
		if strings.HasSuffix(name, ".png") {
			f, _ := os.Open(p)
			img, err := png.Decode(f)
			f.Close()
			if err != nil || img.Bounds().Dx() < 500 {
				t.Fatalf("%s: not a usable PNG: %v", name, err)
			}
		} else if !strings.Contains(string(b[:200]), "<svg") && !strings.Contains(string(b), "<svg") {
			t.Fatalf("%s: not SVG", name)
		}
	}
	oneD := Landscape{Title: "slice", XLabel: "x", X: x, Z: [][]float64{z[0]}, TargetX: 500, TargetY: math.NaN()}
	if err := SaveLandscape(oneD, filepath.Join(dir, "s.png")); err != nil {
		t.Fatal(err)
	}
	if err := SaveLandscape(l, filepath.Join(dir, "l.bmp")); err == nil {
		t.Fatal("unsupported extension: want error")
	}
	if os.Getenv("SOUNDMATCH_KEEP_FIGURES") != "" {
		b, _ := os.ReadFile(filepath.Join(dir, "l.png"))
		os.WriteFile(os.Getenv("SOUNDMATCH_KEEP_FIGURES"), b, 0o644)
	}
}
