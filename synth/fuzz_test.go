package synth

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCompile feeds arbitrary source through the front end and the graph
// compiler and renders what compiles: nothing may panic, and a program
// that compiles must render without allocating an error.
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
		p, err := Compile("fuzz.dsp", src, 44100)
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
		p.Clone().Render(values, out, nil)
	})
}
