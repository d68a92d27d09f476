package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveSTFT is an independent, direct implementation of the framing rules
// in STFTConfig's documentation: explicit padding, a naive DFT per frame.
func naiveSTFT(x []float64, nfft, hop int, w []float64, center, normalize bool, floor float64) [][]float64 {
	n := len(x)
	var xp []float64
	if center {
		p := nfft / 2
		for i := -p; i < n+p; i++ {
			j := i
			if j < 0 {
				j = -j
			}
			if j >= n {
				j = 2*(n-1) - j
			}
			xp = append(xp, x[j])
		}
	} else {
		xp = x
	}
	flen := len(w)
	if nfft > flen {
		flen = nfft
	}
	// Effective window over the frame.
	we := make([]float64, flen)
	if len(w) >= nfft {
		copy(we, w)
	} else {
		copy(we[(nfft-len(w))/2:], w)
	}
	scale := 1.0
	if normalize {
		e := 0.0
		for _, v := range w {
			e += v * v
		}
		scale = 1 / math.Sqrt(e)
	}
	var out [][]float64
	for start := 0; start+flen <= len(xp); start += hop {
		row := make([]float64, nfft/2+1)
		for k := range row {
			re, im := 0.0, 0.0
			for j := 0; j < nfft; j++ {
				v := xp[start+j] * we[j] * scale
				th := 2 * math.Pi * float64(k) * float64(j) / float64(nfft)
				re += v * math.Cos(th)
				im -= v * math.Sin(th)
			}
			row[k] = math.Sqrt(math.Max(re*re+im*im, floor))
		}
		out = append(out, row)
	}
	return out
}

type stftCase struct {
	name      string
	n, nfft   int
	hop       int
	w         []float64
	center    bool
	normalize bool
	floor     float64
}

var stftCases = []stftCase{
	{"method-small", 700, 64, 10, Hann(75), true, true, 0},
	{"shorter-window", 500, 64, 17, HannPeriodic(40), true, false, 1e-8},
	{"no-center", 400, 32, 7, Hann(32), false, false, 0},
	{"odd-nfft", 300, 30, 11, Hann(24), true, true, 0},
	{"odd-window-pad", 300, 64, 9, Hann(31), false, true, 0},
}

func TestSTFTForwardMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range stftCases {
		x := randSignal(rng, c.n)
		s, err := NewSTFT(STFTConfig{NFFT: c.nfft, Window: c.w, Hop: c.hop, Center: c.center, Normalize: c.normalize, PowerFloor: c.floor}, c.n)
		if err != nil {
			t.Fatal(err)
		}
		want := naiveSTFT(x, c.nfft, c.hop, c.w, c.center, c.normalize, c.floor)
		if len(want) != s.Frames() {
			t.Fatalf("%s: %d frames, naive %d", c.name, s.Frames(), len(want))
		}
		got := make([]float64, s.Frames()*s.Bins())
		s.Forward(got, x)
		for f, row := range want {
			for k, v := range row {
				if g := got[f*s.Bins()+k]; math.Abs(g-v) > 1e-12*(1+v) {
					t.Fatalf("%s: frame %d bin %d: %g, naive %g", c.name, f, k, g, v)
				}
			}
		}
	}
}

// The METHOD §4 geometry: 44100 samples give 441 × 257.
func TestSTFTMethodShape(t *testing.T) {
	s, err := NewSTFT(STFTConfig{NFFT: 512, Window: Hann(600), Hop: 100, Center: true, Normalize: true}, 44100)
	if err != nil {
		t.Fatal(err)
	}
	if s.Frames() != 441 || s.Bins() != 257 {
		t.Fatalf("shape %d × %d, want 441 × 257", s.Frames(), s.Bins())
	}
}

// The adjoint must give the directional derivative of Σ g·S(x) found by
// central differences.
func TestSTFTAdjointFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range stftCases {
		s, err := NewSTFT(STFTConfig{NFFT: c.nfft, Window: c.w, Hop: c.hop, Center: c.center, Normalize: c.normalize, PowerFloor: c.floor}, c.n)
		if err != nil {
			t.Fatal(err)
		}
		x := randSignal(rng, c.n)
		g := randSignal(rng, s.Frames()*s.Bins())
		d := randSignal(rng, c.n)
		S := make([]float64, len(g))
		f := func(x []float64) float64 {
			s.Forward(S, x)
			v := 0.0
			for i := range S {
				v += g[i] * S[i]
			}
			return v
		}
		f(x)
		grad := make([]float64, c.n)
		s.Adjoint(grad, g)
		an := 0.0
		for i := range d {
			an += grad[i] * d[i]
		}
		const h = 1e-6
		xp, xm := make([]float64, c.n), make([]float64, c.n)
		for i := range x {
			xp[i] = x[i] + h*d[i]
			xm[i] = x[i] - h*d[i]
		}
		fd := (f(xp) - f(xm)) / (2 * h)
		if math.Abs(fd-an) > 1e-6*math.Abs(fd) {
			t.Fatalf("%s: adjoint %.12g, finite difference %.12g", c.name, an, fd)
		}
	}
}

func TestSTFTErrors(t *testing.T) {
	bad := []struct {
		cfg STFTConfig
		n   int
	}{
		{STFTConfig{NFFT: 0, Hop: 1}, 100},
		{STFTConfig{NFFT: 64, Hop: 0}, 100},
		{STFTConfig{NFFT: 64, Hop: 1}, 10},
		{STFTConfig{NFFT: 64, Hop: 1, Center: true}, 32},
		{STFTConfig{NFFT: 64, Hop: 1, Window: make([]float64, 64), Normalize: true}, 100},
	}
	for i, b := range bad {
		if _, err := NewSTFT(b.cfg, b.n); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

func TestSTFTAllocs(t *testing.T) {
	s, _ := NewSTFT(STFTConfig{NFFT: 512, Window: Hann(600), Hop: 100, Center: true, Normalize: true}, 4410)
	x := randSignal(rand.New(rand.NewPCG(1, 1)), 4410)
	S := make([]float64, s.Frames()*s.Bins())
	g := make([]float64, 4410)
	if a := testing.AllocsPerRun(5, func() { s.Forward(S, x); s.Adjoint(g, S) }); a != 0 {
		t.Fatalf("%v allocs", a)
	}
}

func TestSmoother(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, taps := range []int{1, 2, 5, 21, 22} {
		h, err := GaussianKernel(taps, 3)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, v := range h {
			sum += v
		}
		if math.Abs(sum-1) > 1e-15 {
			t.Fatalf("taps %d: sum %g", taps, sum)
		}
		s := NewSmoother(h)
		for _, n := range []int{taps, 50} {
			x := randSignal(rng, n)
			// numpy.convolve(x, h, "same"): the full convolution, centred.
			full := make([]float64, n+taps-1)
			for i := range x {
				for k := range h {
					full[i+k] += x[i] * h[k]
				}
			}
			want := full[(taps-1)/2 : (taps-1)/2+n]
			got := make([]float64, n)
			s.Forward(got, x)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-14 {
					t.Fatalf("taps %d n %d i %d: %g want %g", taps, n, i, got[i], want[i])
				}
			}
			g := randSignal(rng, n)
			a := make([]float64, n)
			s.Adjoint(a, g)
			lhs, rhs := 0.0, 0.0
			for i := range g {
				lhs += got[i] * g[i]
				rhs += x[i] * a[i]
			}
			if math.Abs(lhs-rhs) > 1e-12 {
				t.Fatalf("taps %d: adjoint identity %g vs %g", taps, lhs, rhs)
			}
		}
	}
	// scipy.signal.windows.gaussian(5, 1) / sum.
	h, _ := GaussianKernel(5, 1)
	raw := []float64{math.Exp(-2), math.Exp(-0.5), 1, math.Exp(-0.5), math.Exp(-2)}
	rs := raw[0] + raw[1] + raw[2] + raw[3] + raw[4]
	for i := range h {
		if math.Abs(h[i]-raw[i]/rs) > 1e-16 {
			t.Fatalf("gaussian(5,1)[%d] = %g", i, h[i])
		}
	}
}

func TestMelScale(t *testing.T) {
	// Values from librosa's documentation.
	for _, c := range []struct{ hz, mel float64 }{{60, 0.9}, {110, 1.65}, {220, 3.3}, {440, 6.6}, {200, 3}, {1000, 15}} {
		if m := HzToMel(c.hz); math.Abs(m-c.mel) > 1e-12 {
			t.Errorf("HzToMel(%g) = %g, want %g", c.hz, m, c.mel)
		}
		if f := MelToHz(c.mel); math.Abs(f-c.hz) > 1e-9 {
			t.Errorf("MelToHz(%g) = %g, want %g", c.mel, f, c.hz)
		}
	}
	for _, f := range []float64{1500, 4000, 11025} {
		if g := MelToHz(HzToMel(f)); math.Abs(g-f) > 1e-9 {
			t.Errorf("round trip %g → %g", f, g)
		}
	}
}

func TestMelBankLibrosa(t *testing.T) {
	// librosa.filters.mel(sr=22050, n_fft=2048) in float64, first rows
	// (published in the documentation of a Rust port that checks against
	// librosa; see testdata/NOTE).
	b, err := NewMelBank(22050, 2048, 128, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want0 := []float64{0, 0.016182853208219942, 0.032365706416439884, 0.028990088037379964, 0.012807234829160026, 0}
	want1 := []float64{0, 0, 0, 0.009779235793639925, 0.025962089001859864, 0.035393705451959974, 0.01921085224374004, 0.003027999035520103, 0}
	for k, v := range want0 {
		if g := b.Weight(0, k); math.Abs(g-v) > 1e-12 {
			t.Errorf("W[0][%d] = %.17g, want %.17g", k, g, v)
		}
	}
	for k, v := range want1 {
		if g := b.Weight(1, k); math.Abs(g-v) > 1e-12 {
			t.Errorf("W[1][%d] = %.17g, want %.17g", k, g, v)
		}
	}
	// Slaney normalization: every triangle has unit area in Hz.
	df := 22050.0 / 2048
	for i := 0; i < b.Mels(); i++ {
		area := 0.0
		for k := 0; k < b.Bins(); k++ {
			area += b.Weight(i, k) * df
		}
		if i > 60 && math.Abs(area-1) > 0.01 {
			t.Errorf("filter %d: area %g", i, area)
		}
	}
	// Forward/Adjoint are transposes.
	rng := rand.New(rand.NewPCG(1, 2))
	spec := randSignal(rng, 3*b.Bins())
	g := randSignal(rng, 3*b.Mels())
	y := make([]float64, len(g))
	a := make([]float64, len(spec))
	b.Forward(y, spec)
	b.Adjoint(a, g)
	lhs, rhs := 0.0, 0.0
	for i := range y {
		lhs += y[i] * g[i]
	}
	for i := range a {
		rhs += a[i] * spec[i]
	}
	if math.Abs(lhs-rhs) > 1e-10 {
		t.Fatalf("adjoint identity %g vs %g", lhs, rhs)
	}
}

// TestSTFTMagnitudeEqualsForward checks that Magnitude (four frames at a
// time where the machine allows) gives the same bits as Forward's
// frame-by-frame magnitudes, including a NaN sample (0 where |X|² is NaN).
func TestSTFTMagnitudeEqualsForward(t *testing.T) {
	x := randSignal(rand.New(rand.NewPCG(11, 12)), 2000)
	for i, cfg := range []STFTConfig{
		{NFFT: 256, Window: Hann(300), Hop: 64, Center: true, Normalize: true},
		{NFFT: 512, Window: Hann(400), Hop: 100},
		{NFFT: 128, Hop: 37},
		{NFFT: 256, Hop: 50, Center: true, PowerFloor: 1e-3},
		{NFFT: 96, Hop: 50},
	} {
		for _, nan := range []bool{false, true} {
			x := append([]float64(nil), x...)
			if nan {
				x[1500] = math.NaN()
			}
			s, _ := NewSTFT(cfg, len(x))
			a := make([]float64, s.Frames()*s.Bins())
			b := make([]float64, len(a))
			s.Forward(a, x)
			s.Magnitude(b, x)
			mcfg := cfg
			mcfg.MagnitudeOnly = true
			m, _ := NewSTFT(mcfg, len(x))
			c := make([]float64, len(a))
			m.Magnitude(c, x)
			for k := range a {
				if math.Float64bits(a[k]) != math.Float64bits(b[k]) || math.Float64bits(a[k]) != math.Float64bits(c[k]) {
					t.Fatalf("config %d (NaN %v), value %d of %d frames: Forward %g, Magnitude %g, MagnitudeOnly %g",
						i, nan, k, s.Frames(), a[k], b[k], c[k])
				}
			}
		}
	}
	m, _ := NewSTFT(STFTConfig{NFFT: 64, Hop: 10, MagnitudeOnly: true}, 200)
	defer func() {
		if recover() == nil {
			t.Fatal("Forward on a MagnitudeOnly plan did not panic")
		}
	}()
	m.Forward(make([]float64, m.Frames()*m.Bins()), make([]float64, 200))
}

// BenchmarkSTFT is the METHOD §4 spectrogram of one second at 44.1 kHz,
// forward and adjoint.
func BenchmarkSTFT(b *testing.B) {
	x := randSignal(rand.New(rand.NewPCG(1, 1)), 44100)
	s, err := NewSTFT(STFTConfig{NFFT: 512, Window: Hann(600), Hop: 100, Center: true, Normalize: true}, len(x))
	if err != nil {
		b.Fatal(err)
	}
	S := make([]float64, s.Frames()*s.Bins())
	g := make([]float64, len(x))
	b.Run("forward", func(b *testing.B) { loopCPU(b, func() { s.Forward(S, x) }) })
	b.Run("magnitude", func(b *testing.B) { loopCPU(b, func() { s.Magnitude(S, x) }) })
	b.Run("adjoint", func(b *testing.B) { loopCPU(b, func() { s.Adjoint(g, S) }) })
}
