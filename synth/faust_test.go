package synth

import "testing"

// TestBuiltinGolden renders the built-in programs, compiled from their
// Faust source, and checks the real compiler's renderings.
func TestBuiltinGolden(t *testing.T) {
	progs := map[string]*Program{}
	for _, g := range loadGoldens(t) {
		p := progs[g.program]
		if p == nil {
			var err error
			p, err = Load(g.program, 44100)
			if err != nil {
				t.Fatal(err)
			}
			progs[g.program] = p
		}
		y := make([]float64, len(g.f32))
		p.Render(g.values, y, nil)
		checkGolden(t, g, y)
		jac := [][]float64{make([]float64, len(y)), make([]float64, len(y))}
		y2 := make([]float64, len(y))
		p.Render(g.values, y2, jac)
		for i := range y {
			if y[i] != y2[i] {
				t.Fatalf("%s: value pass and jacobian pass differ at %d: %g vs %g", g.name, i, y[i], y2[i])
			}
		}
	}
}

func TestBuiltinJacobianFD(t *testing.T) {
	n := 44100
	if testing.Short() {
		n = 8192
	}
	for name, sets := range fdSettings {
		p, err := Load(name, 44100)
		if err != nil {
			t.Fatal(err)
		}
		for _, vals := range sets {
			checkJacobianFD(t, name, p.Render, p.Params(), vals, fdStep[name], n)
		}
	}
}
