package faust

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocExamples compiles every one-line example of docs/faust.md that
// defines process.
func TestDocExamples(t *testing.T) {
	b, err := os.ReadFile("../docs/faust.md")
	if err != nil {
		t.Skip("docs/faust.md not found")
	}
	n := 0
	for _, m := range regexp.MustCompile("`([^`\n]*process = [^`\n]*)`").FindAllStringSubmatch(string(b), -1) {
		src := m[1]
		if !strings.HasSuffix(src, ";") {
			src += ";"
		}
		if _, err := Compile("doc.dsp", []byte(src), 44100); err != nil {
			t.Errorf("%s: %v", src, err)
		}
		n++
	}
	if n < 10 {
		t.Errorf("only %d examples found", n)
	}
}
