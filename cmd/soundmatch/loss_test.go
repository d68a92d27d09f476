package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/soundmatch/soundmatch/audio"
	"github.com/soundmatch/soundmatch/loss"
)

// runLossCmd runs "soundmatch ARGS" in-process with the loss command's
// flags reset, and returns stdout.
func runLossCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	lossName, lossSets, lossGradOut = "", nil, ""
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	return out.String(), err
}

func lossWriteF64(t *testing.T, dir, name string, x []float64) string {
	t.Helper()
	b := make([]byte, 8*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func lossNoise(seed uint64, n int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.3 * rng.NormFloat64()
	}
	return x
}

func TestLossCommand(t *testing.T) {
	dir := t.TempDir()
	x, tg := lossNoise(1, 6000), lossNoise(2, 6000)
	xp := lossWriteF64(t, dir, "x.f64", x)
	tp := lossWriteF64(t, dir, "t.f64", tg)
	gp := filepath.Join(dir, "g.out")
	out, err := runLossCmd(t, "loss", "--loss", "dtw-envelope", "--set", "divergence=true", "--grad-out", gp, xp, tp)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(out)
	v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil {
		t.Fatalf("last word of %q: %v", out, err)
	}
	l, _ := loss.New("dtw-envelope", tg, map[string]string{"divergence": "true"})
	want := make([]float64, len(x))
	if w := l.Eval(x, want); v != w {
		t.Fatalf("printed %v, library %v", v, w)
	}
	b, err := os.ReadFile(gp)
	if err != nil || len(b) != 8*len(x) {
		t.Fatalf("gradient file: %d bytes, %v", len(b), err)
	}
	for i := range want {
		if got := math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])); got != want[i] {
			t.Fatalf("gradient[%d] = %v, want %v", i, got, want[i])
		}
	}
	// WAV input: the rate reaches mel-l1's sample_rate.
	wp := filepath.Join(dir, "x.wav")
	if err := audio.WriteFile(wp, x, 22050); err != nil {
		t.Fatal(err)
	}
	wt := filepath.Join(dir, "t.wav")
	if err := audio.WriteFile(wt, tg, 22050); err != nil {
		t.Fatal(err)
	}
	out, err = runLossCmd(t, "loss", "--loss", "mel-l1", wp, wt)
	if err != nil {
		t.Fatal(err)
	}
	xw, _, _ := audio.ReadFile(wp)
	tw, _, _ := audio.ReadFile(wt)
	l, _ = loss.New("mel-l1", tw, map[string]string{"sample_rate": "22050"})
	if f := strings.Fields(out); f[len(f)-1] != strconv.FormatFloat(l.Eval(xw, nil), 'g', 17, 64) {
		t.Fatalf("mel-l1 at 22050 Hz: %q", out)
	}
}

func TestLossCommandErrors(t *testing.T) {
	dir := t.TempDir()
	xp := lossWriteF64(t, dir, "x.f64", lossNoise(1, 6000))
	short := lossWriteF64(t, dir, "short.f64", lossNoise(2, 5000))
	nan := lossNoise(3, 6000)
	nan[17] = math.NaN()
	nanp := lossWriteF64(t, dir, "nan.f64", nan)
	empty := lossWriteF64(t, dir, "empty.f64", nil)
	bad := filepath.Join(dir, "bad.wav")
	os.WriteFile(bad, []byte("this is not a sound"), 0o644)
	cases := []struct {
		args []string
		want string // in the message
	}{
		{[]string{"--loss", "l1-spec", xp, short}, "short.f64 has 5000"},
		{[]string{"--loss", "l1-spec", xp, nanp}, "nan.f64"},
		{[]string{"--loss", "l1-spec", empty, xp}, "empty.f64"},
		{[]string{"--loss", "l1-spec", bad, xp}, "bad.wav"},
		{[]string{"--loss", "l1-spec", xp, filepath.Join(dir, "missing.f64")}, "missing.f64"},
		{[]string{"--loss", "nope", xp, xp}, "unknown loss"},
		{[]string{xp, xp}, "--loss NAME is required"},
		{[]string{"--loss", "l1-spec", xp}, "two sound files"},
		{[]string{"--loss", "l1-spec", "--set", "hop=0", xp, xp}, "hop"},
		{[]string{"--loss", "l1-spec", "--set", "bogus=1", xp, xp}, "bogus"},
		{[]string{"--loss", "l1-spec", "--set", "novalue", xp, xp}, "name=value"},
	}
	for _, c := range cases {
		_, err := runLossCmd(t, append([]string{"loss"}, c.args...)...)
		var ue usageError
		if err == nil || !errors.As(err, &ue) {
			t.Errorf("%v: error %v, want a user error", c.args, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%v: message %q, want one line containing %q", c.args, msg, c.want)
		}
	}
}

func TestLossesCommand(t *testing.T) {
	out, err := runLossCmd(t, "losses")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"l1-spec", "simse-spec", "dtw-envelope", "mss", "mrstft", "mel-l1", "smooth_sigma", "512,1024,2048,4096"} {
		if !strings.Contains(out, want) {
			t.Errorf("losses output lacks %q", want)
		}
	}
	out, err = runLossCmd(t, "losses", "mss")
	if err != nil || strings.Contains(out, "l1-spec") || !strings.Contains(out, "peak_normalize") {
		t.Errorf("losses mss: %q, %v", out, err)
	}
	if _, err := runLossCmd(t, "losses", "nope"); err == nil {
		t.Error("losses nope: no error")
	}
}
