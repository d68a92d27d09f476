package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

func finishedGrid(programs, losses []string, n int) []Key {
	var out []Key
	for _, p := range programs {
		for _, l := range losses {
			for i := range n {
				out = append(out, Key{Program: p, Loss: l, Index: i})
			}
		}
	}
	return out
}

func pairsOf(keys []Key) map[[2]string][]int {
	m := map[[2]string][]int{}
	for _, k := range keys {
		p := [2]string{k.Program, k.Loss}
		m[p] = append(m[p], k.Index)
	}
	return m
}

func TestDrawListenItems(t *testing.T) {
	fin := finishedGrid([]string{"bp-noise", "add-sinesaw"}, []string{"l1-spec", "mss", "jtfs"}, 100)
	// One pair with fewer finished trials than asked for: all of them.
	for i := range 7 {
		fin = append(fin, Key{Program: "noise-am", Loss: "mss", Index: 3 * i})
	}
	got := DrawListenItems(42, 40, fin)
	if !slices.IsSortedFunc(got, compareKeys) {
		t.Fatal("draw not sorted")
	}
	pairs := pairsOf(got)
	if len(pairs) != 7 {
		t.Fatalf("%d pairs drawn, want 7", len(pairs))
	}
	for p, trials := range pairs {
		want := 40
		if p[0] == "noise-am" {
			want = 7
		}
		if len(trials) != want {
			t.Errorf("pair %v: %d trials, want %d", p, len(trials), want)
		}
		if len(slices.Compact(slices.Clone(trials))) != len(trials) {
			t.Errorf("pair %v: a trial drawn twice: %v", p, trials)
		}
		for _, tr := range trials {
			if p[0] != "noise-am" && (tr < 0 || tr >= 100) || p[0] == "noise-am" && tr%3 != 0 {
				t.Errorf("pair %v: trial %d was not finished", p, tr)
			}
		}
	}

	// Same seed: same draw, whatever the order of the input and whatever
	// other pairs exist.
	rev := slices.Clone(fin)
	slices.Reverse(rev)
	if !slices.Equal(DrawListenItems(42, 40, rev), got) {
		t.Error("draw depends on the order of the finished trials")
	}
	only := DrawListenItems(42, 40, finishedGrid([]string{"bp-noise"}, []string{"mss"}, 100))
	if !slices.Equal(only, keysOfPair(got, "bp-noise", "mss")) {
		t.Error("draw of a pair depends on the other pairs")
	}
	if slices.Equal(DrawListenItems(43, 40, fin), got) {
		t.Error("seeds 42 and 43 drew the same items")
	}
	// Different pairs get different samples (independent streams).
	a, b := pairs[[2]string{"bp-noise", "mss"}], pairs[[2]string{"bp-noise", "jtfs"}]
	if slices.Equal(a, b) {
		t.Error("two pairs drew the same trials")
	}
}

func keysOfPair(keys []Key, program, loss string) []Key {
	var out []Key
	for _, k := range keys {
		if k.Program == program && k.Loss == loss {
			out = append(out, k)
		}
	}
	return out
}

// Every trial must be equally likely: over many seeds each of 20 trials is
// drawn with probability 5/20; the counts are checked against a binomial
// 5-sigma band, loose enough never to fail by chance, tight enough to catch
// a biased shuffle (e.g. one that never draws the last trial).
func TestDrawListenItemsUniform(t *testing.T) {
	const n, k, seeds = 20, 5, 4000
	fin := finishedGrid([]string{"p"}, []string{"l"}, n)
	counts := make([]int, n)
	for s := range uint64(seeds) {
		for _, it := range DrawListenItems(s, k, fin) {
			counts[it.Index]++
		}
	}
	mean := float64(seeds) * k / n // 1000
	sd := 21.65                    // sqrt(4000 · 0.25 · 0.75)
	for i, c := range counts {
		if d := float64(c) - mean; d > 5*sd || d < -5*sd {
			t.Errorf("trial %d drawn %d times in %d draws of %d of %d, want %.0f ± %.0f", i, c, seeds, k, n, mean, 5*sd)
		}
	}
}

func openListenTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "study.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newListenDB(t *testing.T, perPair int) (*DB, []Key) {
	t.Helper()
	db := openListenTemp(t)
	items := DrawListenItems(7, perPair, finishedGrid([]string{"add-sinesaw", "bp-noise"}, []string{"l1-spec", "mss"}, 10))
	if err := db.CreateListenSession(context.Background(), 7, perPair, items); err != nil {
		t.Fatal(err)
	}
	return db, items
}

func TestListenSessionStoredOnce(t *testing.T) {
	ctx := context.Background()
	db := openListenTemp(t)
	if _, err := db.ListenSession(ctx); !errors.Is(err, ErrNoListenSession) {
		t.Fatalf("empty database: got %v, want ErrNoListenSession", err)
	}
	if _, err := db.AddListenRaters(ctx, []string{"ann"}); !errors.Is(err, ErrNoListenSession) {
		t.Fatalf("raters before the session: got %v, want ErrNoListenSession", err)
	}
	items := DrawListenItems(1<<63+5, 3, finishedGrid([]string{"p"}, []string{"a", "b"}, 10))
	if err := db.CreateListenSession(ctx, 1<<63+5, 3, items); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateListenSession(ctx, 1, 3, items); err == nil {
		t.Fatal("a second listening session was accepted")
	}
	db.Close()
	db2, err := Open(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	s, err := db2.ListenSession(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed != 1<<63+5 || s.PerPair != 3 || len(s.Items) != 6 {
		t.Fatalf("reopened session: seed %d per-pair %d items %d", s.Seed, s.PerPair, len(s.Items))
	}
	for i, it := range s.Items {
		if it.Key != items[i] {
			t.Errorf("item %d: %v, want %v", i, it.Key, items[i])
		}
	}
	if err := db2.CreateListenSession(ctx, 1, 0, items); err == nil {
		t.Error("per-pair 0 accepted")
	}
}

func TestAddListenRaters(t *testing.T) {
	ctx := context.Background()
	db, items := newListenDB(t, 4)
	rs, err := db.AddListenRaters(ctx, []string{"ann", "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Token == rs[1].Token {
		t.Fatal("two raters share a token")
	}
	for _, r := range rs {
		b, err := base64.RawURLEncoding.DecodeString(r.Token)
		if err != nil || len(b) < 16 {
			t.Errorf("token %q: %d bytes (%v), want at least 16 random bytes", r.Token, len(b), err)
		}
	}
	// Again, with a new rater: existing ones keep their token.
	rs2, err := db.AddListenRaters(ctx, []string{"bob", "cid"})
	if err != nil {
		t.Fatal(err)
	}
	if rs2[0] != rs[1] {
		t.Errorf("bob changed: %+v then %+v", rs[1], rs2[0])
	}
	all, err := db.ListenRaters(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("ListenRaters: %v, %v", all, err)
	}
	var orders [][]int64
	for _, r := range all {
		o, err := db.ListenOrder(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(o) != len(items) {
			t.Fatalf("rater %s has %d positions, want %d", r.Name, len(o), len(items))
		}
		var ids []int64
		seen := map[Key]bool{}
		for i, p := range o {
			if p.Position != i+1 || p.Score != 0 {
				t.Errorf("rater %s position %d: %+v", r.Name, i+1, p)
			}
			seen[p.Item.Key] = true
			ids = append(ids, p.Item.ID)
		}
		if len(seen) != len(items) {
			t.Errorf("rater %s does not hear every item once", r.Name)
		}
		// The stored order is the documented reproducible permutation.
		want := RaterOrder(7, r.Name, len(items))
		for i, p := range o {
			if p.Item.Key != items[want[i]] {
				t.Errorf("rater %s position %d: %v, want %v", r.Name, i+1, p.Item.Key, items[want[i]])
				break
			}
		}
		orders = append(orders, ids)
	}
	if slices.Equal(orders[0], orders[1]) || slices.Equal(orders[1], orders[2]) {
		t.Error("two raters got the same order")
	}

	for _, bad := range [][]string{{""}, {"a,b"}, {" ann"}, {"ann", "ann"}, {"x\x00"}} {
		if _, err := db.AddListenRaters(ctx, bad); err == nil {
			t.Errorf("raters %q accepted", bad)
		}
	}
}

func TestSaveRating(t *testing.T) {
	ctx := context.Background()
	db, _ := newListenDB(t, 2)
	rs, err := db.AddListenRaters(ctx, []string{"ann", "bob"})
	if err != nil {
		t.Fatal(err)
	}
	ann, bob := rs[0].ID, rs[1].ID
	for _, c := range []struct {
		rater     int64
		pos, scor int
	}{{ann, 1, 0}, {ann, 1, 6}, {ann, 1, -1}, {ann, 0, 3}, {ann, 9, 3}, {ann + bob + 10, 1, 3}} {
		if err := db.SaveRating(ctx, c.rater, c.pos, c.scor); err == nil {
			t.Errorf("rater %d position %d score %d accepted", c.rater, c.pos, c.scor)
		}
	}
	if err := db.SaveRating(ctx, ann, 9, 3); !errors.Is(err, ErrUnknownPosition) {
		t.Errorf("position 9 of 8: %v, want ErrUnknownPosition", err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SaveRating(ctx, ann, 1, 2))
	must(db.SaveRating(ctx, ann, 1, 5)) // re-rating
	must(db.SaveRating(ctx, ann, 2, 1))
	must(db.SaveRating(ctx, bob, 1, 4))

	annOrder, _ := db.ListenOrder(ctx, ann)
	bobOrder, _ := db.ListenOrder(ctx, bob)
	if annOrder[0].Score != 5 || annOrder[1].Score != 1 || annOrder[2].Score != 0 || bobOrder[0].Score != 4 {
		t.Errorf("scores in orders: ann %d %d %d, bob %d", annOrder[0].Score, annOrder[1].Score, annOrder[2].Score, bobOrder[0].Score)
	}

	got, err := db.Ratings(ctx)
	must(err)
	want := []Rating{
		rating(annOrder[0].Item.Key, "ann", 5),
		rating(annOrder[1].Item.Key, "ann", 1),
		rating(bobOrder[0].Item.Key, "bob", 4),
	}
	slices.SortFunc(want, func(a, b Rating) int {
		return compareKeys(Key{a.Program, a.Loss, a.Trial}, Key{b.Program, b.Loss, b.Trial})*10 + cmpStr(a.Rater, b.Rater)
	})
	if !slices.Equal(got, want) {
		t.Errorf("Ratings:\n got %v\nwant %v", got, want)
	}

	latest, err := db.RatingRecords(ctx, false)
	must(err)
	if len(latest) != 3 {
		t.Fatalf("latest records: %d, want 3", len(latest))
	}
	hist, err := db.RatingRecords(ctx, true)
	must(err)
	if len(hist) != 4 {
		t.Fatalf("history: %d records, want 4", len(hist))
	}
	// ann's history: position 1 score 2 (replaced), position 1 score 5, position 2 score 1.
	if h := hist[0]; h.Rater != "ann" || h.Position != 1 || h.Score != 2 || h.Latest {
		t.Errorf("history[0] = %+v", h)
	}
	if h := hist[1]; h.Rater != "ann" || h.Position != 1 || h.Score != 5 || !h.Latest {
		t.Errorf("history[1] = %+v", h)
	}
	if !hist[0].Time.Before(hist[1].Time) && !hist[0].Time.Equal(hist[1].Time) {
		t.Errorf("history times out of order: %v %v", hist[0].Time, hist[1].Time)
	}
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func rating(k Key, rater string, score int) Rating {
	return Rating{Program: k.Program, Loss: k.Loss, Trial: k.Index, Rater: rater, Score: score}
}

// Many raters submitting at once through separate connections: every
// submission is committed, none is lost to SQLITE_BUSY.
func TestSaveRatingConcurrent(t *testing.T) {
	ctx := context.Background()
	db, items := newListenDB(t, 5) // 20 items
	names := []string{"r0", "r1", "r2", "r3", "r4", "r5"}
	rs, err := db.AddListenRaters(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 2 // each rater rates every item twice (the second replaces)
	var wg sync.WaitGroup
	errs := make(chan error, len(rs)*len(items)*rounds)
	for _, r := range rs {
		for half := range 2 { // two browser tabs per rater
			wg.Go(func() {
				for round := range rounds {
					for pos := 1 + half; pos <= len(items); pos += 2 {
						if err := db.SaveRating(ctx, r.ID, pos, 1+(pos+round)%5); err != nil {
							errs <- fmt.Errorf("%s position %d: %v", r.Name, pos, err)
						}
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := db.Ratings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rs)*len(items) {
		t.Fatalf("%d ratings, want %d", len(got), len(rs)*len(items))
	}
	hist, err := db.RatingRecords(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != len(rs)*len(items)*rounds {
		t.Fatalf("%d history rows, want %d", len(hist), len(rs)*len(items)*rounds)
	}
	for _, r := range rs {
		o, _ := db.ListenOrder(ctx, r.ID)
		for _, p := range o {
			if want := 1 + (p.Position+rounds-1)%5; p.Score != want {
				t.Errorf("%s position %d: score %d, want %d (the last round's)", r.Name, p.Position, p.Score, want)
			}
		}
	}
}

func TestCheckRaterName(t *testing.T) {
	for _, ok := range []string{"ann", "Dr. Müller", "rater 2"} {
		if err := CheckRaterName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a,b", "tab\there", " x", "x ", string(make([]byte, 65))} {
		if err := CheckRaterName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
