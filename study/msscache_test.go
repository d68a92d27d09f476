package study

import (
	"math"
	"testing"

	"github.com/soundmatch/soundmatch/loss"
)

func TestMSSCacheSharesAndEvicts(t *testing.T) {
	c := newMSSCache(2)
	tg := make([]float64, 5000)
	out := make([]float64, 5000)
	for i := range tg {
		tg[i] = math.Sin(float64(i) * 0.01)
		out[i] = math.Sin(float64(i) * 0.0102)
	}
	a := c.acquire("p 1")
	b := c.acquire("p 1")
	if a != b {
		t.Fatal("two arms of one target got different entries")
	}
	if got, want := a.score(out, tg), loss.MSS(out, tg); math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("shared score %.17g, loss.MSS %.17g", got, want)
	}
	if b.ref == nil || b.ref != a.ref {
		t.Fatal("the second arm did not reuse the first arm's reference")
	}
	c.release("p 1", a)
	c.release("p 1", b)
	for _, k := range []string{"p 2", "p 3"} {
		e := c.acquire(k)
		c.release(k, e)
	}
	if len(c.entries) != 2 || c.entries["p 1"] != nil {
		t.Fatalf("after 3 released targets with room for 2, the cache holds %d (oldest kept: %v)", len(c.entries), c.entries["p 1"] != nil)
	}
	// A held entry is never evicted.
	h := c.acquire("p 9")
	for _, k := range []string{"p 4", "p 5", "p 6"} {
		e := c.acquire(k)
		c.release(k, e)
	}
	if c.entries["p 9"] != h {
		t.Fatal("an entry in use was evicted")
	}
	c.release("p 9", h)
	// Too short for the largest scale: NaN, as loss.MSS.
	s := c.acquire("short")
	if v := s.score(out[:100], tg[:100]); !math.IsNaN(v) {
		t.Fatalf("score of 100 samples = %g, want NaN", v)
	}
}
