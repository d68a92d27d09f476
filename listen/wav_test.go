package listen

import (
	"math"
	"testing"
)

func TestCommonGain(t *testing.T) {
	for _, c := range []struct {
		t, o []float64
		want float64
	}{
		{[]float64{0.5, -2}, []float64{1, 0.25}, 0.45}, // louder target: it peaks at 0.9
		{[]float64{0.1}, []float64{-0.3}, 3},           // quiet pair is raised, louder output peaks at 0.9
		{[]float64{0, 0}, []float64{0}, 1},             // silence stays silence
		{nil, nil, 1},
		{[]float64{math.Inf(1), 0.5}, []float64{math.NaN(), 0.1}, 1.8}, // non-finite samples do not set the gain
	} {
		if got := CommonGain(c.t, c.o); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("CommonGain(%v, %v) = %g, want %g", c.t, c.o, got, c.want)
		}
	}
}

func TestEncodeWAV16(t *testing.T) {
	x := []float64{0, 0.5, -0.5, 1, -1, 2, -2, math.NaN(), math.Inf(1), math.Inf(-1), 1.0 / 32768, 0.9}
	b := EncodeWAV16(x, 1, 22050)
	if len(b) != 44+2*len(x) {
		t.Fatalf("%d bytes, want %d", len(b), 44+2*len(x))
	}
	got := decodeRate(t, string(b), 22050)
	want := []float64{0, 0.5, -0.5, 32767.0 / 32768, -1, 32767.0 / 32768, -1, 0, 0, 0, 1.0 / 32768, math.Round(0.9*32768) / 32768}
	if len(got) != len(want) {
		t.Fatalf("decoded %d samples, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sample %d (%g): decoded %g, want %g", i, x[i], got[i], want[i])
		}
	}
	// The gain is applied before quantization.
	g := decodeRate(t, string(EncodeWAV16([]float64{0.25, -0.1}, 2, 8000)), 8000)
	if g[0] != 0.5 || g[1] != math.Round(-0.2*32768)/32768 {
		t.Errorf("gain 2: %v", g)
	}
}
