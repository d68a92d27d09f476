package faust_test

import (
	"fmt"

	"github.com/soundmatch/soundmatch/faust"
)

func ExampleCompile() {
	src := `import("stdfaust.lib");
freq = hslider("freq", 440, 20, 1000, 1);
process = os.lf_sawpos(freq) : fi.lowpass(2, 1000);`
	g, err := faust.Compile("saw.dsp", []byte(src), 44100)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range g.Controls {
		fmt.Printf("%s %s init=%g range=[%g, %g] step=%g\n", c.Kind, c.Label, c.Init, c.Min, c.Max, c.Step)
	}
	fmt.Println(len(g.Outputs), "output")

	_, err = faust.Compile("bad.dsp", []byte("process = _,_ : sin;"), 44100)
	fmt.Println(err)
	// Output:
	// hslider freq init=440 range=[20, 1000] step=1
	// 1 output
	// bad.dsp:1:15: in the sequential composition A:B, the number of outputs of A (2) must equal the number of inputs of B (1)
}
