package synth

import (
	"testing"
)

func compileHand(t testing.TB, name string) *Program {
	t.Helper()
	p, err := FromGraph(name, builtinGraph(name, 44100))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHandGraphGolden renders hand-built graphs of the built-ins (independent
// of the Faust front end) through the compiler and checks the goldens.
func TestHandGraphGolden(t *testing.T) {
	progs := map[string]*Program{}
	for _, g := range loadGoldens(t) {
		p := progs[g.program]
		if p == nil {
			p = compileHand(t, g.program)
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

func TestHandGraphJacobianFD(t *testing.T) {
	n := 44100
	if testing.Short() {
		n = 8192
	}
	for name, sets := range fdSettings {
		p := compileHand(t, name)
		for _, vals := range sets {
			checkJacobianFD(t, name, p.Render, p.Params(), vals, fdStep[name], n)
		}
	}
}
