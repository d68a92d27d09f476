package main

import (
	"strings"
	"testing"

	"github.com/soundmatch/soundmatch/synth"
)

func TestParseSettings(t *testing.T) {
	m, err := parseSettings("--set", []string{"n_fft=1024", " hop = 50 ", "hop=60", "fft_sizes=1,2,3", "empty="})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"n_fft": "1024", "hop": "60", "fft_sizes": "1,2,3", "empty": ""}
	if len(m) != len(want) {
		t.Fatalf("got %v, want %v", m, want)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	for _, bad := range []string{"hop", "=5", " =5"} {
		if _, err := parseSettings("--set", []string{bad}); err == nil || !strings.Contains(err.Error(), "--set") || !strings.Contains(err.Error(), "want name=value") {
			t.Errorf("%q: %v, want an error naming --set and the form", bad, err)
		}
	}
}

func TestApplySliders(t *testing.T) {
	prog, err := synth.Load("add-sinesaw", 44100)
	if err != nil {
		t.Fatal(err)
	}
	params := prog.Params()
	values := make([]float64, len(params))
	if err := applySliders(prog, "-t", []string{"saw_freq=440", " sine_freq = 20"}, values); err != nil {
		t.Fatal(err)
	}
	if values[paramIndex(params, "saw_freq")] != 440 || values[paramIndex(params, "sine_freq")] != 20 {
		t.Errorf("values %v", values)
	}
	for _, c := range []struct{ kv, want string }{
		{"saw_freq", "want name=value"},
		{"=3", "want name=value"},
		{"nope=3", `has no slider "nope"`},
		{"saw_freq=abc", `"abc" is not a number`},
		{"saw_freq=5000", "out of range"},
		{"saw_freq=NaN", "out of range"},
		{"saw_freq=-Inf", "out of range"},
		{"saw_freq=1e400", "out of range"},
	} {
		err := applySliders(prog, "-i", []string{c.kv}, values)
		if err == nil || !strings.HasPrefix(err.Error(), "-i ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("-i %s: %v, want an error saying %q", c.kv, err, c.want)
		}
	}
	if got := paramRanges(params); !strings.Contains(got, "saw_freq in [20, 1000]") {
		t.Errorf("paramRanges = %q", got)
	}
	if paramIndex(params, "nope") != -1 {
		t.Error("paramIndex of an unknown name is not -1")
	}
}
