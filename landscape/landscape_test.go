package landscape

import (
	"context"
	"math"
	"testing"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/synth"
)

// The grid contains the target (its values are chosen on the grid), so an
// in-domain landscape must have its minimum, zero, exactly there.
func TestLandscapeMinimumAtTarget(t *testing.T) {
	cases := []struct {
		program string
		lossN   string
		set     map[string]string
		pick    [2]int // grid indices of the target
	}{
		{"add-sinesaw", "l1-spec", nil, [2]int{5, 11}},
		{"bp-noise", "l1-spec", nil, [2]int{9, 3}},
		{"sinesaw-am", "simse-spec", nil, [2]int{2, 7}},
		// Plain soft-DTW is not 0 at equality; its divergence is.
		{"noise-am", "dtw-envelope", map[string]string{"divergence": "true"}, [2]int{12, 4}},
	}
	const grid = 16
	for _, c := range cases {
		prog, err := synth.Load(c.program, 44100)
		if err != nil {
			t.Fatal(err)
		}
		params := prog.Params()
		target := []float64{Axis(params[0], grid)[c.pick[0]], Axis(params[1], grid)[c.pick[1]]}
		res, err := Compute(context.Background(), prog, target, Config{Loss: c.lossN, LossSettings: c.set, X: 0, Y: 1, Grid: grid, Samples: 8192})
		if err != nil {
			t.Fatal(err)
		}
		if res.MinX != c.pick[0] || res.MinY != c.pick[1] {
			t.Errorf("%s/%s: minimum at grid (%d,%d), target at (%d,%d)", c.program, c.lossN, res.MinX, res.MinY, c.pick[0], c.pick[1])
		}
		if v := res.Values[c.pick[1]][c.pick[0]]; v != 0 {
			t.Errorf("%s/%s: loss at the target = %g, want 0", c.program, c.lossN, v)
		}
		// Every other point is strictly worse than the target.
		for iy, row := range res.Values {
			for ix, v := range row {
				if (ix != c.pick[0] || iy != c.pick[1]) && !(v > 0) {
					t.Errorf("%s/%s: loss %g at (%d,%d) not above the target's", c.program, c.lossN, v, ix, iy)
				}
			}
		}
	}
}

func TestLandscapeSameForAnyWorkerCount(t *testing.T) {
	prog, err := synth.Load("add-sinesaw", 44100)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Loss: "l1-spec", X: 1, Y: 0, Grid: 6, Samples: 4096}
	var first [][]float64
	for _, w := range []int{1, 2, 5} {
		cfg.Workers = w
		res, err := Compute(context.Background(), prog, []float64{300, 700}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res.Values
			continue
		}
		for i := range first {
			for j := range first[i] {
				if first[i][j] != res.Values[i][j] {
					t.Fatalf("workers %d: value (%d,%d) %v differs from %v", w, i, j, res.Values[i][j], first[i][j])
				}
			}
		}
	}
}

func TestLandscapeSlice(t *testing.T) {
	prog, _ := synth.Load("add-sinesaw", 44100)
	res, err := Compute(context.Background(), prog, []float64{400, Axis(prog.Params()[1], 9)[4]}, Config{Loss: "l1-spec", X: 1, Y: -1, Grid: 9, Samples: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Values) != 1 || len(res.Values[0]) != 9 || res.MinX != 4 || res.YValues != nil {
		t.Errorf("1-D slice: %d rows, min at %d, want 1 row, min at 4", len(res.Values), res.MinX)
	}
}

func TestLandscapeErrors(t *testing.T) {
	prog, _ := synth.Load("bp-noise", 44100)
	bad := []Config{
		{Loss: "l1-spec", X: 0, Y: 1, Grid: 1},
		{Loss: "l1-spec", X: 0, Y: 0, Grid: 4},
		{Loss: "l1-spec", X: 3, Y: 1, Grid: 4},
		{Loss: "nope", X: 0, Y: 1, Grid: 4},
	}
	for _, c := range bad {
		if _, err := Compute(context.Background(), prog, []float64{500, 60}, c); err == nil {
			t.Errorf("%+v: want error", c)
		}
	}
}

func TestDiagnose(t *testing.T) {
	prog, err := synth.Load("add-sinesaw", 44100)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Diagnose(context.Background(), prog, DiagnoseConfig{Loss: "l1-spec", Points: 12, Seed: 7, Samples: 4096, LineSteps: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Probes) != 12 || len(d.MedianGrad) != 2 {
		t.Fatalf("got %d probes, %d medians", len(d.Probes), len(d.MedianGrad))
	}
	// Check one probe's gradient against central differences in u space.
	p := d.Probes[0]
	tgt := make([]float64, 4096)
	prog.Render(p.Target, tgt, nil)
	l, _ := loss.New("l1-spec", tgt, nil)
	x := make([]float64, 4096)
	f := func(v []float64) float64 { prog.Render(v, x, nil); return l.Eval(x, nil) }
	params := prog.Params()
	for k := range params {
		h := 1e-6
		dv := h * (params[k].Max - params[k].Min) / 2
		vp := append([]float64(nil), p.Point...)
		vm := append([]float64(nil), p.Point...)
		vp[k] += dv
		vm[k] -= dv
		fd := (f(vp) - f(vm)) / (2 * h)
		if math.Abs(fd-p.Grad[k]) > 1e-4*math.Max(1e-3, math.Abs(fd)) {
			t.Errorf("param %d: gradient %g, central difference %g", k, p.Grad[k], fd)
		}
	}
	for _, pr := range d.Probes {
		if !math.IsNaN(pr.Cosine) && (pr.Cosine < -1-1e-12 || pr.Cosine > 1+1e-12) {
			t.Errorf("cosine %g out of [-1,1]", pr.Cosine)
		}
	}
	if d.TowardTarget < 0 || d.TowardTarget > 1 || d.MeanMonotone < 0 || d.MeanMonotone > 1 {
		t.Errorf("fractions out of range: %+v", d)
	}
}

// BenchmarkLandscape64 is the yardstick: a 64×64 l1-spec landscape
// of a built-in program (1-s renders) on all cores.
func BenchmarkLandscape64(b *testing.B) {
	for _, name := range synth.Builtins() {
		b.Run(name, func(b *testing.B) {
			prog, err := synth.Load(name, 44100)
			if err != nil {
				b.Fatal(err)
			}
			params := prog.Params()
			target := []float64{params[0].Init, params[1].Init}
			for i := 0; i < b.N; i++ {
				if _, err := Compute(context.Background(), prog, target, Config{Loss: "l1-spec", X: 0, Y: 1, Grid: 64}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
