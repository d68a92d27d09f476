package synth

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/soundmatch/soundmatch/synth/reference"
)

// golden is one rendering of the real Faust compiler (testdata/golden/NOTE.md).
type golden struct {
	name, program string
	keys          []string
	values        []float64
	f32           []float64 // all samples, rounded to float32 when stored
	head          []float64 // first samples at full float64 precision
	rms, sum      float64   // of the float64 rendering
}

func loadGoldens(t testing.TB) []golden {
	t.Helper()
	f, err := os.Open("testdata/golden/manifest.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var gs []golden
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "name\t") {
			continue
		}
		col := strings.Split(line, "\t")
		g := golden{name: col[0], program: col[1]}
		for _, kv := range strings.Fields(col[2]) {
			k, v, _ := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			g.keys = append(g.keys, k)
			g.values = append(g.values, x)
		}
		g.rms = mustFloat(t, col[4])
		g.sum = mustFloat(t, col[6])
		b, err := os.ReadFile(filepath.Join("testdata/golden/data", g.name+".f32"))
		if err != nil {
			t.Fatal(err)
		}
		g.f32 = make([]float64, len(b)/4)
		for i := range g.f32 {
			g.f32[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
		hb, err := os.ReadFile(filepath.Join("testdata/golden/data", g.name+".head.txt"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range strings.Fields(string(hb)) {
			g.head = append(g.head, mustFloat(t, s))
		}
		gs = append(gs, g)
	}
	if len(gs) != 13 {
		t.Fatalf("manifest lists %d renderings, want 13", len(gs))
	}
	return gs
}

func mustFloat(t testing.TB, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// checkGolden compares a float64 rendering y with g under the tolerances of
// the golden README: head ≤ 1e-9; every sample ≤ 1e-6 or 2e-6·max(1,|g|);
// for saw programs, isolated samples off by ≈1.0 (a wrap decided by the last
// bit) are counted and reported, and must be zero; rms relative 1e-9; sum
// absolute 1e-5.
func checkGolden(t *testing.T, g golden, y []float64) {
	t.Helper()
	if len(y) != len(g.f32) {
		t.Fatalf("%s: %d samples, want %d", g.name, len(y), len(g.f32))
	}
	for i, h := range g.head {
		if d := math.Abs(y[i] - h); !(d <= 1e-9) {
			t.Errorf("%s: head[%d] = %.17g, want %.17g (diff %.3g)", g.name, i, y[i], h, d)
			break
		}
	}
	bad, wraps := 0, 0
	for i, gv := range g.f32 {
		d := math.Abs(y[i] - gv)
		if d <= 1e-6 || d <= 2e-6*math.Max(1, math.Abs(gv)) {
			continue
		}
		if math.Abs(d-1) < 1e-3 {
			wraps++
			continue
		}
		if bad < 3 {
			t.Errorf("%s: x[%d] = %.17g, want %.9g (diff %.3g)", g.name, i, y[i], gv, d)
		}
		bad++
	}
	if bad > 0 {
		t.Errorf("%s: %d samples out of tolerance", g.name, bad)
	}
	if wraps > 0 {
		t.Errorf("%s: %d samples differ by ≈1.0 (saw wrapped on a different sample)", g.name, wraps)
	}
	var ss, sum float64
	for _, v := range y {
		ss += v * v
		sum += v
	}
	rms := math.Sqrt(ss / float64(len(y)))
	if d := math.Abs(rms-g.rms) / g.rms; !(d <= 1e-9) {
		t.Errorf("%s: rms %.17g, want %.17g (rel %.3g)", g.name, rms, g.rms, d)
	}
	if d := math.Abs(sum - g.sum); !(d <= 1e-5) {
		t.Errorf("%s: sum %.17g, want %.17g (diff %.3g)", g.name, sum, g.sum, d)
	}
}

// TestReferenceGolden validates the hand-written loops, which then serve
// as an oracle and a benchmark baseline.
func TestReferenceGolden(t *testing.T) {
	for _, g := range loadGoldens(t) {
		y := make([]float64, len(g.f32))
		reference.Render(g.program, 44100, g.values, y, nil)
		checkGolden(t, g, y)
		// The Jacobian pass must render the same values.
		jac := [][]float64{make([]float64, len(y)), make([]float64, len(y))}
		y2 := make([]float64, len(y))
		reference.Render(g.program, 44100, g.values, y2, jac)
		for i := range y {
			if y[i] != y2[i] {
				t.Fatalf("%s: value pass and jacobian pass differ at %d: %g vs %g", g.name, i, y[i], y2[i])
			}
		}
	}
}
