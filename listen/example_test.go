package listen_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/soundmatch/soundmatch/listen"
	"github.com/soundmatch/soundmatch/store"
)

// A listening test over a database, with a stand-in renderer: a rater opens
// their link, is sent to their first item, and rates it.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "listen-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "study.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Two finished trials of one (program, loss) pair; draw both.
	finished := []store.Key{{Program: "add-sinesaw", Loss: "mss", Index: 0}, {Program: "add-sinesaw", Loss: "mss", Index: 1}}
	if err := db.CreateListenSession(ctx, 1, 40, store.DrawListenItems(1, 40, finished)); err != nil {
		log.Fatal(err)
	}
	raters, err := db.AddListenRaters(ctx, []string{"alice"})
	if err != nil {
		log.Fatal(err)
	}

	// listen.StudySounds renders with the synthesizer; any Sounds will do.
	sine := listen.SoundsFunc(func(ctx context.Context, k store.Key) (target, output []float64, rate int, err error) {
		target, output = make([]float64, 4410), make([]float64, 4410)
		for n := range target {
			target[n] = math.Sin(2 * math.Pi * 440 * float64(n) / 44100)
			output[n] = 0.5 * math.Sin(2*math.Pi*450*float64(n)/44100)
		}
		return target, output, 44100, nil
	})
	app, err := listen.New(db, sine, nil)
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(app)
	defer ts.Close()

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	link := ts.URL + "/r/" + raters[0].Token + "/"
	hide := func(s string) string { return strings.ReplaceAll(s, raters[0].Token, "TOKEN") }

	resp, _ := client.Get(link)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, hide(resp.Header.Get("Location")))

	resp, _ = client.PostForm(link+"item/1", url.Values{"score": {"4"}})
	resp.Body.Close()
	fmt.Println(resp.StatusCode, hide(resp.Header.Get("Location")))

	ratings, _ := db.Ratings(ctx)
	fmt.Printf("%d rating by %s: %d\n", len(ratings), ratings[0].Rater, ratings[0].Score)
	// Output:
	// 303 /r/TOKEN/item/1
	// 303 /r/TOKEN/item/2
	// 1 rating by alice: 4
}
