package loss

import (
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

func noise(seed uint64, n int, amp float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := make([]float64, n)
	for i := range x {
		x[i] = amp * rng.NormFloat64()
	}
	return x
}

type lossCase struct {
	name     string
	settings map[string]string
	n        int
	amp      float64 // noise amplitude of the test signals
	ref      func(x, t []float64) float64
	h        float64 // finite-difference step relative to amp (default 1e-6)
}

var lossCases = []lossCase{
	{"l1-spec", nil, 3000, 0.5, refL1Spec, 0},
	{"simse-spec", nil, 3000, 1, refSimse, 0},
	{"dtw-envelope", nil, 3000, 0.1, func(x, t []float64) float64 { return refDTWEnvelope(x, t, false) }, 0},
	{"dtw-envelope", map[string]string{"divergence": "true"}, 3000, 0.1, func(x, t []float64) float64 { return refDTWEnvelope(x, t, true) }, 0},
	{"mss", nil, 5000, 0.5, refMSS, 0},
	// log|X| bends sharply where |X| is small and |log S_x − log S_t| has
	// kinks; a smaller step keeps both out of the central difference.
	{"mrstft", nil, 3000, 0.5, func(x, t []float64) float64 { return refMRSTFT(x, t, 1, 1) }, 1e-8},
	{"mrstft", map[string]string{"w_log_mag": "0", "w_sc": "2"}, 3000, 0.5, func(x, t []float64) float64 { return refMRSTFT(x, t, 2, 0) }, 0},
	{"mel-l1", nil, 4000, 0.5, func(x, t []float64) float64 { return refMelL1(x, t, 1) }, 0},
	{"mel-l1", map[string]string{"power": "2"}, 4000, 0.5, func(x, t []float64) float64 { return refMelL1(x, t, 2) }, 0},
}

func (c lossCase) label() string {
	s := c.name
	for _, k := range slices.Sorted(maps.Keys(c.settings)) {
		s += " " + k + "=" + c.settings[k]
	}
	return s
}

func TestValuesMatchReference(t *testing.T) {
	for i, c := range lossCases {
		x, tg := noise(uint64(10+i), c.n, c.amp), noise(uint64(50+i), c.n, c.amp)
		l, err := New(c.name, tg, c.settings)
		if err != nil {
			t.Fatal(err)
		}
		got, want := l.Eval(x, nil), c.ref(x, tg)
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s: %.17g, reference %.17g", c.label(), got, want)
		}
		// With a gradient requested the value must not change.
		g := make([]float64, c.n)
		if v := l.Eval(x, g); v != got {
			t.Errorf("%s: value with gradient %.17g, without %.17g", c.label(), v, got)
		}
		// Identical sounds: zero for every loss except plain soft-DTW.
		if c.name != "dtw-envelope" || c.settings["divergence"] == "true" {
			if v := l.Eval(tg, nil); math.Abs(v) > 1e-9 {
				t.Errorf("%s: L(t, t) = %g", c.label(), v)
			}
		}
	}
}

// Directional derivatives of every loss agree with central differences.
func TestGradientsFiniteDifference(t *testing.T) {
	for i, c := range lossCases {
		x, tg := noise(uint64(20+i), c.n, c.amp), noise(uint64(60+i), c.n, c.amp)
		l, err := New(c.name, tg, c.settings)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, c.n)
		l.Eval(x, g)
		for trial := range 2 {
			d := noise(uint64(100+10*i+trial), c.n, 1)
			an := 0.0
			for k := range d {
				an += g[k] * d[k]
			}
			h := 1e-6 * c.amp
			if c.h != 0 {
				h = c.h * c.amp
			}
			xp, xm := slices.Clone(x), slices.Clone(x)
			for k := range x {
				xp[k] += h * d[k]
				xm[k] -= h * d[k]
			}
			fd := (l.Eval(xp, nil) - l.Eval(xm, nil)) / (2 * h)
			rel := math.Abs(fd-an) / math.Abs(fd)
			t.Logf("%s: relative difference %.1e", c.label(), rel)
			if rel > 1e-6 {
				t.Errorf("%s: directional derivative %.12g, central difference %.12g (rel %.2g)", c.label(), an, fd, rel)
			}
		}
	}
}

func TestZeroSignals(t *testing.T) {
	for i, c := range lossCases {
		sig := noise(uint64(30+i), c.n, c.amp)
		zero := make([]float64, c.n)
		for _, pair := range [][2][]float64{{zero, sig}, {sig, zero}, {zero, zero}} {
			l, err := New(c.name, pair[1], c.settings)
			if err != nil {
				t.Fatal(err)
			}
			g := make([]float64, c.n)
			v := l.Eval(pair[0], g)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: value %g", c.label(), v)
			}
			for k, gv := range g {
				if math.IsNaN(gv) || math.IsInf(gv, 0) {
					t.Fatalf("%s: gradient[%d] = %g", c.label(), k, gv)
				}
			}
		}
	}
}

func TestEvalAllocs(t *testing.T) {
	for i, c := range lossCases {
		x, tg := noise(uint64(40+i), c.n, c.amp), noise(uint64(70+i), c.n, c.amp)
		l, err := New(c.name, tg, c.settings)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, c.n)
		if a := testing.AllocsPerRun(3, func() { l.Eval(x, g) }); a != 0 {
			t.Errorf("%s: %v allocations per Eval", c.label(), a)
		}
	}
}

func TestRegistryDefaults(t *testing.T) {
	for _, name := range []string{"l1-spec", "simse-spec", "dtw-envelope", "mss", "mrstft", "mel-l1"} {
		if _, ok := Lookup(name); !ok {
			t.Fatalf("%s not registered", name)
		}
	}
	// METHOD §4–6 defaults.
	want := map[string]map[string]string{
		"l1-spec":      {"n_fft": "512", "win_length": "600", "hop": "100", "window": "hann", "center": "true", "normalize": "true"},
		"simse-spec":   {"n_fft": "512", "win_length": "600", "hop": "100", "clip_max": "1"},
		"dtw-envelope": {"gamma": "1", "smooth_taps": "21", "smooth_sigma": "3", "divergence": "false", "n_fft": "512"},
		"mss":          {"scales": "512,1024,2048,4096", "hop": "100", "eps": "1e-7", "peak_normalize": "true", "window": "hann"},
	}
	for name, kv := range want {
		spec, _ := Lookup(name)
		s, err := spec.Resolve(nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range kv {
			if s[k] != v {
				t.Errorf("%s %s default %q, want %q", name, k, s[k], v)
			}
		}
		for _, st := range spec.Settings {
			if st.Doc == "" {
				t.Errorf("%s %s: no doc", name, st.Name)
			}
		}
	}
}

func TestSettingErrors(t *testing.T) {
	tg := noise(1, 5000, 0.5)
	bad := []struct {
		name string
		set  map[string]string
	}{
		{"l1-spec", map[string]string{"n_fft": "x"}},
		{"l1-spec", map[string]string{"hop": "0"}},
		{"l1-spec", map[string]string{"window": "kaiser"}},
		{"l1-spec", map[string]string{"bogus": "1"}},
		{"dtw-envelope", map[string]string{"gamma": "0"}},
		{"dtw-envelope", map[string]string{"smooth_sigma": "-1"}},
		{"mss", map[string]string{"scales": "512,,1024"}},
		{"mss", map[string]string{"scales": "8192"}},
		{"mrstft", map[string]string{"hop_sizes": "1,2"}},
		{"mrstft", map[string]string{"eps": "0"}},
		{"mel-l1", map[string]string{"fmin": "30000"}},
		{"nope", nil},
	}
	for _, b := range bad {
		if _, err := New(b.name, tg, b.set); err == nil {
			t.Errorf("%s %v: no error", b.name, b.set)
		}
	}
	// Overrides take effect.
	l, err := New("dtw-envelope", tg, map[string]string{"smooth_taps": "0", "gamma": "0.5"})
	if err != nil {
		t.Fatal(err)
	}
	if l.(*DTWEnvelope).sm != nil || l.(*DTWEnvelope).dtw.gamma != 0.5 {
		t.Errorf("overrides ignored")
	}
}

func TestMSSScore(t *testing.T) {
	x, tg := noise(1, 6000, 0.3), noise(2, 6000, 0.7)
	v := MSS(x, tg)
	if r := refMSS(x, tg); math.Abs(v-r) > 1e-9*r {
		t.Fatalf("MSS %.17g, reference %.17g", v, r)
	}
	// Peak normalization makes the score scale invariant.
	x2 := slices.Clone(x)
	for i := range x2 {
		x2[i] *= -3
	}
	if v2 := MSS(x2, tg); math.Abs(v2-v) > 1e-9*v {
		t.Fatalf("MSS not scale invariant: %g vs %g", v2, v)
	}
	// The streaming score equals the plan.
	p, err := NewMSS(tg)
	if err != nil {
		t.Fatal(err)
	}
	if pv := p.Eval(x, nil); math.Abs(pv-v) > 1e-13*v {
		t.Fatalf("MSS %.17g, NewMSS %.17g", v, pv)
	}
	if v := MSS(tg, tg); v != 0 {
		t.Fatalf("MSS(t, t) = %g", v)
	}
	if v := MSS(x[:100], tg[:100]); !math.IsNaN(v) {
		t.Fatalf("MSS of 100 samples = %g, want NaN", v)
	}
}

func TestSoftDTWDivergenceNonNegative(t *testing.T) {
	d := NewSoftDTW(30, 30, 1)
	for s := range 20 {
		a, b := noise(uint64(s), 30, 3), noise(uint64(s+100), 30, 3)
		v := d.Value(a, b) - (d.Value(a, a)+d.Value(b, b))/2
		if v < -1e-9 {
			t.Fatalf("divergence %g < 0", v)
		}
	}
}

func TestPLoss(t *testing.T) {
	min, max := []float64{0, 20, 5}, []float64{10, 1020, 5}
	final, target := []float64{2.5, 520, 5}, []float64{5, 20, 5}
	if v := PLoss(min, max, final, target); math.Abs(v-(0.25+0.5)) > 1e-15 {
		t.Fatalf("PLoss = %g, want 0.75", v)
	}
	if v := PLossU([]float64{0, 3, -1}, []float64{0, -1, 2}); v != 5 {
		t.Fatalf("PLossU = %g, want 5", v)
	}
}

// At the METHOD length (1 s at 44.1 kHz: 441 × 257 spectrogram frames)
// the values still equal the references. SOUNDMATCH_LONG=1 adds the
// slower references and finite-difference checks at that length.
func TestMethodLength(t *testing.T) {
	long := os.Getenv("SOUNDMATCH_LONG") == "1"
	for i, c := range lossCases {
		slow := c.name == "mel-l1" || c.name == "mrstft"
		if slow && !long {
			continue
		}
		x, tg := noise(uint64(80+i), 44100, c.amp), noise(uint64(90+i), 44100, c.amp)
		l, err := New(c.name, tg, c.settings)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, len(x))
		got, want := l.Eval(x, g), c.ref(x, tg)
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s: %.17g, reference %.17g", c.label(), got, want)
		}
		// Finite differences at this length only for the losses without
		// many kinks: simse-spec (clip at 1), mss and the log term of
		// mrstft have so many |S_x − S_t| kinks among 10⁵–10⁶ bins that
		// some fall within any step large enough to beat rounding; their
		// gradients are checked on shorter sounds above.
		kinky := c.name == "simse-spec" || c.name == "mss" || c.h != 0
		if !long || kinky {
			continue
		}
		d := noise(uint64(200+i), len(x), 1)
		an := 0.0
		for k := range d {
			an += g[k] * d[k]
		}
		h := 1e-6 * c.amp
		xp, xm := slices.Clone(x), slices.Clone(x)
		for k := range x {
			xp[k] += h * d[k]
			xm[k] -= h * d[k]
		}
		fd := (l.Eval(xp, nil) - l.Eval(xm, nil)) / (2 * h)
		if math.Abs(fd-an) > 1e-6*math.Abs(fd) {
			t.Errorf("%s: directional derivative %.12g, central difference %.12g", c.label(), an, fd)
		}
	}
}

// With a small γ and large costs a naive log-sum-exp underflows; the
// stable soft-min stays finite and tends to the hard DTW distance.
func TestSoftDTWSmallGamma(t *testing.T) {
	a, b := noise(7, 40, 100), noise(8, 35, 100)
	inf := math.Inf(1)
	hard := make([][]float64, len(a)+1)
	for i := range hard {
		hard[i] = make([]float64, len(b)+1)
		for j := range hard[i] {
			hard[i][j] = inf
		}
	}
	hard[0][0] = 0
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := (a[i-1] - b[j-1]) * (a[i-1] - b[j-1])
			hard[i][j] = c + math.Min(hard[i-1][j-1], math.Min(hard[i-1][j], hard[i][j-1]))
		}
	}
	h := hard[len(a)][len(b)]
	for _, gamma := range []float64{1e-3, 1e-2, 1} {
		d := NewSoftDTW(len(a), len(b), gamma)
		v := d.Value(a, b)
		// Each soft-min lies within γ·log 3 below the hard minimum.
		if math.IsNaN(v) || v > h || h-v > gamma*math.Log(3)*float64(len(a)+len(b)) {
			t.Errorf("γ=%g: soft-DTW %g, hard DTW %g", gamma, v, h)
		}
		if r := refSoftDTW(a, b, gamma); math.Abs(v-r) > 1e-12*math.Abs(r) {
			t.Errorf("γ=%g: %g, reference %g", gamma, v, r)
		}
	}
}

// The soft-DTW gradient alone, against central differences, for several γ.
func TestSoftDTWGradient(t *testing.T) {
	for _, gamma := range []float64{0.1, 1, 10} {
		a, b := noise(9, 30, 2), noise(10, 25, 2)
		d := NewSoftDTW(30, 25, gamma)
		d.Value(a, b)
		ga, gb := make([]float64, len(a)), make([]float64, len(b))
		d.Gradient(a, b, ga, gb, 1)
		da, db := noise(11, 30, 1), noise(12, 25, 1)
		an := 0.0
		for i := range da {
			an += ga[i] * da[i]
		}
		for j := range db {
			an += gb[j] * db[j]
		}
		const h = 1e-6
		ap, am, bp, bm := slices.Clone(a), slices.Clone(a), slices.Clone(b), slices.Clone(b)
		for i := range a {
			ap[i] += h * da[i]
			am[i] -= h * da[i]
		}
		for j := range b {
			bp[j] += h * db[j]
			bm[j] -= h * db[j]
		}
		fd := (d.Value(ap, bp) - d.Value(am, bm)) / (2 * h)
		if math.Abs(fd-an) > 1e-6*math.Abs(fd) {
			t.Errorf("γ=%g: gradient %.12g, central difference %.12g", gamma, an, fd)
		}
	}
}
