package faust

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgainstFaust compiles every program in testdata/gen/dsp and compares
// 4410 samples with the real Faust compiler's rendering (testdata/gen/out,
// made by testdata/gen/gen.sh).
func TestAgainstFaust(t *testing.T) {
	files, err := filepath.Glob("testdata/gen/dsp/*.dsp")
	if err != nil || len(files) == 0 {
		t.Fatal("no programs in testdata/gen/dsp")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".dsp")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join("testdata/gen/out", name+".f64"))
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, len(raw)/8)
			for i := range want {
				want[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			}
			g, err := Compile(name+".dsp", src, 44100)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkGraph(g); err != nil {
				t.Fatal(err)
			}
			got := render(t, g, nil, len(want))
			bad := 0
			for i := range want {
				tol := 1e-9 * math.Max(1, math.Abs(want[i]))
				if d := math.Abs(got[i] - want[i]); !(d <= tol) {
					if bad < 5 {
						t.Errorf("sample %d = %.17g, faust %.17g (diff %.3g)", i, got[i], want[i], d)
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d samples differ", bad, len(want))
			}
		})
	}
}
