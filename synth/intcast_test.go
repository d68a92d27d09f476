package synth

import "testing"

// int() of values outside the int32 range is INT_MIN in compiled Faust
// (x86-64 cvttsd2si); the engine at run time and the front end's constant
// folding must agree on it.
func TestIntCastOutOfRange(t *testing.T) {
	for _, c := range []struct {
		src  string
		v    float64
		want float64
	}{
		{`process = int(hslider("x",0,-1e12,1e12,1));`, 3e9, -2147483648},
		{`process = int(hslider("x",0,-1e12,1e12,1));`, -3e9, -2147483648},
		{`process = int(hslider("x",0,-1e12,1e12,1));`, 2147483647.9, 2147483647},
		{`process = int(hslider("x",0,-1e12,1e12,1));`, -2147483648.9, -2147483648},
		{`process = int(hslider("x",0,-1e12,1e12,1));`, -7.9, -7},
		{`process = int(3e9) + 0*hslider("x",0,0,1,1);`, 0, -2147483648},
	} {
		p, err := Compile("t.dsp", []byte(c.src), 44100)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, 3)
		p.Render([]float64{c.v}, out, nil)
		if out[2] != c.want {
			t.Errorf("%s at %g: got %v, want %v", c.src, c.v, out[2], c.want)
		}
	}
}
