package faust

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The golden renderings were made by the real Faust compiler (faust 2.54.9
// -double); see testdata/golden/NOTE.md. Each is checked here through the
// naive interpreter: the first 256 samples to 1e-9, and the full 44100
// samples against the manifest's rms and sum.

type goldenCase struct {
	name, prog string
	params     map[string]float64
	rms, sum   float64
	x1         float64 // x[n-1]
}

func readManifest(t *testing.T) []goldenCase {
	f, err := os.Open("testdata/golden/manifest.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []goldenCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "name\t") || line == "" {
			continue
		}
		fs := strings.Split(line, "\t")
		c := goldenCase{name: fs[0], prog: fs[1], params: map[string]float64{}}
		for _, kv := range strings.Fields(fs[2]) {
			k, v, _ := strings.Cut(kv, "=")
			c.params[k], _ = strconv.ParseFloat(v, 64)
		}
		c.rms, _ = strconv.ParseFloat(fs[4], 64)
		c.sum, _ = strconv.ParseFloat(fs[6], 64)
		c.x1, _ = strconv.ParseFloat(fs[9], 64)
		cases = append(cases, c)
	}
	if len(cases) != 13 {
		t.Fatalf("manifest has %d renderings, want 13", len(cases))
	}
	return cases
}

func readHead(t *testing.T, path string) []float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var xs []float64
	for _, l := range strings.Fields(string(b)) {
		x, err := strconv.ParseFloat(l, 64)
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	return xs
}

func controlValues(t *testing.T, g *Graph, params map[string]float64) []float64 {
	var v []float64
	for _, c := range g.Controls {
		x, ok := params[c.Label]
		if !ok {
			t.Fatalf("no value for control %s", c.Label)
		}
		v = append(v, x)
	}
	if len(v) != len(params) {
		t.Fatalf("program has controls %v, settings %v", g.Controls, params)
	}
	return v
}

func TestGoldenBuiltins(t *testing.T) {
	for _, c := range readManifest(t) {
		t.Run(c.name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata/golden", c.prog+".dsp"))
			if err != nil {
				t.Fatal(err)
			}
			g, err := Compile(c.prog+".dsp", src, 44100)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkGraph(g); err != nil {
				t.Fatal(err)
			}
			head := readHead(t, filepath.Join("testdata/golden", c.name+".head.txt"))
			n := len(head)
			if !testing.Short() {
				n = 44100
			}
			y := render(t, g, controlValues(t, g, c.params), n)
			for i, want := range head {
				if math.Abs(y[i]-want) > 1e-9 {
					t.Fatalf("sample %d = %.17g, golden %.17g", i, y[i], want)
				}
			}
			if n < 44100 {
				return
			}
			var ss, sum float64
			for _, x := range y {
				ss += x * x
				sum += x
			}
			rms := math.Sqrt(ss / float64(n))
			if math.Abs(rms-c.rms) > 1e-9*c.rms {
				t.Errorf("rms = %.17g, golden %.17g", rms, c.rms)
			}
			if math.Abs(sum-c.sum) > 1e-5 {
				t.Errorf("sum = %.17g, golden %.17g", sum, c.sum)
			}
			if math.Abs(y[n-1]-c.x1) > 1e-9 {
				t.Errorf("x[n-1] = %.17g, golden %.17g", y[n-1], c.x1)
			}
		})
	}
}
