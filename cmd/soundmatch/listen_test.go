package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/soundmatch/soundmatch/store"
	"github.com/soundmatch/soundmatch/study"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// resetListenFlags undoes what an earlier in-process run left in the flags
// (values and "changed" marks), so every run parses from scratch.
func resetListenFlags() {
	for _, c := range []*cobra.Command{listenCmd, listenExportCmd} {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				sv.Replace(nil)
			} else {
				f.Value.Set(f.DefValue)
			}
			f.Changed = false
		})
	}
}

// startListen runs "soundmatch ARGS" in-process until ctx is cancelled.
func startListen(ctx context.Context, args ...string) (stdout, stderr *lockedBuffer, done chan error) {
	resetListenFlags()
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	rootCmd.SetOut(stdout)
	rootCmd.SetErr(stderr)
	rootCmd.SetArgs(args)
	// cobra keeps the first context it gave a command; a test runs many.
	listenCmd.SetContext(ctx)
	listenExportCmd.SetContext(ctx)
	done = make(chan error, 1)
	go func() { done <- rootCmd.ExecuteContext(ctx) }()
	return stdout, stderr, done
}

func runListenCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	stdout, stderr, done := startListen(context.Background(), args...)
	select {
	case err := <-done:
		return stdout.String(), stderr.String(), err
	case <-time.After(30 * time.Second):
		t.Fatalf("soundmatch %s did not return", strings.Join(args, " "))
		return "", "", nil
	}
}

// listenStudyDB writes a small add-sinesaw study (8 finished trials per
// loss, 0.1 s sounds) straight into a database.
func listenStudyDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	prog, err := study.ProgramRef("add-sinesaw", "")
	if err != nil {
		t.Fatal(err)
	}
	c := study.Paper()
	c.Programs = []study.Program{prog}
	c.Losses = []study.Loss{{Label: "l1-spec", Name: "l1-spec"}, {Label: "mss", Name: "mss"}}
	c.Trials = 8
	c.Samples = 4410
	text, err := c.Canonical(nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "study.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SaveConfig(ctx, text, nil); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"l1-spec", "mss"} {
		for i := range c.Trials {
			tr := &store.Trial{
				Program: "add-sinesaw", Loss: l, Index: i, Seed: uint64(i),
				Params: []string{"saw_freq", "sine_freq"},
				Target: []float64{float64(100 + 40*i), 300}, Start: []float64{500, 500},
				FinalU: []float64{0, 0}, Final: []float64{float64(120 + 40*i), 310},
				Status: store.StatusOK, Iterations: 200,
			}
			if err := db.InsertTrial(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	return path
}

// raterLines waits for the "NAME URL" lines of n raters.
func raterLines(t *testing.T, stdout, stderr *lockedBuffer, done chan error, n int) map[string]string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("listen stopped early: %v\n%s", err, stderr.String())
		default:
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if len(lines) == n && strings.Contains(stderr.String(), "serving on") {
			urls := map[string]string{}
			for _, l := range lines {
				name, u, ok := strings.Cut(l, " ")
				if !ok {
					t.Fatalf("line %q is not NAME URL", l)
				}
				urls[name] = u
			}
			return urls
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no rater lines; stdout %q stderr %q", stdout.String(), stderr.String())
	return nil
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestListenCommand(t *testing.T) {
	dbPath := listenStudyDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // a failing test must not leave the server running
	stdout, stderr, done := startListen(ctx, "listen", "--db", dbPath, "--raters", "ann,bob", "--per-pair", "3", "--seed", "11", "--addr", "127.0.0.1:0")
	urls := raterLines(t, stdout, stderr, done, 2)
	if !strings.Contains(stderr.String(), "drew 6 items (3 per pair, seed 11)") {
		t.Errorf("stderr: %q", stderr.String())
	}
	ann := urls["ann"]
	if !strings.HasPrefix(ann, "http://127.0.0.1:") || !strings.HasSuffix(ann, "/") || urls["bob"] == ann {
		t.Fatalf("rater URLs %v", urls)
	}
	u, _ := url.Parse(ann)
	token := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/r/"), "/")
	if len(token) < 22 { // 128 bits in base64
		t.Fatalf("token %q too short", token)
	}
	resp, err := noFollow.Get(ann)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != u.Path+"item/1" {
		t.Fatalf("GET %s: %d to %q", ann, resp.StatusCode, resp.Header.Get("Location"))
	}
	for k, s := range []string{"4", "2"} {
		resp, err = noFollow.PostForm(fmt.Sprintf("%sitem/%d", ann, k+1), url.Values{"score": {s}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("rating: %d", resp.StatusCode)
		}
	}
	resp, err = http.Get(ann + "item/1/b.wav")
	if err != nil {
		t.Fatal(err)
	}
	wav, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(wav) != 44+2*4410 {
		t.Fatalf("b.wav: %d, %d bytes", resp.StatusCode, len(wav))
	}

	// Ctrl-C: a graceful stop.
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("listen returned %v after Ctrl-C", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("listen did not stop")
	}
	if !strings.Contains(stderr.String(), "stopping") {
		t.Errorf("stderr: %q", stderr.String())
	}

	// A restart continues the same test: same links, every rater listed.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	stdout2, stderr2, done2 := startListen(ctx2, "listen", "--db", dbPath, "--addr", "127.0.0.1:0")
	urls2 := raterLines(t, stdout2, stderr2, done2, 2)
	cancel2()
	<-done2
	for name, u := range urls {
		if tail(u) != tail(urls2[name]) {
			t.Errorf("%s: link %s became %s", name, u, urls2[name])
		}
	}
	if !strings.Contains(stderr2.String(), "continuing the listening test") {
		t.Errorf("restart stderr: %q", stderr2.String())
	}

	// Export: the latest scores, then the whole history.
	out, _, err := runListenCLI(t, "listen", "export", "--db", dbPath, "--csv", "-")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || lines[0] != "rater,program,loss,trial,score,time,position,latest" {
		t.Fatalf("export:\n%s", out)
	}
	if !strings.HasPrefix(lines[1], "ann,add-sinesaw,") || !strings.HasSuffix(lines[1], ",1,true") || !strings.HasSuffix(lines[2], ",2,true") {
		t.Errorf("export rows:\n%s", out)
	}
	csvPath := filepath.Join(t.TempDir(), "r.csv")
	if _, errOut, err := runListenCLI(t, "listen", "export", "--db", dbPath, "--csv", csvPath, "--history"); err != nil || !strings.Contains(errOut, "wrote 2 ratings") {
		t.Fatalf("export to a file: %v %q", err, errOut)
	}
}

// tail is a link without its host and port (a restart picks a new port).
func tail(u string) string {
	p, _ := url.Parse(u)
	return p.Path
}

func TestListenCommandErrors(t *testing.T) {
	dbPath := listenStudyDB(t)
	// Draw a test (seed 3, 2 per pair), then stop the server.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr, done := startListen(ctx, "listen", "--db", dbPath, "--raters", "ann", "--per-pair", "2", "--addr", "127.0.0.1:0", "--seed", "3")
	raterLines(t, stdout, stderr, done, 1)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	zeroBytes := filepath.Join(t.TempDir(), "zero.db")
	os.WriteFile(zeroBytes, nil, 0o644)
	empty := filepath.Join(t.TempDir(), "empty.db")
	if db, err := store.Open(empty); err == nil {
		db.Close()
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"listen", "--raters", "ann"}, "--db FILE is required"},
		{[]string{"listen", "--db", filepath.Join(t.TempDir(), "missing.db"), "--raters", "ann"}, "no such database"},
		{[]string{"listen", "--db", zeroBytes, "--raters", "ann"}, "not a soundmatch database"},
		{[]string{"listen", "export", "--db", zeroBytes, "--csv", "-"}, "not a soundmatch database"},
		{[]string{"listen", "--db", dbPath, "--raters", "ann,,bob"}, "empty rater name"},
		{[]string{"listen", "--db", dbPath, "--raters", "ann", "--per-pair", "-1"}, "--per-pair -1"},
		{[]string{"listen", "--db", dbPath, "--seed", "4"}, "seed 3, not 4"},
		{[]string{"listen", "--db", dbPath, "--per-pair", "5"}, "2 trials per pair, not 5"},
		{[]string{"listen", "--db", dbPath, "--addr", "127.0.0.1:99999"}, "--addr 127.0.0.1:99999"},
		{[]string{"listen", "--db", empty, "--raters", "ann"}, "no study config"},
		{[]string{"listen", "--db", dbPath, "extra"}, "unknown command or argument \"extra\""},
		{[]string{"listen", "export", "--db", dbPath, "--csv", "-", "more"}, "unknown command or argument \"more\""},
		{[]string{"listen", "export", "--db", dbPath}, "--csv OUT are required"},
		{[]string{"listen", "export", "--db", empty, "--csv", "-"}, "no listening test"},
		{[]string{"listen", "export", "--db", dbPath, "--csv", filepath.Join(t.TempDir(), "no", "dir.csv")}, "--csv"},
	} {
		_, _, err := runListenCLI(t, c.args...)
		var ue usageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("soundmatch %s: %v, want a user error containing %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	if fi, err := os.Stat(zeroBytes); err != nil || fi.Size() != 0 {
		t.Errorf("listen turned a zero-byte --db into a database: %v", err)
	}
}

func TestListenHelp(t *testing.T) {
	for _, args := range [][]string{{"listen", "--help"}, {"listen", "export", "--help"}} {
		out, _, err := runListenCLI(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Examples:", "--db"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: help lacks %q", args, want)
			}
		}
	}
}
