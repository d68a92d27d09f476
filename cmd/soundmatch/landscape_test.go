package main

import (
	"context"
	"encoding/csv"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLandscapeCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if _, _, err := matchRunCommand(t, ctx, "match", "add-sinesaw", "--loss", "l1-spec", "-t", "saw_freq=440", "-t", "sine_freq=220",
		"--seed", "2", "--iters", "5", "--duration", "0.1", "--out", run); err != nil {
		t.Fatal(err)
	}
	pic, table := filepath.Join(dir, "l.png"), filepath.Join(dir, "l.csv")
	// The grid of 5 includes the target values (20, 265, 510, 755, 1000).
	out, _, err := matchRunCommand(t, ctx, "landscape", "add-sinesaw", "--loss", "l1-spec", "-t", "saw_freq=510", "-t", "sine_freq=755",
		"--grid", "5", "-o", pic, "--csv", table, "--trajectory", filepath.Join(run, "trajectory.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "minimum at saw_freq=510 sine_freq=755 (loss 0)") {
		t.Errorf("stdout %q: want the minimum at the target", out)
	}
	f, err := os.Open(pic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: %v", pic, err)
	}
	f.Close()
	b, err := os.ReadFile(table)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 26 || strings.Join(rows[0], ",") != "saw_freq,sine_freq,loss" {
		t.Fatalf("CSV: %d rows, header %v; want 25 grid points under saw_freq,sine_freq,loss", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		l, err := strconv.ParseFloat(r[2], 64)
		if err != nil || l < 0 || (l == 0) != (r[0] == "510" && r[1] == "755") {
			t.Errorf("CSV row %v: loss must be 0 exactly at the target and positive elsewhere", r)
		}
	}
	// One-parameter slices.
	if _, _, err := matchRunCommand(t, ctx, "landscape", "bp-noise", "--y", "none", "--x", "hp_cut", "--grid", "4", "--csv", table); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(table)
	if n := strings.Count(string(b), "\n"); n != 5 {
		t.Errorf("1-D slice CSV has %d lines, want 5", n)
	}
}

func TestLandscapeAndDiagnoseUserErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"landscape", "bp-noise", "-o", "x.png", "-t", "lp_cut=5000"}, "lp_cut"},
		{[]string{"landscape", "bp-noise", "-o", "x.png", "-t", "cutoff=100"}, "accepted: lp_cut"},
		{[]string{"landscape", "bp-noise", "-o", "x.png", "--loss", "l9"}, `unknown loss "l9"`},
		{[]string{"landscape", "bp-noise", "-o", "x.gif"}, ".png or .svg"},
		{[]string{"landscape", "bp-noise"}, "nothing to write"},
		{[]string{"landscape", "bp-noise", "-o", "x.png", "--x", "lp_cut", "--y", "lp_cut"}, "two different sliders"},
		{[]string{"landscape", "bp-noise", "-o", "x.png", "--grid", "1"}, "--grid 1"},
		{[]string{"landscape", "bp-noise", "-o", "x.png", "--trajectory", "missing.csv"}, "missing.csv"},
		{[]string{"landscape", "nosuch", "-o", "x.png"}, "unknown program"},
		{[]string{"diagnose", "bp-noise", "--loss", "l1-spec,nope"}, `unknown loss "nope"`},
		{[]string{"diagnose", "bp-noise", "--points", "0"}, "--points 0"},
		{[]string{"diagnose", "bp-noise", "--set", "gamma=2"}, "none of the losses"},
	} {
		_, _, err := matchRunCommand(t, ctx, c.args...)
		var ue usageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v; want one-line user error containing %q", c.args, err, c.want)
		}
	}
}

func TestDiagnoseCommand(t *testing.T) {
	dir := t.TempDir()
	pic := filepath.Join(dir, "d.svg")
	out, _, err := matchRunCommand(t, context.Background(), "diagnose", "sinesaw-am", "--loss", "l1-spec,simse-spec", "--points", "6", "--steps", "3", "-o", pic)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "toward") || !strings.Contains(lines[1], "l1-spec") || !strings.Contains(lines[2], "simse-spec") {
		t.Errorf("table:\n%s", out)
	}
	if b, err := os.ReadFile(pic); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("%s: not an SVG (%v)", pic, err)
	}
}
