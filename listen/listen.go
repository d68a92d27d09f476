// Package listen serves the blinded listening test of a study (METHOD §7)
// as a small web app: each rater opens their secret link, hears the target
// and then the output of every drawn trial in their own random order, and
// rates their similarity from 1 (no similarity) to 5 (near identical).
//
// Blinding is the point of the design. Raters are addressed by an
// unguessable token and items by their position k in the rater's own order
// (/r/{token}/item/{k}, /r/{token}/item/{k}/a.wav for the target, b.wav for
// the output), so nothing the browser receives (page, URLs, file names,
// headers) names the program, the loss, the trial or its seed. The sounds
// are rendered on demand from the stored parameters and written with one
// common gain, so the louder of the two peaks at 0.9 and their loudness
// relation is kept.
//
// Everything the page needs (template, style sheet, script) is embedded in
// the binary: the test runs on a machine with no network.
package listen

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/soundmatch/soundmatch/store"
)

//go:embed assets
var assets embed.FS

// Sounds renders the two sounds of a listening item: the target and the
// output (before the common gain), at rate samples per second. It must be
// safe for concurrent use.
type Sounds interface {
	Render(ctx context.Context, item store.Key) (target, output []float64, rate int, err error)
}

// SoundsFunc adapts a function to Sounds.
type SoundsFunc func(ctx context.Context, item store.Key) (target, output []float64, rate int, err error)

// Render calls f.
func (f SoundsFunc) Render(ctx context.Context, item store.Key) (target, output []float64, rate int, err error) {
	return f(ctx, item)
}

// Labels are the anchors of the 5-point scale, index 0 for score 1.
var Labels = [5]string{
	"No similarity",
	"Slight similarity",
	"Moderate similarity",
	"Strong similarity",
	"Near identical",
}

// Server is the listening-test web app over one study database. It is an
// http.Handler.
type Server struct {
	db     *store.DB
	sounds Sounds
	log    *log.Logger
	pages  *template.Template
	static http.Handler
	mux    *http.ServeMux
	guard  http.Handler // mux behind cross-origin protection
	cache  *wavCache
}

// cacheItems is how many items' WAV pairs the server keeps: the browser asks
// for a.wav and b.wav of the same item (often in Range pieces) within
// moments, and both need both sounds for the common gain.
const cacheItems = 32

// New returns the app for the listening test stored in db (created with
// store.CreateListenSession and store.AddListenRaters). Render errors are
// logged to logger (nil: discarded) and shown to the rater as a neutral 500.
func New(db *store.DB, sounds Sounds, logger *log.Logger) (*Server, error) {
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	pages, err := template.ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, fmt.Errorf("listen: templates: %v", err)
	}
	staticFS, err := fs.Sub(assets, "assets/static")
	if err != nil {
		return nil, err
	}
	s := &Server{
		db:     db,
		sounds: sounds,
		log:    logger,
		pages:  pages,
		static: http.StripPrefix("/static/", http.FileServerFS(staticFS)),
		mux:    http.NewServeMux(),
		cache:  newWAVCache(cacheItems),
	}
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /static/{file}", s.serveStatic)
	s.mux.HandleFunc("GET /r/{token}", s.resume)
	s.mux.HandleFunc("GET /r/{token}/{$}", s.resume)
	s.mux.HandleFunc("GET /r/{token}/item/{k}", s.item)
	s.mux.HandleFunc("POST /r/{token}/item/{k}", s.rate)
	s.mux.HandleFunc("GET /r/{token}/item/{k}/{sound}", s.audio)
	s.mux.HandleFunc("GET /r/{token}/done", s.done)
	s.guard = http.NewCrossOriginProtection().Handler(s.mux)
	return s, nil
}

// csp allows nothing but this server's own script, style, sounds and forms.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self'; img-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// ServeHTTP serves the app. Every response forbids sniffing, framing and
// referrers (a referrer would carry the rater's token elsewhere), and state
// changes from other sites are refused.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-store")
	s.guard.ServeHTTP(w, r)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "home.html", nil)
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	s.static.ServeHTTP(w, r)
}

// rater finds the rater whose token is in the URL. Tokens are compared in
// constant time so response timing does not reveal how much of a guessed
// token was right. On failure it has written a 404.
func (s *Server) rater(w http.ResponseWriter, r *http.Request) (store.ListenRater, bool) {
	token := r.PathValue("token")
	raters, err := s.db.ListenRaters(r.Context())
	if err != nil {
		s.fail(w, "listing raters", err)
		return store.ListenRater{}, false
	}
	found := -1
	for i, ra := range raters {
		if subtle.ConstantTimeCompare([]byte(ra.Token), []byte(token)) == 1 {
			found = i
		}
	}
	if found < 0 {
		http.Error(w, "Unknown rater link. Please use the exact link you were given.", http.StatusNotFound)
		return store.ListenRater{}, false
	}
	return raters[found], true
}

// position parses k from the URL and checks that the rater has it. On
// failure it has written the error.
func (s *Server) position(w http.ResponseWriter, r *http.Request, order []store.ListenPosition, status int) (int, bool) {
	raw := r.PathValue("k")
	k, err := strconv.Atoi(raw)
	if err != nil || strconv.Itoa(k) != raw || k < 1 || k > len(order) {
		http.Error(w, fmt.Sprintf("No item %q for this rater: items are numbered 1 to %d.", raw, len(order)), status)
		return 0, false
	}
	return k, true
}

// raterOrder resolves the request's token to its rater and that rater's
// order of items, answering the request itself when either fails.
func (s *Server) raterOrder(w http.ResponseWriter, r *http.Request) (store.ListenRater, []store.ListenPosition, bool) {
	rater, ok := s.rater(w, r)
	if !ok {
		return rater, nil, false
	}
	order, ok := s.order(w, r, rater)
	return rater, order, ok
}

func (s *Server) order(w http.ResponseWriter, r *http.Request, rater store.ListenRater) ([]store.ListenPosition, bool) {
	order, err := s.db.ListenOrder(r.Context(), rater.ID)
	if err != nil {
		s.fail(w, "reading the order of "+rater.Name, err)
		return nil, false
	}
	if len(order) == 0 {
		http.Error(w, "This listening test has no items.", http.StatusNotFound)
		return nil, false
	}
	return order, true
}

func base(rater store.ListenRater) string { return "/r/" + rater.Token }

// nextUnrated is the first unrated position after k (wrapping around), or 0
// when every item is rated. k = 0 starts at the beginning.
func nextUnrated(order []store.ListenPosition, k int) int {
	n := len(order)
	for i := range n {
		p := (k+i)%n + 1
		if order[p-1].Score == 0 {
			return p
		}
	}
	return 0
}

func rated(order []store.ListenPosition) int {
	m := 0
	for _, p := range order {
		if p.Score != 0 {
			m++
		}
	}
	return m
}

// resume sends the rater to where they left off: their first unrated item,
// or the thank-you page.
func (s *Server) resume(w http.ResponseWriter, r *http.Request) {
	rater, order, ok := s.raterOrder(w, r)
	if !ok {
		return
	}
	if k := nextUnrated(order, 0); k > 0 {
		http.Redirect(w, r, fmt.Sprintf("%s/item/%d", base(rater), k), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, base(rater)+"/done", http.StatusSeeOther)
}

type scoreChoice struct {
	Score   int
	Label   string
	Checked bool
}

type itemPage struct {
	Base    string
	K, N    int
	Rated   int
	Prev    int // 0: none
	Choices []scoreChoice
}

func (s *Server) itemPage(rater store.ListenRater, order []store.ListenPosition, k int) itemPage {
	p := itemPage{Base: base(rater), K: k, N: len(order), Rated: rated(order)}
	if k > 1 {
		p.Prev = k - 1
	}
	for i, l := range Labels {
		p.Choices = append(p.Choices, scoreChoice{Score: i + 1, Label: l, Checked: order[k-1].Score == i+1})
	}
	return p
}

func (s *Server) item(w http.ResponseWriter, r *http.Request) {
	rater, order, ok := s.raterOrder(w, r)
	if !ok {
		return
	}
	k, ok := s.position(w, r, order, http.StatusNotFound)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "item.html", s.itemPage(rater, order, k))
}

// rate records the score posted for item k and sends the rater on to the
// next unrated item. Anything but a known item of this rater and one integer
// 1..5 is a 400 with a message; nothing is stored then.
func (s *Server) rate(w http.ResponseWriter, r *http.Request) {
	rater, order, ok := s.raterOrder(w, r)
	if !ok {
		return
	}
	k, ok := s.position(w, r, order, http.StatusBadRequest)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Could not read the submitted form: "+err.Error(), http.StatusBadRequest)
		return
	}
	vals := r.PostForm["score"]
	if len(vals) != 1 {
		http.Error(w, fmt.Sprintf("Expected one score from 1 to 5, got %d.", len(vals)), http.StatusBadRequest)
		return
	}
	v := vals[0]
	if len(v) != 1 || v[0] < '1' || v[0] > '5' {
		http.Error(w, fmt.Sprintf("Score %q: must be a whole number from 1 to 5.", v), http.StatusBadRequest)
		return
	}
	score := int(v[0] - '0')
	if err := s.db.SaveRating(r.Context(), rater.ID, k, score); err != nil {
		if errors.Is(err, store.ErrUnknownPosition) {
			http.Error(w, fmt.Sprintf("No item %d for this rater.", k), http.StatusBadRequest)
			return
		}
		s.fail(w, "saving a rating of "+rater.Name, err)
		return
	}
	order[k-1].Score = score
	if next := nextUnrated(order, k); next > 0 {
		http.Redirect(w, r, fmt.Sprintf("%s/item/%d", base(rater), next), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, base(rater)+"/done", http.StatusSeeOther)
}

type donePage struct {
	Base     string
	N, Rated int
	Next     int
}

func (s *Server) done(w http.ResponseWriter, r *http.Request) {
	rater, order, ok := s.raterOrder(w, r)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "done.html", donePage{Base: base(rater), N: len(order), Rated: rated(order), Next: nextUnrated(order, 0)})
}

// audio serves a.wav (the target) or b.wav (the output) of item k. The
// bytes carry no name, no ETag and no modification time.
func (s *Server) audio(w http.ResponseWriter, r *http.Request) {
	rater, order, ok := s.raterOrder(w, r)
	if !ok {
		return
	}
	k, ok := s.position(w, r, order, http.StatusNotFound)
	if !ok {
		return
	}
	which := r.PathValue("sound")
	if which != "a.wav" && which != "b.wav" {
		http.Error(w, "No such sound: use a.wav (the target) or b.wav (the output).", http.StatusNotFound)
		return
	}
	item := order[k-1].Item
	pair, err := s.cache.get(item.ID, func() (*wavPair, error) {
		// Not the request's context: a second request may be waiting for
		// this render when the first is cancelled.
		t, o, rate, err := s.sounds.Render(context.WithoutCancel(r.Context()), item.Key)
		if err != nil {
			return nil, err
		}
		g := CommonGain(t, o)
		return &wavPair{a: EncodeWAV16(t, g, rate), b: EncodeWAV16(o, g, rate)}, nil
	})
	if err != nil {
		s.fail(w, fmt.Sprintf("rendering %s (position %d of %s)", item.Key, k, rater.Name), err)
		return
	}
	data := pair.a
	if which == "b.wav" {
		data = pair.b
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	// ServeContent answers the Range requests media elements make; with no
	// name and a zero time it adds no Last-Modified and guesses no type.
	http.ServeContent(w, r, "", zeroTime, bytes.NewReader(data))
}

// fail logs what went wrong (naming the item for the operator) and tells
// the browser only that something did.
func (s *Server) fail(w http.ResponseWriter, what string, err error) {
	s.log.Printf("listen: %s: %v", what, err)
	http.Error(w, "Something went wrong on the server; please tell the experimenter.", http.StatusInternalServerError)
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.fail(w, "page "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

var zeroTime time.Time

type wavPair struct{ a, b []byte }

// wavCache keeps the encoded sounds of the last few items and renders each
// item once even when its two sounds are asked for at the same moment.
type wavCache struct {
	mu      sync.Mutex
	max     int
	entries map[int64]*wavEntry
	order   []int64 // least recently used first
}

type wavEntry struct {
	ready chan struct{}
	pair  *wavPair
	err   error
}

func newWAVCache(max int) *wavCache {
	return &wavCache{max: max, entries: map[int64]*wavEntry{}}
}

func (c *wavCache) get(id int64, render func() (*wavPair, error)) (*wavPair, error) {
	c.mu.Lock()
	e, ok := c.entries[id]
	if ok {
		c.touch(id)
		c.mu.Unlock()
		<-e.ready
		return e.pair, e.err
	}
	e = &wavEntry{ready: make(chan struct{})}
	c.entries[id] = e
	c.order = append(c.order, id)
	for len(c.order) > c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.mu.Unlock()

	e.pair, e.err = render()
	close(e.ready)
	if e.err != nil {
		// Do not keep failures: the next request tries again.
		c.mu.Lock()
		if c.entries[id] == e {
			delete(c.entries, id)
			c.order = removeID(c.order, id)
		}
		c.mu.Unlock()
	}
	return e.pair, e.err
}

func (c *wavCache) touch(id int64) {
	c.order = append(removeID(c.order, id), id)
}

func removeID(ids []int64, id int64) []int64 {
	for i, v := range ids {
		if v == id {
			return append(ids[:i], ids[i+1:]...)
		}
	}
	return ids
}
