package study

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updatePortable = flag.Bool("update-portable", false, "rewrite testdata/portable.csv from this machine")

// portableConfig touches every part of the numerics a portable study
// uses: the four built-in programs, every loss, the gradient optimizers
// and our own searchers.
const portableConfig = `
seed = 11
trials = 1
iterations = 4
samples = 8820
programs = ["add-sinesaw", "bp-noise", "noise-am", "sinesaw-am"]
[[losses]]
name = "l1-spec"
[[losses]]
name = "simse-spec"
[[losses]]
name = "dtw-envelope"
[[losses]]
name = "mss"
[[losses]]
name = "mrstft"
[[losses]]
name = "mel-l1"
[[losses]]
name = "scattering"
[[losses]]
name = "jtfs"
settings = { J = "10", T = "1024" }
[[losses]]
label = "l1-spec-adam"
name = "l1-spec"
optimizer = { name = "adam" }
[[losses]]
label = "mss-ga"
name = "mss"
optimizer = { name = "ga" }
[[losses]]
label = "simse-random"
name = "simse-spec"
optimizer = { name = "random" }
`

// TestPortableExport: the export of a small study equals, byte for byte
// (timings aside), the one stored in testdata, which was made on another
// machine (amd64) and checked there against arm64 and GOAMD64=v3 builds
// (scripts/numerics-check.sh). On any machine this catches a result that
// depends on the architecture or build; anywhere it catches an unintended
// change of the maths. After an intended change, rerun with
// -update-portable and say why in the commit.
func TestPortableExport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a small real study")
	}
	cfg, err := Parse("portable.toml", []byte(portableConfig))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Numerics(); got != Portable {
		t.Fatalf("config numerics %q, want %q", got, Portable)
	}
	r, err := NewMatchRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t, t.TempDir(), "p.db")
	run(t, db, cfg, Options{Workers: 2, Runner: r})
	got := exportNoTiming(t, db)
	path := filepath.Join("testdata", "portable.csv")
	if *updatePortable {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("export differs from %s (made on amd64); first difference:\n%s", path, firstDiff(got, string(want)))
	}
}

func firstDiff(a, b string) string {
	la, lb := splitLines(a), splitLines(b)
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return "got:  " + x + "\nwant: " + y
		}
	}
	return ""
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}
