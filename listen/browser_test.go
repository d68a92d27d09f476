package listen

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// findChromium returns the path of a Chromium (or Chrome) binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser is the end-to-end test: a real headless Chromium opens a
// rater's link to a study rendered by the real synthesizer, checks that
// both sounds load, rates every item with mouse clicks and with the
// keyboard, reloads and reopens the link midway to check resuming, goes
// back to change an answer, and finally reads the database.
//
// With SOUNDMATCH_SCREENSHOTS=1 it also writes docs/listen-rating.png and
// docs/listen-done.png.
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found: the end-to-end browser test must run in CI (apt-get install chromium)")
		}
		t.Skip("\n\n*** SKIPPING the end-to-end browser test of the listening app: no chromium in PATH. ***\n" +
			"*** Install Debian's chromium (apt-get install chromium) to run it; CI=true makes this a failure. ***\n\n")
	}
	screenshots := os.Getenv("SOUNDMATCH_SCREENSHOTS") == "1"

	ctx := context.Background()
	// One-second sounds, as in the paper study.
	db := studyDBSamples(t, builtinProgram(t, "add-sinesaw"), 6, 44100)
	p, err := Prepare(ctx, db, Setup{Raters: []string{"ann", "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	ann, bob := p.Raters[0], p.Raters[1]
	sounds, err := NewStudySounds(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	logbuf := &syncBuffer{}
	srv, err := New(db, sounds, log.New(logbuf, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv) // 127.0.0.1
	defer ts.Close()
	order, err := db.ListenOrder(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := len(order)

	// The whole browser session is bounded, so a hung browser fails the
	// test instead of stalling the suite.
	limit, cancelLimit := context.WithTimeout(ctx, 60*time.Second)
	defer cancelLimit()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(900, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(limit, opts...)
	defer cancelAlloc() // before TempDir's cleanup: waits for the browser to exit
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", what, err, logbuf.String())
		}
	}
	eval := func(js string) (string, error) {
		return chromedp.Run(bctx, chromedp.Evaluate[string](js))
	}
	// waitFor polls a JavaScript condition, riding over the moments when a
	// navigation has destroyed the page's context.
	waitFor := func(what, cond string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		var last string
		for time.Now().Before(deadline) {
			v, err := eval(`String(!!(` + cond + `))`)
			if err == nil && v == "true" {
				return
			}
			if err != nil {
				last = err.Error()
			}
			time.Sleep(40 * time.Millisecond)
		}
		loc, _ := eval(`location.href`)
		t.Fatalf("waiting for %s: timed out at %s (%s)\nserver log:\n%s", what, loc, last, logbuf.String())
	}
	base := ts.URL + "/r/" + ann.Token
	atItem := func(k int) {
		t.Helper()
		waitFor(fmt.Sprintf("item %d", k), fmt.Sprintf(
			`location.pathname.endsWith('/item/%d') && document.readyState === 'complete' && document.getElementById('k') && document.getElementById('k').textContent === '%d'`, k, k))
	}
	// Both audio elements must load their WAV: metadata read and a
	// duration of 1 s.
	audioLoads := func(k int) {
		t.Helper()
		waitFor(fmt.Sprintf("the sounds of item %d", k),
			`['a','b'].every(id => { const e = document.getElementById(id); return e && !e.error && e.readyState >= 1 && e.duration > 0; })`)
		d, err := eval(`['a','b'].map(id => document.getElementById(id).duration.toFixed(4)).join(' ')`)
		if err != nil || d != "1.0000 1.0000" {
			t.Fatalf("item %d: durations %q (%v), want 1.0000 1.0000", k, d, err)
		}
	}
	checked := func() string {
		v, err := eval(`(document.querySelector('input[name=score]:checked') || {value: ''}).value`)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// The score given at each position: different for neighbours so a
	// rating stored at the wrong item shows.
	score := func(k int) int { return 1 + (3*k)%5 }

	do("open the rater link", chromedp.Navigate(base+"/"))
	atItem(1)
	if v, _ := eval(`document.querySelector('progress').max + ' ' + document.getElementById('n').textContent`); v != fmt.Sprintf("%d %d", n, n) {
		t.Fatalf("progress shows %q, want %d items", v, n)
	}
	// Enter with no score chosen says so and stays.
	do("Enter without a score", chromedp.KeyEvent("\r"))
	waitFor("the hint", `document.getElementById('hint').textContent.includes('Choose a score')`)
	atItem(1)

	// "Play target, then output": the target plays to its end, then the
	// output starts.
	audioLoads(1)
	do("play both", chromedp.Click(chromedp.ID("play")))
	waitFor("the target to play", `document.getElementById('a').currentTime > 0`)
	waitFor("the output to follow", `document.getElementById('a').ended && document.getElementById('b').currentTime > 0`)

	half := n / 2
	for k := 1; k <= n; k++ {
		atItem(k)
		audioLoads(k)
		s := score(k)
		if k%2 == 1 {
			// Mouse: click the labelled choice, then the button.
			do(fmt.Sprintf("click score %d", s), chromedp.Click(chromedp.CSS(fmt.Sprintf("#choice-%d", s))))
			if got := checked(); got != fmt.Sprint(s) {
				t.Fatalf("item %d: clicked %d, checked %q", k, s, got)
			}
			do("click save", chromedp.Click(chromedp.ID("save")))
		} else {
			// Keyboard: the digit chooses, Enter saves.
			do(fmt.Sprintf("key %d", s), chromedp.KeyEvent(fmt.Sprint(s)))
			if got := checked(); got != fmt.Sprint(s) {
				t.Fatalf("item %d: pressed %d, checked %q", k, s, got)
			}
			if screenshots && k == 2 {
				shoot(t, bctx, "listen-rating.png")
			}
			do("Enter", chromedp.KeyEvent("\r"))
		}
		if k == half {
			// Midway: reload the next page, then reopen the link; both
			// must land on the first unrated item, with nothing chosen.
			atItem(k + 1)
			do("reload", chromedp.Reload())
			atItem(k + 1)
			do("reopen the link", chromedp.Navigate(base+"/"))
			atItem(k + 1)
			if got := checked(); got != "" {
				t.Fatalf("unrated item %d shows score %q", k+1, got)
			}
			// Go back one item: the answer given is shown; change it.
			do("previous", chromedp.Click(chromedp.ID("prev")))
			atItem(k)
			if got := checked(); got != fmt.Sprint(s) {
				t.Fatalf("item %d after going back: checked %q, want %d", k, got, s)
			}
			do("re-rate", chromedp.KeyEvent("5"), chromedp.KeyEvent("\r"))
		}
	}
	waitFor("the thank-you page", `location.pathname.endsWith('/done') && document.getElementById('thanks')`)
	if screenshots {
		shoot(t, bctx, "listen-done.png")
	}

	// Blinding, as the browser saw it: the page and every URL it fetched.
	seen, err := eval(`document.documentElement.outerHTML + ' ' + performance.getEntriesByType('resource').map(e => e.name).join(' ') + ' ' + document.cookie`)
	if err != nil {
		t.Fatal(err)
	}
	seen = strings.ReplaceAll(seen, ann.Token, "TOKEN")
	for _, s := range []string{"add-sinesaw", "sinesaw", "l1-spec", "mss", "trial", "seed", "loss"} {
		if strings.Contains(strings.ToLower(seen), s) {
			t.Errorf("the browser saw %q", s)
		}
	}

	// The database holds exactly what was entered.
	got, err := db.ListenOrder(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	for k, pos := range got {
		want := score(k + 1)
		if k+1 == half {
			want = 5
		}
		if pos.Score != want {
			t.Errorf("position %d (%s): stored %d, want %d", k+1, pos.Item.Key, pos.Score, want)
		}
	}
	hist, err := db.RatingRecords(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != n+1 {
		t.Errorf("%d submissions in the history, want %d (every item once, one changed)", len(hist), n+1)
	}
	for _, h := range hist {
		if h.Rater != "ann" {
			t.Errorf("a rating for %s was stored", h.Rater)
		}
	}
	if bobOrder, _ := db.ListenOrder(ctx, bob.ID); rated(bobOrder) != 0 {
		t.Error("bob has ratings")
	}
	if l := logbuf.String(); l != "" {
		t.Errorf("server log:\n%s", l)
	}
}

// shoot saves a screenshot of the page into the repository's docs/.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// The body, not the window: the picture ends below the card.
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("body")))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join("..", "docs", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}
