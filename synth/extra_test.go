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
)

// TestExtraGolden renders programs that exercise every library function
// and primitive of the language subset and compares them with renderings
// of the real Faust compiler (testdata/golden-extra/README.md): 4096
// samples, exact float64. Tolerance: 1e-9 relative to the rendering's
// peak. Programs with discontinuities (floor, int, comparisons, wrapping
// phasors) may flip a step one sample early or late when the last bit of
// an argument differs from Faust's; such samples (|diff| > 1e-6) are
// counted and at most 2 per rendering are accepted.
func TestExtraGolden(t *testing.T) {
	dir := "testdata/golden-extra"
	f, err := os.Open(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	progs := map[string]*Program{}
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "name\t") {
			continue
		}
		col := strings.Split(line, "\t")
		name, prog := col[0], col[1]
		t.Run(name, func(t *testing.T) {
			p := progs[prog]
			if p == nil {
				path := filepath.Join(dir, "dsp", prog+".dsp")
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				p, err = Compile(path, src, 44100)
				if err != nil {
					t.Fatal(err)
				}
				progs[prog] = p
			}
			values := make([]float64, len(p.Params()))
			for k, q := range p.Params() {
				values[k] = q.Init
			}
			for _, kv := range strings.Fields(col[2]) {
				key, val, _ := strings.Cut(kv, "=")
				v, err := strconv.ParseFloat(val, 64)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for k, q := range p.Params() {
					if q.Name == key {
						values[k], found = v, true
					}
				}
				if !found {
					t.Fatalf("program has no parameter %q (has %v)", key, p.Params())
				}
			}
			b, err := os.ReadFile(filepath.Join(dir, "data", name+".f64"))
			if err != nil {
				t.Fatal(err)
			}
			g := make([]float64, len(b)/8)
			peak := 0.0
			for i := range g {
				g[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
				peak = math.Max(peak, math.Abs(g[i]))
			}
			y := make([]float64, len(g))
			p.Render(values, y, nil)
			tol := 1e-9 * math.Max(1, peak)
			steps, worst, worstAt := 0, 0.0, 0
			for i := range g {
				d := math.Abs(y[i] - g[i])
				if d > 1e-6 {
					if steps < 3 {
						t.Logf("sample %d: %.17g, want %.17g", i, y[i], g[i])
					}
					steps++
					continue
				}
				if !(d <= worst) {
					worst, worstAt = d, i
				}
			}
			if steps > 2 {
				t.Errorf("%d samples differ by more than 1e-6", steps)
			}
			if !(worst <= tol) {
				t.Errorf("max difference %.3g at sample %d (got %.17g, want %.17g), tolerance %.3g", worst, worstAt, y[worstAt], g[worstAt], tol)
			}
		})
	}
}

// TestExtraJacobianFD checks the Jacobian of the extra programs that are
// differentiable in their sliders against finite differences (at the
// defaults, 4096 samples). osc is left out on purpose: os.oscsin reads a
// sine table at an int index, so by the documented rules its derivative
// with respect to frequency is 0 (docs/faust-derivatives.md). syntax is
// checked in its slider a only: b sets a saw's frequency, and the saw's wraps go
// through a recursive smoother, so a wrap that moves by one sample leaves a
// decaying trace that finite differences cannot resolve.
func TestExtraJacobianFD(t *testing.T) {
	steps := map[string]float64{
		"lowpass": 1e-5, "highpass": 1e-5, "tf": 1e-5, "tfs": 1e-5, "reson": 1e-5,
		"dcsmooth": 1e-6, "math1": 1e-6, "math2": 1e-8, "select": 1e-8, "delays": 1e-5, "syntax": 1e-8,
	}
	for prog, rel := range steps {
		path := filepath.Join("testdata/golden-extra/dsp", prog+".dsp")
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(path, src, 44100)
		if err != nil {
			t.Fatal(err)
		}
		values := make([]float64, len(p.Params()))
		for k, q := range p.Params() {
			values[k] = q.Init
		}
		render, params := p.Render, p.Params()
		if prog == "syntax" {
			// Check ∂/∂a only: pin b to its default.
			params = params[:1]
			b := values[1]
			render = func(v, out []float64, jac [][]float64) {
				full := []float64{v[0], b}
				if jac == nil {
					p.Render(full, out, nil)
					return
				}
				p.Render(full, out, [][]float64{jac[0], make([]float64, len(out))})
			}
			values = values[:1]
		}
		checkJacobianFD(t, prog, render, params, values, rel, 4096)
	}
}
