package faust

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestErrors runs the chunked error cases of testdata/errors.dsp (the
// format of starlark-go's syntax/testdata/errors.star): each chunk is a
// program whose line before a `### "text"` line must fail to compile with a
// message containing text, at that line.
func TestErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/errors.dsp")
	if err != nil {
		t.Fatal(err)
	}
	for i, chunk := range strings.Split(string(data), "\n---\n") {
		var src []string
		wantLine, want := 0, ""
		for _, line := range strings.Split(chunk, "\n") {
			if rest, ok := strings.CutPrefix(line, "###"); ok {
				q, err := strconv.Unquote(strings.TrimSpace(rest))
				if err != nil {
					t.Fatalf("chunk %d: bad expectation %s", i, rest)
				}
				wantLine, want = len(src), q
				continue
			}
			if strings.HasPrefix(line, "#") {
				line = ""
			}
			src = append(src, line)
		}
		if want == "" {
			t.Fatalf("chunk %d has no ### expectation", i)
		}
		_, err := Compile("errors.dsp", []byte(strings.Join(src, "\n")), 44100)
		if err == nil {
			t.Errorf("chunk %d (line %d): compiled, want error %q", i, wantLine, want)
			continue
		}
		var fe *Error
		if !errors.As(err, &fe) {
			t.Errorf("chunk %d: error %v is not a *faust.Error", i, err)
			continue
		}
		if !strings.Contains(fe.Msg, want) {
			t.Errorf("chunk %d: error %q, want it to contain %q", i, err, want)
		}
		if fe.Pos.Line != wantLine {
			t.Errorf("chunk %d: error %q at line %d, want line %d", i, err, fe.Pos.Line, wantLine)
		}
		if !strings.HasPrefix(err.Error(), "errors.dsp:"+strconv.Itoa(wantLine)+":") {
			t.Errorf("chunk %d: error %q does not start with file:line:col", i, err)
		}
	}
}

func TestNoProcess(t *testing.T) {
	_, err := Compile("a.dsp", []byte("foo = 1;"), 44100)
	if err == nil || err.Error() != "a.dsp: no definition of process" {
		t.Fatalf("got %v", err)
	}
}

// TestCutControlNotChecked: the real compiler checks slider ranges only for
// controls that reach the output, so a cut one with a bad range compiles.
func TestCutControlNotChecked(t *testing.T) {
	src := `process = 1 <: _, (hslider("a", 5, 0, 2, 1) * _ : !);`
	g, err := Compile("cut.dsp", []byte(src), 44100)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	if len(g.Controls) != 0 {
		t.Errorf("controls %v, want none", g.Controls)
	}
}
