package match

import (
	"testing"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/synth"
)

// The loop's own cost (u ↔ value maps, the chain rule over 44100 samples,
// the optimizer, the trajectory record) is measured with a program and a
// loss that do nothing, and compared with BenchmarkIteration's full
// iterations: the issue asks for under 5%.

type idleProgram struct{ params []synth.Param }

func (p idleProgram) Params() []synth.Param                         { return p.params }
func (p idleProgram) Render(values, out []float64, jac [][]float64) {}

type idleLoss struct{}

func (idleLoss) Eval(x, grad []float64) float64 { return 0 }

func BenchmarkLoopOverhead(b *testing.B) {
	prog, _ := synth.Load("add-sinesaw", 44100)
	fake := idleProgram{prog.Params()}
	target := make([]float64, 44100)
	cfg := DefaultConfig()
	cfg.Iterations = b.N
	r, err := newRunnerWithLoss(fake, "idle", idleLoss{}, target, nil, []float64{500, 500}, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		r.step(it)
	}
}

func BenchmarkIteration(b *testing.B) {
	for _, name := range synth.Builtins() {
		for _, ln := range []string{"l1-spec", "dtw-envelope"} {
			if _, ok := loss.Lookup(ln); !ok {
				continue
			}
			b.Run(name+"/"+ln, func(b *testing.B) {
				prog, err := synth.Load(name, 44100)
				if err != nil {
					b.Fatal(err)
				}
				tv, sv := DrawTrial(prog.Params(), 1)
				target := make([]float64, 44100)
				prog.Render(tv, target, nil)
				cfg := DefaultConfig()
				cfg.Loss = ln
				cfg.Iterations = b.N + 1
				r, err := newRunner(prog, name, target, tv, sv, cfg)
				if err != nil {
					b.Fatal(err)
				}
				for k, p := range r.params {
					r.u[k] = ToU(p, sv[k])
				}
				r.step(0) // first render sizes the program's buffers
				b.ReportAllocs()
				b.ResetTimer()
				for it := 1; it <= b.N; it++ {
					r.step(it)
				}
			})
		}
	}
}
