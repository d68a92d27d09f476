package listen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/soundmatch/soundmatch/audio"
	"github.com/soundmatch/soundmatch/store"
)

// Names the browser must never see: the fixture's programs, losses, trial
// indices and seed are chosen to be unmistakable in any response.
const (
	secretProgram = "progzeta"
	secretLossA   = "losssecretalpha"
	secretLossB   = "losssecretbeta"
	trialBase     = 987650
	sessionSeed   = 4242424242
)

var secrets = []string{secretProgram, secretLossA, secretLossB, "98765", "4242424242", "program", "trial", "seed"}

const rate = 8000

// fakeSounds renders a sine target of peak 2 and an output of peak 0.5 for
// every item, with frequencies depending on the trial so items differ. It
// counts renders and can be told to fail.
type fakeSounds struct {
	renders atomic.Int64
	fail    atomic.Bool
}

func (f *fakeSounds) Render(ctx context.Context, k store.Key) (target, output []float64, r int, err error) {
	f.renders.Add(1)
	if f.fail.Load() {
		return nil, nil, 0, errors.New("synthetic render failure")
	}
	n := rate / 4
	target = make([]float64, n)
	output = make([]float64, n)
	ft := 200 + float64(k.Index%100)*10
	for i := range n {
		ph := 2 * math.Pi * float64(i) / rate
		target[i] = 2 * math.Sin(ft*ph)
		output[i] = 0.5 * math.Sin(1.5*ft*ph)
	}
	return target, output, rate, nil
}

type fixture struct {
	db     *store.DB
	srv    *Server
	ts     *httptest.Server
	sounds *fakeSounds
	raters []store.ListenRater
	items  []store.Key
	logbuf *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newFixture builds a listening test with one program, two losses and
// perPair items each, and raters named in raters.
func newFixture(t testing.TB, perPair int, raters ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "study.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var fin []store.Key
	for _, l := range []string{secretLossA, secretLossB} {
		for i := range 2 * perPair {
			fin = append(fin, store.Key{Program: secretProgram, Loss: l, Index: trialBase + i})
		}
	}
	items := store.DrawListenItems(sessionSeed, perPair, fin)
	if err := db.CreateListenSession(ctx, sessionSeed, perPair, items); err != nil {
		t.Fatal(err)
	}
	rs, err := db.AddListenRaters(ctx, raters)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, sounds: &fakeSounds{}, raters: rs, items: items, logbuf: &syncBuffer{}}
	f.srv, err = New(db, f.sounds, log.New(f.logbuf, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	f.ts = newTestServer(t, f.srv)
	return f
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t testing.TB, method, path string, form url.Values, hdr ...string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func (f *fixture) rate(t testing.TB, r store.ListenRater, k int, score string) response {
	t.Helper()
	return f.do(t, "POST", fmt.Sprintf("/r/%s/item/%d", r.Token, k), url.Values{"score": {score}})
}

func (f *fixture) ratings(t testing.TB) []store.Rating {
	t.Helper()
	rs, err := f.db.Ratings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func (f *fixture) history(t testing.TB) []store.RatingRecord {
	t.Helper()
	rs, err := f.db.RatingRecords(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestResume(t *testing.T) {
	f := newFixture(t, 2, "ann")
	ann := f.raters[0]
	n := len(f.items)
	wantLoc := func(path, loc string) {
		t.Helper()
		r := f.do(t, "GET", path, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != loc {
			t.Fatalf("GET %s: %d to %q, want 303 to %q", path, r.status, r.header.Get("Location"), loc)
		}
	}
	base := "/r/" + ann.Token
	wantLoc(base+"/", base+"/item/1")
	wantLoc(base, base+"/item/1")
	// Rating an item moves on to the next unrated one.
	r := f.rate(t, ann, 1, "3")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != base+"/item/2" {
		t.Fatalf("after rating 1: %d to %q", r.status, r.header.Get("Location"))
	}
	wantLoc(base+"/", base+"/item/2")
	// Skipping around: rate 3, then the resume point is still 2, and
	// rating the last item wraps to the first unrated one.
	f.rate(t, ann, 3, "4")
	wantLoc(base+"/", base+"/item/2")
	if r := f.rate(t, ann, n, "5"); r.header.Get("Location") != base+"/item/2" {
		t.Fatalf("after rating the last item: to %q, want item 2", r.header.Get("Location"))
	}
	for k := 2; k < n; k++ {
		f.rate(t, ann, k, "2")
	}
	wantLoc(base+"/", base+"/done")
	d := f.do(t, "GET", base+"/done", nil)
	if d.status != 200 || !strings.Contains(d.body, "Thank you") || !strings.Contains(d.body, fmt.Sprintf("all %d items", n)) {
		t.Fatalf("done page: %d\n%s", d.status, d.body)
	}
	// Re-rating after the end leads back to the thank-you page.
	if r := f.rate(t, ann, 2, "1"); r.header.Get("Location") != base+"/done" {
		t.Fatalf("re-rating at the end: to %q", r.header.Get("Location"))
	}
}

func TestDonePageBeforeTheEnd(t *testing.T) {
	f := newFixture(t, 2, "ann")
	ann := f.raters[0]
	f.rate(t, ann, 1, "3")
	d := f.do(t, "GET", "/r/"+ann.Token+"/done", nil)
	if d.status != 200 || strings.Contains(d.body, "Thank you") ||
		!strings.Contains(d.body, fmt.Sprintf("rated 1 of %d", len(f.items))) || !strings.Contains(d.body, "/item/2") {
		t.Fatalf("done page after one rating: %d\n%s", d.status, d.body)
	}
}

func TestItemPage(t *testing.T) {
	f := newFixture(t, 2, "ann")
	ann := f.raters[0]
	n := len(f.items)
	f.rate(t, ann, 2, "4")
	r := f.do(t, "GET", "/r/"+ann.Token+"/item/2", nil)
	if r.status != 200 {
		t.Fatalf("item page: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{
		`src="/r/` + ann.Token + `/item/2/a.wav"`,
		`src="/r/` + ann.Token + `/item/2/b.wav"`,
		`action="/r/` + ann.Token + `/item/2"`,
		fmt.Sprintf(`Item <strong id="k">2</strong> of <strong id="n">%d</strong>`, n),
		"1 rated",
		`value="4" checked`,
		`href="/r/` + ann.Token + `/item/1"`,
		`<script src="/static/listen.js"></script>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("item page lacks %q", want)
		}
	}
	for i, l := range Labels {
		if !strings.Contains(r.body, fmt.Sprintf(`<span class="num">%d</span>`, i+1)) || !strings.Contains(r.body, l) {
			t.Errorf("item page lacks score %d %q", i+1, l)
		}
	}
	// The target comes before the output.
	if strings.Index(r.body, "a.wav") > strings.Index(r.body, "b.wav") {
		t.Error("output before target")
	}
	// Only the rated item is pre-selected; the first page has no "previous".
	r1 := f.do(t, "GET", "/r/"+ann.Token+"/item/1", nil)
	if strings.Contains(r1.body, "checked") || strings.Contains(r1.body, `id="prev"`) {
		t.Error("item 1: unexpected checked score or previous link")
	}
	for _, bad := range []string{"0", fmt.Sprint(n + 1), "01", "x", "-1", "1.0"} {
		if r := f.do(t, "GET", "/r/"+ann.Token+"/item/"+bad, nil); r.status != 404 {
			t.Errorf("GET item %q: %d, want 404", bad, r.status)
		}
	}
}

func TestForgedTokens(t *testing.T) {
	f := newFixture(t, 2, "ann", "bob")
	ann := f.raters[0]
	tok := ann.Token
	flip := tok[:len(tok)-1] + string("AB"[boolInt(tok[len(tok)-1] == 'A')])
	forged := []string{
		flip,
		tok[:len(tok)-1],
		tok + "A",
		strings.ToUpper(tok),
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"x",
		"%00",
	}
	for _, ft := range forged {
		for _, c := range []struct{ method, path string }{
			{"GET", "/r/" + ft + "/"},
			{"GET", "/r/" + ft},
			{"GET", "/r/" + ft + "/item/1"},
			{"GET", "/r/" + ft + "/item/1/a.wav"},
			{"GET", "/r/" + ft + "/item/1/b.wav"},
			{"GET", "/r/" + ft + "/done"},
			{"POST", "/r/" + ft + "/item/1"},
		} {
			var form url.Values
			if c.method == "POST" {
				form = url.Values{"score": {"5"}}
			}
			r := f.do(t, c.method, c.path, form)
			if r.status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", c.method, c.path, r.status)
			}
			if strings.Contains(r.body, tok) {
				t.Errorf("%s %s: the response contains a real token", c.method, c.path)
			}
		}
	}
	if n := len(f.history(t)); n != 0 {
		t.Fatalf("%d ratings stored through forged tokens", n)
	}
	if f.sounds.renders.Load() != 0 {
		t.Fatal("a forged token made the server render")
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestRateValidation(t *testing.T) {
	f := newFixture(t, 2, "ann")
	ann := f.raters[0]
	n := len(f.items)
	base := "/r/" + ann.Token + "/item/"
	cases := []struct {
		name string
		path string
		body string
		ct   string
	}{
		{"no score", base + "1", "", ""},
		{"empty score", base + "1", "score=", ""},
		{"score 0", base + "1", "score=0", ""},
		{"score 6", base + "1", "score=6", ""},
		{"negative", base + "1", "score=-3", ""},
		{"fraction", base + "1", "score=3.5", ""},
		{"float form", base + "1", "score=3.0", ""},
		{"leading zero", base + "1", "score=03", ""},
		{"plus", base + "1", "score=%2B3", ""},
		{"space", base + "1", "score=+3", ""},
		{"word", base + "1", "score=three", ""},
		{"two scores", base + "1", "score=3&score=4", ""},
		{"score in the query only", base + "1?score=3", "", ""},
		{"bad encoding", base + "1", "score=%zz", ""},
		{"huge body", base + "1", "score=3&pad=" + strings.Repeat("x", 10000), ""},
		{"item 0", base + "0", "score=3", ""},
		{"item past the end", base + fmt.Sprint(n+1), "score=3", ""},
		{"item far past the end", base + "99999999999999999999", "score=3", ""},
		{"item with leading zero", base + "01", "score=3", ""},
		{"item not a number", base + "x", "score=3", ""},
		{"negative item", base + "-1", "score=3", ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", f.ts.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400 (%s)", c.name, resp.StatusCode, b)
		}
		if len(strings.TrimSpace(string(b))) < 10 {
			t.Errorf("%s: no message in the 400 (%q)", c.name, b)
		}
	}
	if h := f.history(t); len(h) != 0 {
		t.Fatalf("invalid submissions stored: %+v", h)
	}
	// The same request with a good score goes through.
	if r := f.rate(t, ann, 1, "3"); r.status != http.StatusSeeOther {
		t.Fatalf("valid rating: %d %s", r.status, r.body)
	}
	if got := f.ratings(t); len(got) != 1 || got[0].Score != 3 {
		t.Fatalf("after a valid rating: %+v", got)
	}
	// GET is not a way to rate.
	if r := f.do(t, "GET", base+"2?score=4", nil); r.status != 200 || len(f.history(t)) != 1 {
		t.Fatalf("GET with a score changed something: %d", r.status)
	}
	if r := f.do(t, "PUT", base+"2", url.Values{"score": {"4"}}); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d, want 405", r.status)
	}
}

// A rater can reach only their own items: position k means the k-th item of
// the rater named by the token, and submissions through one rater's link
// never touch another rater's answers.
func TestOtherRatersItems(t *testing.T) {
	f := newFixture(t, 3, "ann", "bob")
	ann, bob := f.raters[0], f.raters[1]
	ctx := context.Background()
	annOrder, _ := f.db.ListenOrder(ctx, ann.ID)
	bobOrder, _ := f.db.ListenOrder(ctx, bob.ID)
	same := 0
	for k := range annOrder {
		if annOrder[k].Item.ID == bobOrder[k].Item.ID {
			same++
		}
	}
	if same == len(annOrder) {
		t.Fatal("ann and bob hear the items in the same order")
	}
	// ann rates position 1; it is her item, and bob has nothing.
	f.rate(t, ann, 1, "5")
	got := f.ratings(t)
	if len(got) != 1 || got[0].Rater != "ann" || got[0].Trial != annOrder[0].Item.Index || got[0].Loss != annOrder[0].Item.Loss {
		t.Fatalf("ann's rating of position 1: %+v, want item %v", got, annOrder[0].Item.Key)
	}
	// bob rates position 1: his own first item; ann's answer is untouched.
	f.rate(t, bob, 1, "1")
	a2, _ := f.db.ListenOrder(ctx, ann.ID)
	b2, _ := f.db.ListenOrder(ctx, bob.ID)
	if a2[0].Score != 5 || b2[0].Score != 1 {
		t.Fatalf("after bob rated: ann %d, bob %d", a2[0].Score, b2[0].Score)
	}
	// A rater's audio and pages are addressed the same way: bob's item 1
	// sound is bob's first item, whatever ann's first item is.
	ra := f.do(t, "GET", "/r/"+ann.Token+"/item/1/a.wav", nil)
	rb := f.do(t, "GET", "/r/"+bob.Token+"/item/1/a.wav", nil)
	wa := wavOf(t, f, annOrder[0].Item.Key, "a")
	wb := wavOf(t, f, bobOrder[0].Item.Key, "a")
	if ra.body != wa || rb.body != wb {
		t.Fatal("item 1 audio is not the rater's own first item")
	}
	// Positions past the rater's items are refused.
	if r := f.rate(t, bob, len(bobOrder)+1, "3"); r.status != 400 {
		t.Fatalf("bob rating past his items: %d", r.status)
	}
}

// wavOf renders an item the way the server must serve it.
func wavOf(t testing.TB, f *fixture, k store.Key, which string) string {
	t.Helper()
	tg, out, r, err := (&fakeSounds{}).Render(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	g := CommonGain(tg, out)
	if which == "a" {
		return string(EncodeWAV16(tg, g, r))
	}
	return string(EncodeWAV16(out, g, r))
}

func TestReRatingKeepsHistory(t *testing.T) {
	f := newFixture(t, 2, "ann")
	ann := f.raters[0]
	for _, s := range []string{"2", "4", "3"} {
		if r := f.rate(t, ann, 2, s); r.status != http.StatusSeeOther {
			t.Fatalf("rating %s: %d", s, r.status)
		}
	}
	got := f.ratings(t)
	if len(got) != 1 || got[0].Score != 3 {
		t.Fatalf("latest: %+v, want one rating of 3", got)
	}
	h := f.history(t)
	if len(h) != 3 || h[0].Score != 2 || h[1].Score != 4 || h[2].Score != 3 || h[0].Latest || h[1].Latest || !h[2].Latest {
		t.Fatalf("history: %+v", h)
	}
}

// Many raters, each with two tabs open, submitting at once: nothing lost.
func TestConcurrentSubmissions(t *testing.T) {
	names := []string{"r1", "r2", "r3", "r4", "r5"}
	f := newFixture(t, 3, names...)
	n := len(f.items)
	var wg sync.WaitGroup
	var bad atomic.Int64
	for _, r := range f.raters {
		for tab := range 2 {
			wg.Go(func() {
				for k := 1; k <= n; k++ {
					score := 1 + (k+tab)%5
					req, _ := http.NewRequest("POST", fmt.Sprintf("%s/r/%s/item/%d", f.ts.URL, r.Token, k),
						strings.NewReader(fmt.Sprintf("score=%d", score)))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					resp, err := noRedirect.Do(req)
					if err != nil || resp.StatusCode != http.StatusSeeOther {
						bad.Add(1)
					}
					if resp != nil {
						resp.Body.Close()
					}
				}
			})
		}
	}
	// A few garbage submissions in the middle of it all.
	for range 5 {
		wg.Go(func() {
			f.do(t, "POST", "/r/"+f.raters[0].Token+"/item/1", url.Values{"score": {"9"}})
		})
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d valid submissions failed", bad.Load())
	}
	if got := len(f.ratings(t)); got != len(names)*n {
		t.Fatalf("%d ratings, want %d", got, len(names)*n)
	}
	if got := len(f.history(t)); got != 2*len(names)*n {
		t.Fatalf("%d submissions in the history, want %d", got, 2*len(names)*n)
	}
	if log := f.logbuf.String(); log != "" {
		t.Fatalf("server logged errors:\n%s", log)
	}
}

func TestAudio(t *testing.T) {
	f := newFixture(t, 2, "ann")
	ann := f.raters[0]
	ctx := context.Background()
	order, _ := f.db.ListenOrder(ctx, ann.ID)
	base := "/r/" + ann.Token + "/item/3/"
	a := f.do(t, "GET", base+"a.wav", nil)
	b := f.do(t, "GET", base+"b.wav", nil)
	for _, r := range []response{a, b} {
		if r.status != 200 || r.header.Get("Content-Type") != "audio/wav" {
			t.Fatalf("audio: %d %q", r.status, r.header.Get("Content-Type"))
		}
		for _, h := range []string{"Content-Disposition", "ETag", "Last-Modified"} {
			if v := r.header.Get(h); v != "" {
				t.Errorf("audio response has %s: %q", h, v)
			}
		}
	}
	if f.sounds.renders.Load() != 1 {
		t.Errorf("the item's two sounds took %d renders, want 1", f.sounds.renders.Load())
	}
	if a.body != wavOf(t, f, order[2].Item.Key, "a") || b.body != wavOf(t, f, order[2].Item.Key, "b") {
		t.Fatal("served audio is not the item's target/output")
	}
	// Decoded by the audio package's reader: the target (peak 2) now peaks
	// at 0.9, the output (peak 0.5) at 0.9/4: loudness relation kept.
	xa := decode(t, a.body)
	xb := decode(t, b.body)
	if len(xa) != rate/4 || len(xb) != rate/4 {
		t.Fatalf("lengths %d %d, want %d", len(xa), len(xb), rate/4)
	}
	pa, pb := peakAbs(xa), peakAbs(xb)
	if math.Abs(pa-0.9) > 1e-4 || math.Abs(pb-0.225) > 1e-4 {
		t.Errorf("peaks %.5f %.5f, want 0.9 and 0.225", pa, pb)
	}
	// Range requests (media elements seek with them) get 206.
	rr := f.do(t, "GET", base+"a.wav", nil, "Range", "bytes=0-43")
	if rr.status != http.StatusPartialContent || rr.body != a.body[:44] {
		t.Errorf("range: %d, %d bytes", rr.status, len(rr.body))
	}
	if r := f.do(t, "HEAD", base+"b.wav", nil); r.status != 200 || r.header.Get("Content-Length") != fmt.Sprint(len(b.body)) {
		t.Errorf("HEAD: %d, Content-Length %q", r.status, r.header.Get("Content-Length"))
	}
	for _, bad := range []string{"c.wav", "a.mp3", "target.wav", "A.WAV"} {
		if r := f.do(t, "GET", base+bad, nil); r.status != 404 {
			t.Errorf("%s: %d, want 404", bad, r.status)
		}
	}
	if r := f.do(t, "GET", "/r/"+ann.Token+"/item/99/a.wav", nil); r.status != 404 {
		t.Errorf("audio of item 99: %d, want 404", r.status)
	}
	// A failed render is a neutral 500, logged with the item for the operator.
	f.sounds.fail.Store(true)
	r := f.do(t, "GET", "/r/"+ann.Token+"/item/4/a.wav", nil)
	if r.status != 500 || strings.Contains(r.body, secretProgram) || strings.Contains(r.body, "synthetic") {
		t.Errorf("failed render: %d %q", r.status, r.body)
	}
	if !strings.Contains(f.logbuf.String(), order[3].Item.Key.String()) {
		t.Errorf("log does not name the item: %q", f.logbuf.String())
	}
	// Failures are not cached.
	f.sounds.fail.Store(false)
	if r := f.do(t, "GET", "/r/"+ann.Token+"/item/4/a.wav", nil); r.status != 200 {
		t.Errorf("render after a failure: %d", r.status)
	}
}

func decode(t testing.TB, wav string) []float64 { return decodeRate(t, wav, rate) }

// decodeRate reads a served WAV with the audio package's reader (written
// independently of EncodeWAV16) and checks its rate.
func decodeRate(t testing.TB, wav string, want int) []float64 {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.wav")
	if err := os.WriteFile(p, []byte(wav), 0o644); err != nil {
		t.Fatal(err)
	}
	x, r, err := audio.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if r != want {
		t.Fatalf("rate %d, want %d", r, want)
	}
	return x
}

func newTestServer(t testing.TB, h http.Handler) *httptest.Server {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// Both sounds of an item asked for at the same moment: one render.
func TestAudioRenderedOnce(t *testing.T) {
	f := newFixture(t, 2, "ann")
	var wg sync.WaitGroup
	for range 8 {
		for _, s := range []string{"a", "b"} {
			wg.Go(func() { f.do(t, "GET", "/r/"+f.raters[0].Token+"/item/1/"+s+".wav", nil) })
		}
	}
	wg.Wait()
	if n := f.sounds.renders.Load(); n != 1 {
		t.Fatalf("%d renders, want 1", n)
	}
}

// Blinding: crawl everything two raters can reach and look for anything
// naming the program, a loss, a trial index or the seed, in bodies, headers
// and URLs.
func TestBlinding(t *testing.T) {
	f := newFixture(t, 3, "ann", "bob")
	f.rate(t, f.raters[0], 2, "4")
	check := func(what string, r response) {
		t.Helper()
		var all strings.Builder
		all.WriteString(r.body)
		for k, vs := range r.header {
			all.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		low := strings.ToLower(all.String())
		for _, s := range secrets {
			if strings.Contains(low, s) {
				t.Errorf("%s reveals %q", what, s)
			}
		}
	}
	for _, r := range f.raters {
		base := "/r/" + r.Token
		for _, p := range []string{"/", "", "/done"} {
			check(p, f.do(t, "GET", base+p, nil))
		}
		for k := 1; k <= len(f.items); k++ {
			for _, p := range []string{"", "/a.wav", "/b.wav"} {
				path := fmt.Sprintf("%s/item/%d%s", base, k, p)
				check(path, f.do(t, "GET", path, nil))
			}
		}
		check("rating", f.rate(t, r, 1, "3"))
		check("bad rating", f.rate(t, r, 1, "x"))
	}
	for _, p := range []string{"/", "/static/listen.js", "/static/listen.css", "/nothing"} {
		check(p, f.do(t, "GET", p, nil))
	}
	// Output and target sizes are the same for every item: the byte count
	// of a file says nothing about the sound.
	sizes := map[int]bool{}
	for k := 1; k <= len(f.items); k++ {
		for _, s := range []string{"a", "b"} {
			sizes[len(f.do(t, "GET", fmt.Sprintf("/r/%s/item/%d/%s.wav", f.raters[0].Token, k, s), nil).body)] = true
		}
	}
	if len(sizes) != 1 {
		t.Errorf("audio sizes vary: %v", sizes)
	}
}

func TestHeadersAndStatic(t *testing.T) {
	f := newFixture(t, 2, "ann")
	home := f.do(t, "GET", "/", nil)
	if home.status != 200 || !strings.Contains(home.body, "personal link") {
		t.Errorf("home: %d", home.status)
	}
	for _, h := range []string{"Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options"} {
		if home.header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if got := f.do(t, "GET", "/r/"+f.raters[0].Token+"/item/1", nil).header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("item page Cache-Control %q, want no-store", got)
	}
	js := f.do(t, "GET", "/static/listen.js", nil)
	css := f.do(t, "GET", "/static/listen.css", nil)
	if js.status != 200 || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") || !strings.Contains(js.body, "keydown") {
		t.Errorf("listen.js: %d %q", js.status, js.header.Get("Content-Type"))
	}
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("listen.css: %d %q", css.status, css.header.Get("Content-Type"))
	}
	// Assets are embedded and reference nothing outside the server.
	for _, r := range []response{js, css, f.do(t, "GET", "/r/"+f.raters[0].Token+"/item/1", nil)} {
		if strings.Contains(r.body, "http://") || strings.Contains(r.body, "https://") || strings.Contains(r.body, "//cdn") {
			t.Error("an asset references another host")
		}
	}
	for _, p := range []string{"/static/nothing.js", "/static/", "/r/", "/favicon.ico", "/r/x/y/z/w/v"} {
		if r := f.do(t, "GET", p, nil); r.status != 404 {
			t.Errorf("GET %s: %d, want 404", p, r.status)
		}
	}
}

// A page of another site cannot submit ratings through a rater's browser.
func TestCrossOriginRatingRefused(t *testing.T) {
	f := newFixture(t, 2, "ann")
	r := f.do(t, "POST", "/r/"+f.raters[0].Token+"/item/1", url.Values{"score": {"5"}}, "Sec-Fetch-Site", "cross-site")
	if r.status != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", r.status)
	}
	r = f.do(t, "POST", "/r/"+f.raters[0].Token+"/item/1", url.Values{"score": {"5"}}, "Origin", "http://evil.example")
	if r.status != http.StatusForbidden {
		t.Fatalf("POST with a foreign Origin: %d, want 403", r.status)
	}
	if len(f.history(t)) != 0 {
		t.Fatal("a cross-site rating was stored")
	}
	r = f.do(t, "POST", "/r/"+f.raters[0].Token+"/item/1", url.Values{"score": {"5"}}, "Sec-Fetch-Site", "same-origin")
	if r.status != http.StatusSeeOther {
		t.Fatalf("same-origin POST: %d", r.status)
	}
}
