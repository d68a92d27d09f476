package loss

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"testing"
)

func readF64(t *testing.T, path string) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, len(b)/8)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return x
}

// Values computed by numpy/scipy (testdata/gen_reference.py) on two
// deterministic test sounds.
func TestAgainstNumpyScipy(t *testing.T) {
	x, tg := readF64(t, "testdata/x.f64"), readF64(t, "testdata/t.f64")
	raw, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]any
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key, name string
		set       map[string]string
	}{
		{"l1-spec", "l1-spec", nil},
		{"simse-spec", "simse-spec", nil},
		{"dtw-envelope", "dtw-envelope", nil},
		{"dtw-divergence", "dtw-envelope", map[string]string{"divergence": "true"}},
		{"mss", "mss", nil},
		{"mrstft", "mrstft", nil},
		{"mel-l1", "mel-l1", nil},
	}
	for _, c := range cases {
		l, err := New(c.name, tg, c.set)
		if err != nil {
			t.Fatal(err)
		}
		want := ref[c.key].(float64)
		if got := l.Eval(x, nil); math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s: %.17g, numpy %.17g", c.key, got, want)
		}
	}
	if got, want := MSS(x, tg), ref["mss"].(float64); math.Abs(got-want) > 1e-9*want {
		t.Errorf("MSS: %.17g, numpy %.17g", got, want)
	}
	st, err := newSpecSTFT(mustResolve(t, "l1-spec"), len(x))
	if err != nil {
		t.Fatal(err)
	}
	shape := ref["spec_shape"].([]any)
	if st.Frames() != int(shape[0].(float64)) || st.Bins() != int(shape[1].(float64)) {
		t.Fatalf("spectrogram %d × %d, numpy %v", st.Frames(), st.Bins(), shape)
	}
	S := make([]float64, st.Frames()*st.Bins())
	st.Magnitude(S, x)
	for k, v := range ref["spec_x_frame10_bins0_4"].([]any) {
		if got := S[10*st.Bins()+k]; math.Abs(got-v.(float64)) > 1e-12*v.(float64) {
			t.Errorf("S[10][%d] = %.17g, numpy %.17g", k, got, v)
		}
	}
}

func mustResolve(t *testing.T, name string) Settings {
	spec, _ := Lookup(name)
	s, err := spec.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
