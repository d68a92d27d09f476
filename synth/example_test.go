package synth_test

import (
	"fmt"
	"strings"

	"github.com/soundmatch/soundmatch/synth"
)

func ExampleLoad() {
	prog, err := synth.Load("bp-noise", 44100)
	if err != nil {
		panic(err)
	}
	for _, p := range prog.Params() {
		fmt.Printf("%s: init %g, range [%g, %g], step %g\n", p.Name, p.Init, p.Min, p.Max, p.Step)
	}
	// Output:
	// lp_cut: init 900, range [50, 1000], step 1
	// hp_cut: init 100, range [1, 120], step 1
}

func ExampleProgram_Render() {
	src := []byte(`import("stdfaust.lib");
freq = hslider("freq", 441, 20, 2000, 1);
process = +(freq/ma.SR) ~ ma.frac;   // a phasor`)
	prog, err := synth.Compile("phasor.dsp", src, 44100)
	if err != nil {
		panic(err)
	}
	out := make([]float64, 4)
	jac := [][]float64{make([]float64, 4)} // ∂out[n]/∂freq
	prog.Render([]float64{441}, out, jac)
	for n := range out {
		fmt.Printf("out[%d] = %.2f   ∂/∂freq = %.6f\n", n, out[n], jac[0][n])
	}
	// Output:
	// out[0] = 0.01   ∂/∂freq = 0.000023
	// out[1] = 0.02   ∂/∂freq = 0.000045
	// out[2] = 0.03   ∂/∂freq = 0.000068
	// out[3] = 0.04   ∂/∂freq = 0.000091
}

func ExampleCompile_error() {
	_, err := synth.Compile("bad.dsp", []byte("process = +(1;\n"), 44100)
	// Errors start with file:line:col.
	fmt.Println(strings.Join(strings.SplitN(err.Error(), ":", 4)[:3], ":"))
	// Output:
	// bad.dsp:1:14
}
