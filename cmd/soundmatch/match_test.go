package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/soundmatch/soundmatch/audio"
)

// matchRunCommand runs "soundmatch ARGS" in-process with ctx, after putting every
// flag of the command back to its default, and returns stdout and stderr.
func matchRunCommand(t *testing.T, ctx context.Context, args ...string) (string, string, error) {
	t.Helper()
	if c, _, err := rootCmd.Find(args); err == nil {
		matchResetFlags(c)
		// cobra hands the root's context to a subcommand only while the
		// subcommand has none, i.e. on the first in-process run.
		c.SetContext(ctx)
	}
	var out, errOut bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&errOut)
	rootCmd.SetArgs(args)
	err := rootCmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func matchResetFlags(c *cobra.Command) {
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			sv.Replace(nil)
		} else {
			f.Value.Set(f.DefValue)
		}
		f.Changed = false
	})
}

func TestMatchUserErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.wav")
	os.WriteFile(empty, nil, 0o644)
	text := filepath.Join(dir, "notes.wav")
	os.WriteFile(text, []byte("not a sound at all"), 0o644)
	silent := filepath.Join(dir, "silent.dsp")
	os.WriteFile(silent, []byte("process = 0;\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"match", "no-such-synth", "--loss", "l1-spec"}, `unknown program "no-such-synth"`},
		{[]string{"match", "bp-noise", "--loss", "no-such-loss"}, `unknown loss "no-such-loss"`},
		{[]string{"match", "bp-noise", "-t", "lp_cut=5000"}, "out of range"},
		{[]string{"match", "bp-noise", "-i", "hp_cut=0"}, "out of range"},
		{[]string{"match", "bp-noise", "-t", "cutoff=300"}, `no slider "cutoff"`},
		{[]string{"match", "bp-noise", "-t", "lp_cut"}, "want name=value"},
		{[]string{"match", "bp-noise", "--target", empty}, "empty file"},
		{[]string{"match", "bp-noise", "--target", text}, "not a RIFF/WAVE file"},
		{[]string{"match", "bp-noise", "--target", filepath.Join(dir, "missing.wav")}, "no such file"},
		{[]string{"match", "bp-noise", "--target", empty, "-t", "lp_cut=300"}, "not both"},
		{[]string{"match", "bp-noise", "--set", "bogus=1"}, `unknown setting "bogus"`},
		{[]string{"match", "bp-noise", "--optimizer", "newton"}, `unknown optimizer "newton"`},
		{[]string{"match", "bp-noise", "--optimizer", "cmaes", "--lr", "0.1"}, "--lr has no effect"},
		{[]string{"match", "bp-noise", "--optimizer", "ga", "--project"}, "--project has no effect"},
		{[]string{"match", "bp-noise", "--hybrid-split", "0.3"}, "--hybrid-split applies to hybrid"},
		{[]string{"match", "bp-noise", "--iters", "-3"}, "--iters -3"},
		{[]string{"bench", "--loss", "nope"}, `unknown loss "nope"`},
		{[]string{"match", silent, "--iters", "2"}, "has no sliders"},
	}
	for _, c := range cases {
		_, _, err := matchRunCommand(t, context.Background(), c.args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: error %v, want a user error (exit status 2)", c.args, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%v: %q, want one line containing %q", c.args, msg, c.want)
		}
	}
}

var matchResultKeys = []string{"program", "loss", "target", "start", "final", "final_u", "loss_final", "p_loss", "mss", "iterations", "seconds"}

func TestMatchOutFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := matchRunCommand(t, context.Background(), "match", "bp-noise", "--loss", "l1-spec",
		"-t", "lp_cut=400", "--seed", "5", "--iters", "4", "--out", dir, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	for _, k := range matchResultKeys {
		if _, ok := res[k]; !ok {
			t.Errorf("result.json lacks %q", k)
		}
	}
	if res["target"].(map[string]any)["lp_cut"] != 400.0 || res["iterations"] != 4.0 || res["p_loss"] == nil {
		t.Errorf("result: %s", stdout)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil || string(onDisk) != stdout {
		t.Errorf("result.json differs from --json output (%v)", err)
	}
	matchCheckOutFiles(t, dir, 4)
}

// matchCheckOutFiles checks that every file of --out is present and whole.
func matchCheckOutFiles(t *testing.T, dir string, iters int) {
	t.Helper()
	for _, name := range []string{"target.wav", "output.wav"} {
		x, rate, err := audio.ReadFile(filepath.Join(dir, name))
		if err != nil || rate != 44100 || len(x) != 44100 {
			t.Errorf("%s: %d samples at %d Hz, %v", name, len(x), rate, err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "trajectory.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != iters+1 || strings.Join(rows[0], ",") != "iteration,loss,grad_norm,lp_cut,hp_cut" {
		t.Errorf("trajectory.csv: %d rows (want %d), header %v, %v", len(rows), iters+1, rows[0], err)
	}
	for _, name := range []string{"loss.png", "spectrogram.png"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || !bytes.Contains(b, []byte("IEND")) {
			t.Errorf("%s: not a whole PNG (%v)", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestMatchOutOfDomainTarget(t *testing.T) {
	dir := t.TempDir()
	// Half a second at 22.05 kHz: resampled, then zero-padded with a warning.
	x := make([]float64, 11025)
	for i := range x {
		x[i] = 0.3 * float64(i%50) / 50
	}
	wav := filepath.Join(dir, "saw.wav")
	if err := audio.WriteFile(wav, x, 22050); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := matchRunCommand(t, context.Background(), "match", "add-sinesaw", "--target", wav, "--iters", "3", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "resampled to 44100 Hz") || !strings.Contains(stderr, "zero-padded") {
		t.Errorf("stderr %q: want the resampling note and the padding warning", stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if v, ok := res["p_loss"]; !ok || v != nil {
		t.Errorf("p_loss = %v, want null out-of-domain", v)
	}
	if v, ok := res["target"]; !ok || v != nil {
		t.Errorf("target = %v, want null out-of-domain", v)
	}
}

// TestMatchInterrupted cancels a long match once it has written its target:
// it must stop with an error, and every file it wrote must be whole, the
// trajectory holding the iterations reached.
func TestMatchInterrupted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		deadline := time.Now().Add(time.Minute) // never hang the suite
		for {
			if _, err := os.Stat(filepath.Join(dir, "target.wav")); err == nil || time.Now().After(deadline) {
				time.Sleep(150 * time.Millisecond)
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	_, _, err := matchRunCommand(t, ctx, "match", "bp-noise", "--iters", "100000", "--out", dir)
	if err == nil || !strings.Contains(err.Error(), "interrupted after") {
		t.Fatalf("err = %v, want an interruption", err)
	}
	var res struct {
		Iterations int    `json:"iterations"`
		Status     string `json:"status"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil || json.Unmarshal(b, &res) != nil {
		t.Fatalf("result.json: %v", err)
	}
	if res.Status != "failed" || res.Iterations < 1 || res.Iterations >= 100000 {
		t.Errorf("interrupted result: %+v", res)
	}
	matchCheckOutFiles(t, dir, res.Iterations)
}

func TestBenchJSON(t *testing.T) {
	stdout, _, err := matchRunCommand(t, context.Background(), "bench", "--json", "--iters", "2", "--warmup", "0", "--program", "bp-noise", "--loss", "l1-spec")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(rows) != 1 || rows[0]["program"] != "bp-noise" || rows[0]["loss"] != "l1-spec" {
		t.Fatalf("rows %v", rows)
	}
	if ms, ok := rows[0]["ms_per_iter"].(float64); !ok || ms <= 0 {
		t.Errorf("ms_per_iter = %v", rows[0]["ms_per_iter"])
	}
}

// TestMatchSummaryStartLoss: "loss A → B" promises A is the start's loss;
// a search that never evaluates the start must not print its first probe
// as if it were.
func TestMatchSummaryStartLoss(t *testing.T) {
	for _, c := range []struct{ opt, want, wantNot string }{
		{"rmsprop", "  loss ", "(first probe)"},
		{"cmaes", "(first probe) → ", ""},
	} {
		out, _, err := matchRunCommand(t, context.Background(), "match", "add-sinesaw", "--loss", "l1-spec", "--seed", "3",
			"--duration", "0.1", "--iters", "6", "--optimizer", c.opt)
		if err != nil {
			t.Fatalf("%s: %v", c.opt, err)
		}
		if !strings.Contains(out, c.want) || (c.wantNot != "" && strings.Contains(out, c.wantNot)) {
			t.Errorf("%s: summary\n%s\nwant %q and not %q", c.opt, out, c.want, c.wantNot)
		}
	}
}
