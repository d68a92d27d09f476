package audio

import (
	"math"
	"testing"
)

func sine(n, rate int, freq, amp float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
	}
	return x
}

// interiorMaxErr compares y (at rate to) with the analytic sine, away from
// the edges where the zero extension of the input shows.
func interiorMaxErr(y []float64, to int, freq, amp float64, margin int) float64 {
	var worst float64
	for m := margin; m < len(y)-margin; m++ {
		want := amp * math.Sin(2*math.Pi*freq*float64(m)/float64(to))
		worst = math.Max(worst, math.Abs(y[m]-want))
	}
	return worst
}

func TestResamplePassband(t *testing.T) {
	cases := []struct {
		from, to int
		freq     float64 // Hz, inside 90% of the lower Nyquist frequency
	}{
		{48000, 44100, 0.88 * 22050},
		{44100, 48000, 0.88 * 22050},
		{22050, 44100, 0.88 * 11025},
		{96000, 44100, 1000},
		{44100, 44099, 15000}, // 44099 distinct phases: kernels computed per sample
		{8000, 44100, 3500},
	}
	for _, c := range cases {
		x := sine(c.from/4, c.from, c.freq, 0.5)
		y := Resample(x, c.from, c.to)
		if want := (len(x)*c.to + c.from - 1) / c.from; len(y) != want {
			t.Errorf("%d→%d: len %d, want %d", c.from, c.to, len(y), want)
		}
		// 3e-5 of a 0.5 amplitude is −84 dB: far below anything audible,
		// above the filter's 1e-5 ripple.
		e := interiorMaxErr(y, c.to, c.freq, 0.5, c.to/50)
		t.Logf("%d→%d at %.0f Hz: max error %.3g", c.from, c.to, c.freq, e)
		if e > 3e-5 {
			t.Errorf("%d→%d at %.0f Hz: max error %.3g, want ≤ 3e-5", c.from, c.to, c.freq, e)
		}
	}
}

func TestResampleStopband(t *testing.T) {
	// Downsampling 96 kHz → 44.1 kHz: a tone at 112% of the new Nyquist
	// frequency would alias to 19.4 kHz; it must be attenuated ≥ 90 dB.
	const from, to = 96000, 44100
	freq := 1.12 * 22050
	x := sine(from/4, from, freq, 1)
	y := Resample(x, from, to)
	var peak float64
	for m := to / 50; m < len(y)-to/50; m++ {
		peak = math.Max(peak, math.Abs(y[m]))
	}
	db := 20 * math.Log10(peak)
	t.Logf("stopband peak %.1f dB", db)
	if db > -90 {
		t.Errorf("stopband tone at %.0f Hz: peak %.1f dB, want ≤ −90 dB", freq, db)
	}
}

func TestResampleDCAndIdentity(t *testing.T) {
	x := make([]float64, 4000)
	for i := range x {
		x[i] = 1
	}
	y := Resample(x, 16000, 44100)
	for m := 500; m < len(y)-500; m++ {
		if math.Abs(y[m]-1) > 1e-5 {
			t.Fatalf("DC gain at %d = %v, want 1", m, y[m])
		}
	}
	z := Resample(x[:10], 44100, 44100)
	z[0] = 7
	if x[0] != 1 || len(z) != 10 {
		t.Error("Resample with equal rates must return a copy")
	}
}

func TestBesselI0(t *testing.T) {
	// Values from scipy.special.i0.
	for _, c := range []struct{ x, want float64 }{
		{0, 1}, {1, 1.2660658777520082}, {10.0611, 2983.7655255709847},
	} {
		got := besselI0(c.x)
		if math.Abs(got-c.want) > 1e-7*c.want {
			t.Errorf("I0(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

func BenchmarkResample48kTo44k1(b *testing.B) {
	x := sine(48000, 48000, 440, 0.5)
	for b.Loop() {
		Resample(x, 48000, 44100)
	}
}
