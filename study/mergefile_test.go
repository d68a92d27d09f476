package study

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMergeFilesAllOrNothing: when the second input disagrees with the
// first, MergeFiles leaves the output exactly as it was (not created, or
// holding what an earlier merge put there) and no work file behind.
func TestMergeFilesAllOrNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := tiny(t)
	a := openDB(t, dir, "a.db")
	run(t, a, cfg, Options{Workers: 2})
	b := openDB(t, dir, "b.db")
	run(t, b, cfg, Options{Workers: 2, Runner: &fakeRunner{cfg: cfg, nan: func(tk Task) bool { return tk.Index == 3 && tk.Program.Name == "noise-am" && tk.Loss.Label == "fake-c" }}})
	a.Close()
	b.Close()
	pa, pb := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")

	// A new output is not created at all.
	out := filepath.Join(dir, "out.db")
	if _, err := MergeFiles(ctx, out, []string{pa, pb}); err == nil || !strings.Contains(err.Error(), "noise-am/fake-c/3") {
		t.Fatalf("merge with a disagreeing duplicate: err = %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a refused merge created %s (stat: %v)", out, err)
	}

	// An existing output keeps its contents.
	if _, err := MergeFiles(ctx, out, []string{pa}); err != nil {
		t.Fatal(err)
	}
	before := exportNoTiming(t, openDB(t, dir, "out.db"))
	if _, err := MergeFiles(ctx, out, []string{pb}); err == nil {
		t.Fatal("merging the disagreeing input into an existing output was accepted")
	}
	if after := exportNoTiming(t, openDB(t, dir, "out.db")); after != before {
		t.Error("a refused merge changed the existing output")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.merging*")); len(m) > 0 {
		t.Errorf("work files left behind: %v", m)
	}
	// And a merge that succeeds still equals the input.
	if before != exportNoTiming(t, openDB(t, dir, "a.db")) {
		t.Error("merged output differs from its only input")
	}
}
