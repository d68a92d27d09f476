package synth

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/soundmatch/soundmatch/faust"
)

func TestRenderAllocs(t *testing.T) {
	for _, name := range Builtins() {
		p, err := Load(name, 44100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Params(), builtinParams[name]) {
			t.Errorf("%s: parameters %v, want %v", name, p.Params(), builtinParams[name])
		}
		values := []float64{p.Params()[0].Init, p.Params()[1].Init}
		out := make([]float64, 1000)
		jac := [][]float64{make([]float64, 1000), make([]float64, 1000)}
		if a := testing.AllocsPerRun(5, func() { p.Render(values, out, nil) }); a != 0 {
			t.Errorf("%s: Render without jacobian allocates %v times", name, a)
		}
		if a := testing.AllocsPerRun(5, func() { p.Render(values, out, jac) }); a != 0 {
			t.Errorf("%s: Render with jacobian allocates %v times", name, a)
		}
	}
}

// TestRenderRestarts: every Render starts from zero state, whatever ran
// before (also with a ring-buffer delay and a shift-register history).
func TestRenderRestarts(t *testing.T) {
	src := `import("stdfaust.lib");
g = hslider("g",0.5,0,0.9,0.01);
process = no.noise : (+ : @(300)) ~ *(g) : fi.lowpass(2, 500);`
	p, err := Compile("restart.dsp", []byte(src), 44100)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]float64, 2000)
	b := make([]float64, 2000)
	jac := [][]float64{make([]float64, 2000)}
	p.Render([]float64{0.5}, a, nil)
	p.Render([]float64{0.8}, b, jac)
	p.Render([]float64{0.5}, b, nil)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("sample %d: %g after another render, %g from fresh", i, b[i], a[i])
		}
	}
}

func TestCloneConcurrent(t *testing.T) {
	p, err := Load("bp-noise", 44100)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 4096)
	p.Render([]float64{700, 80}, want, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		q := p.Clone()
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]float64, 4096)
			jac := [][]float64{make([]float64, 4096), make([]float64, 4096)}
			for range 3 {
				q.Render([]float64{700, 80}, out, jac)
				for i := range out {
					if out[i] != want[i] {
						errs <- fmt.Errorf("clone %d: sample %d differs", g, i)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCompileErrors(t *testing.T) {
	// The front end rejects these with positions; FromGraph checks again
	// for graphs built by other means.
	b := newGraph(44100)
	d := b.slider("d", 1, 0, 10, 1)
	g1 := b.process(&faust.Sig{Op: faust.OpDelay, Type: faust.Real, Args: []*faust.Sig{real(1), d}})
	if _, err := FromGraph("g1", g1); err == nil || !strings.Contains(err.Error(), "variable delays are not supported") {
		t.Errorf("variable delay: error %v", err)
	}
	g2 := newGraph(44100).process(delay(real(1), maxDelay+1))
	if _, err := FromGraph("g2", g2); err == nil || !strings.Contains(err.Error(), "longer than the supported") {
		t.Errorf("long delay: error %v", err)
	}
	g3 := newGraph(44100).process(&faust.Sig{Op: faust.OpInput, Type: faust.Real})
	if _, err := FromGraph("g3", g3); err == nil || !strings.Contains(err.Error(), "inputs") {
		t.Errorf("input: error %v", err)
	}
	// y = y@2 (a cycle of delays alone) is the constant 0.
	r := &faust.Rec{Defs: make([]*faust.Sig, 1)}
	r.Defs[0] = delay(&faust.Sig{Op: faust.OpRecRef, Type: faust.Real, Rec: r}, 1)
	p4, err := FromGraph("g4", newGraph(44100).process(add(r.Defs[0], real(2))))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 3)
	p4.Render(nil, out, nil)
	if out[0] != 2 || out[2] != 2 {
		t.Errorf("delay cycle: got %v, want all 2", out)
	}
	var sb strings.Builder
	for i := range 65 {
		fmt.Fprintf(&sb, "+hslider(\"s%d\",0,0,1,0.1)", i)
	}
	if _, err := Compile("many.dsp", []byte("process = 0"+sb.String()+";"), 44100); err == nil || !strings.Contains(err.Error(), "at most 64") {
		t.Errorf("65 sliders: error %v, want at most 64", err)
	}
	if _, err := Load("no-such-program", 44100); err == nil || !strings.Contains(err.Error(), "bp-noise") {
		t.Errorf("unknown program: error %v, want the list of built-ins", err)
	}
}
