package faust

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCompile feeds arbitrary sources to the compiler (without Compile's
// last-resort recover, so a panic is a failure) and checks that every
// result is either a well-formed graph or a positioned error.
func FuzzCompile(f *testing.F) {
	for _, pat := range []string{"testdata/golden/*.dsp", "testdata/gen/dsp/*.dsp"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	if b, err := os.ReadFile("testdata/errors.dsp"); err == nil {
		for _, chunk := range strings.Split(string(b), "\n---\n") {
			f.Add([]byte(chunk))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		g, err := compile("fuzz.dsp", src, 44100)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.dsp") && !strings.Contains(err.Error(), ".lib:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if len(g.Outputs) != 1 {
			t.Fatalf("%d outputs", len(g.Outputs))
		}
		if err := checkGraph(g); err != nil {
			t.Fatalf("malformed graph: %v", err)
		}
	})
}
