package synth

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/soundmatch/soundmatch/faust"
)

// FuzzCompile feeds arbitrary source through the front end and the graph
// compiler and renders what compiles: nothing may panic, and the compiled
// program must render exactly what the naive evaluator (naive_test.go)
// renders from the same graph.
func FuzzCompile(f *testing.F) {
	for _, b := range Builtins() {
		src, _ := BuiltinSource(b)
		f.Add(src)
	}
	files, _ := filepath.Glob("testdata/golden-extra/dsp/*.dsp")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(`process = 1 : (+ : @(3)) ~ (_ <: _, mem :> *(0.5));`))
	f.Add([]byte(`x = hslider("x",0,-1,1,0.1); process = select2(x > 0, min(x, 0.5), abs(x) : sqrt) : int : float;`))
	f.Fuzz(func(t *testing.T, src []byte) {
		g, err := faust.Compile("fuzz.dsp", src, 44100)
		if err != nil {
			return
		}
		p, err := FromGraph("fuzz.dsp", g)
		if err != nil {
			return
		}
		values := make([]float64, len(p.Params()))
		for k, q := range p.Params() {
			values[k] = q.Init
		}
		out := make([]float64, 64)
		jac := make([][]float64, len(values))
		for k := range jac {
			jac[k] = make([]float64, 64)
		}
		p.Render(values, out, jac)
		want, _ := naiveRender(g, values, len(out))
		for i := range out {
			if out[i] != want[i] && !(math.IsNaN(out[i]) && math.IsNaN(want[i])) {
				t.Fatalf("sample %d: compiled %.17g, naive %.17g", i, out[i], want[i])
			}
		}
		p.Clone().Render(values, out, nil)
	})
}
