package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// An output in a folder that does not exist is a user mistake, reported
// before any work with exit status 2.
func TestOutputFolderMissing(t *testing.T) {
	dir := t.TempDir()
	missing := dir + "/no/such/folder/"
	for _, args := range [][]string{
		{"render", "bp-noise", "-o", missing + "a.wav"},
		{"landscape", "bp-noise", "--csv", missing + "l.csv"},
		{"landscape", "bp-noise", "-o", missing + "l.png"},
		{"diagnose", "bp-noise", "-o", missing + "d.png"},
		{"diagnose", "bp-noise", "-o", dir},
	} {
		_, _, err := matchRunCommand(t, context.Background(), args...)
		var ue usageError
		if err == nil || !errors.As(err, &ue) || !(strings.Contains(err.Error(), "does not exist") || strings.Contains(err.Error(), "is a folder")) {
			t.Errorf("%v: %v, want a user error about the output folder", args, err)
		}
	}
}
