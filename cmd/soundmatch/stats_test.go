package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runStats runs "soundmatch stats ARGS" in-process and returns stdout.
func runStats(t *testing.T, args ...string) (string, error) {
	t.Helper()
	statsJSON, statsBranch = false, "development"
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(append([]string{"stats"}, args...))
	err := rootCmd.Execute()
	return out.String(), err
}

func statsWriteCSV(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The numbers below are scipy.stats.kruskal / spearmanr on the same data
// (statsref kruskal.json "distinct_no_ties", spearman.json "no_ties").
func TestStatsCommandJSON(t *testing.T) {
	kw := statsWriteCSV(t, "g0,g1,g2,g3\n2.9,3.8,2.8,4.5\n3.0,2.7,3.4,4.6\n2.5,4.0,3.7,4.7\n2.6,2.4,2.2,4.8\n3.2,,2.0,\n")
	out, err := runStats(t, "kruskal", "--json", kw)
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		H, P float64
		DF   int
	}
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if k.DF != 3 || statsAbs(k.H-9.315789473684205) > 1e-12 || statsAbs(k.P/0.025373998788786864-1) > 1e-8 {
		t.Errorf("kruskal: %s", out)
	}
	out, err = runStats(t, "npsk", "--json", kw)
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ Ranks map[string]int }
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Ranks) != 4 || r.Ranks["g3"] != 1 {
		t.Errorf("npsk: %s (%v)", out, err)
	}
	if out, err := runStats(t, "kruskal", kw); err != nil || !strings.Contains(out, "H = 9.31579") {
		t.Errorf("kruskal table: %q, %v", out, err)
	}
}

func TestStatsCommandErrors(t *testing.T) {
	for _, c := range []struct{ cmd, csv, want string }{
		{"kruskal", "a,b\n1,x\n", `column "b": "x" is not a finite number`},
		{"kruskal", "a\n1\n2\n", "need at least 2 groups"},
		{"kruskal", "a,b\n1,1\n1,\n", "all values are identical"},
		{"kruskal", "", "empty file"},
		{"kruskal", "a,a\n1,2\n", "appears twice"},
		{"npsk", "a,b\n1,\n2,\n", `column "b" has no values`},
		{"pssk", "a,b\n1,5\n2,\n", `column "b" has 1 value`},
		{"kruskal", "a;b\n1;2\n", "separate the cells with commas"},
		{"spearman", "a,b,c\n1,2,3\n", "exactly 2"},
		{"spearman", "a,b\n1,2\n2,\n3,4\n", "only one value"},
		{"spearman", "a,b\n1,2\n1,3\n1,4\n", "constant"},
	} {
		p := statsWriteCSV(t, c.csv)
		_, err := runStats(t, c.cmd, p)
		var ue usageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s on %q: error %v, want a user error naming the file and saying %q", c.cmd, c.csv, err, c.want)
		}
	}
}

func statsAbs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
