package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// matchBinary builds the soundmatch binary once per test run.
func matchBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "soundmatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestMatchBinary runs the real binary: user mistakes exit with status 2
// and one line on stderr; SIGINT during a match leaves whole files and
// exits non-zero.
func TestMatchBinary(t *testing.T) {
	bin := matchBinary(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.wav")
	os.WriteFile(bad, []byte("RIFF\x04\x00\x00\x00WAVE"), 0o644)
	for _, args := range [][]string{
		{"match", "nope"},
		{"match", "bp-noise", "--loss", "l2"},
		{"match", "bp-noise", "-t", "hp_cut=500"},
		{"match", "bp-noise", "--target", bad},
		// cobra's own argument checks are user mistakes too.
		{"match"},
		{"match", "bp-noise", "noise-am"},
		{"stats", "kruskal"},
		{"bench", "extra"},
		{"no-such-command"},
	} {
		var stderr bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%v: %v, want exit status 2", args, err)
		}
		if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "soundmatch: ") {
			t.Errorf("%v: stderr %q, want one line", args, stderr.String())
		}
	}

	out := filepath.Join(dir, "run")
	cmd := exec.Command(bin, "match", "noise-am", "--iters", "100000", "--out", out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(out, "target.wav")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no target.wav after a minute")
		}
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("interrupted match: %v, want exit status 1", err)
	}
	var res struct{ Iterations int }
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	if err != nil || json.Unmarshal(b, &res) != nil || res.Iterations < 1 {
		t.Fatalf("result.json after SIGINT: %v %s", err, b)
	}
	for _, name := range []string{"target.wav", "output.wav", "trajectory.csv", "loss.png", "spectrogram.png"} {
		if fi, err := os.Stat(filepath.Join(out, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s after SIGINT: %v", name, err)
		}
	}
}
