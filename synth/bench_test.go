package synth

import (
	"testing"

	"github.com/soundmatch/soundmatch/synth/reference"
)

// BenchmarkReference times the hand-written loops: 1 s at 44100 Hz, with
// and without the full Jacobian. BenchmarkRender times the compiled
// programs on the same work; the target is Render/jacobian ≤ 3× this.
func BenchmarkReference(b *testing.B) {
	for _, name := range Builtins() {
		params := builtinParams[name]
		values := []float64{params[0].Init, params[1].Init}
		out := make([]float64, 44100)
		jac := [][]float64{make([]float64, 44100), make([]float64, 44100)}
		b.Run(name+"/value", func(b *testing.B) {
			for b.Loop() {
				reference.Render(name, 44100, values, out, nil)
			}
		})
		b.Run(name+"/jacobian", func(b *testing.B) {
			for b.Loop() {
				reference.Render(name, 44100, values, out, jac)
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	for _, name := range Builtins() {
		p, err := Load(name, 44100)
		if err != nil {
			b.Fatal(err)
		}
		values := make([]float64, len(p.Params()))
		for k, q := range p.Params() {
			values[k] = q.Init
		}
		out := make([]float64, 44100)
		jac := make([][]float64, len(values))
		for k := range jac {
			jac[k] = make([]float64, 44100)
		}
		b.Run(name+"/value", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Render(values, out, nil)
			}
		})
		b.Run(name+"/jacobian", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Render(values, out, jac)
			}
		})
	}
}
