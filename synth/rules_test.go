package synth

import (
	"math"
	"testing"
)

// TestNonSmoothRules checks the documented derivative rules at and near
// the points where operations are not differentiable. Each case is a
// program of one slider x; the derivative of the first sample is compared
// with the rule.
func TestNonSmoothRules(t *testing.T) {
	cases := []struct {
		body string
		x    float64
		want float64
	}{
		// outputs computed at control rate
		{"x", 3, 1},
		{"2*x + 1", 3, 2},
		// floor-type operations have derivative 0, so ma.frac passes it through
		{"x : ma.frac", 1.25, 1},
		{"x : ma.frac", 2, 1},
		{"x : ma.frac", -0.25, 1},
		{"floor(x)", 1.5, 0},
		{"ceil(3*x)", 1, 0},
		{"rint(x*x)", 1.5, 0},
		{"int(x)*1.0", 2.7, 0},
		{"float(int(x*7))", 0.3, 0},
		{"x - int(x)", 2.7, 1},
		{"fmod(3*x, 1)", 0.5, 3},
		{"x % 1.5", 2, 1},
		// comparisons are piecewise constant
		{"(x > 1)*1.0", 1, 0},
		{"(x == 1) + x", 1, 1},
		// select2 passes the chosen branch's derivative (selector 0 → first)
		{"select2(x > 1, 2*x, 3*x)", 1.5, 3},
		{"select2(x > 1, 2*x, 3*x)", 0.5, 2},
		{"select2(x > 1, 2*x, 3*x)", 1, 2},
		// min/max pass the chosen argument's derivative; ties pick the first
		{"min(x, 1)", 0.5, 1},
		{"min(x, 1)", 2, 0},
		{"min(x, 1)", 1, 1},
		{"min(1, x)", 1, 0},
		{"max(2*x, 1)", 0.5, 2},
		{"max(2*x, 1)", 0.25, 0},
		{"max(1, 2*x)", 0.5, 0},
		// abs: sign(x), 0 at 0
		{"abs(x)", -2, -1},
		{"abs(x)", 3, 1},
		{"abs(x)", 0, 0},
		// sqrt: 0 at 0 (instead of +Inf)
		{"sqrt(x)", 0, 0},
		{"sqrt(x)", 4, 0.25},
		// pow: the log term is dropped where the base is not positive
		{"pow(x, 2)", -3, -6},
		{"pow(2, x)", 3, 8 * math.Ln2},
		{"pow(x, x)", 0, 0},
	}
	for _, c := range cases {
		src := "import(\"stdfaust.lib\");\nx = hslider(\"x\",0,-10,10,0.01);\nprocess = " + c.body + ";\n"
		p, err := Compile("rule.dsp", []byte(src), 44100)
		if err != nil {
			t.Errorf("%s: %v", c.body, err)
			continue
		}
		out := make([]float64, 1)
		jac := [][]float64{make([]float64, 1)}
		p.Render([]float64{c.x}, out, jac)
		if got := jac[0][0]; math.Abs(got-c.want) > 1e-12*math.Max(1, math.Abs(c.want)) {
			t.Errorf("d/dx %s at x=%g: got %.17g, want %g", c.body, c.x, got, c.want)
		}
	}
}

// TestIntHasZeroTangent: a recursion in ints (the noise generator) carries
// no tangent, and a slider converted to int stops the derivative.
func TestIntHasZeroTangent(t *testing.T) {
	src := `import("stdfaust.lib");
a = hslider("a",0.5,0,1,0.01);
process = no.noise*a + (int(a*1000) : +~_)*1.0;`
	p, err := Compile("int.dsp", []byte(src), 44100)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 64)
	jac := [][]float64{make([]float64, 64)}
	p.Render([]float64{0.5}, out, jac)
	noise := make([]float64, 64)
	var r int32
	for n := range noise {
		r = 1103515245*r + 12345
		noise[n] = float64(r) / 2147483647.0
	}
	for n := range out {
		if math.Abs(jac[0][n]-noise[n]) > 1e-15 {
			t.Fatalf("sample %d: ∂/∂a = %.17g, want the noise %.17g", n, jac[0][n], noise[n])
		}
	}
}
