package study

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/soundmatch/soundmatch/store"
)

// PairStatus counts the trials of one (program, loss) pair.
type PairStatus struct {
	Program, Loss        string
	Planned              int
	OK, Diverged, Failed int
	MeanWallMS           float64 // mean wall time of its stored trials
}

// Done is the number of stored trials, whatever their status.
func (p PairStatus) Done() int { return p.OK + p.Diverged + p.Failed }

// Status summarizes a study database.
type Status struct {
	Config   *Config
	Shard    string // "k/N" when the database holds one shard, else ""
	Pairs    []PairStatus
	Planned  int
	Done     int
	Failed   int
	Diverged int
	// Rate is the throughput (trials/s) over the most recent commits (up
	// to 100), and Last the time of the last commit; zero when fewer than
	// two trials are stored.
	Rate float64
	Last time.Time
	// Builds are the fingerprints of the binaries that wrote trials (more
	// than one: results of different code may be mixed).
	Builds []string
}

// Remaining is the number of planned trials not stored yet.
func (s *Status) Remaining() int { return s.Planned - s.Done }

// ETA estimates the time left at the recent rate (0 when unknown).
func (s *Status) ETA() time.Duration {
	if s.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(s.Remaining()) / s.Rate * float64(time.Second))
}

// ReadStatus reads a study database's config and counts.
func ReadStatus(ctx context.Context, db *store.DB) (*Status, error) {
	text, _, err := db.Config(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseCanonical(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", db.Path, err)
	}
	st := &Status{Config: cfg}
	shard, _, err := db.Meta(ctx, "shard")
	if err != nil {
		return nil, err
	}
	sel := Shard{}
	if shard != "" {
		if sel, err = ParseShard(shard); err != nil {
			return nil, fmt.Errorf("%s: %v", db.Path, err)
		}
		st.Shard = shard
	}
	type pk struct{ p, l string }
	idx := map[pk]int{}
	for _, p := range cfg.Programs {
		for _, l := range cfg.Losses {
			idx[pk{p.Name, l.Label}] = len(st.Pairs)
			st.Pairs = append(st.Pairs, PairStatus{Program: p.Name, Loss: l.Label})
		}
	}
	for _, t := range sel.Select(cfg.Plan()) {
		st.Pairs[idx[pk{t.Program.Name, t.Loss.Label}]].Planned++
		st.Planned++
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		i, ok := idx[pk{c.Program, c.Loss}]
		if !ok {
			return nil, fmt.Errorf("%s: holds trials of %s/%s, which its config does not plan", db.Path, c.Program, c.Loss)
		}
		p := &st.Pairs[i]
		p.OK, p.Diverged, p.Failed = c.OK, c.Diverged, c.Failed
		if c.Done() > 0 {
			p.MeanWallMS = c.WallMS / float64(c.Done())
		}
		st.Done += c.Done()
		st.Failed += c.Failed
		st.Diverged += c.Diverged
	}
	if st.Builds, err = Builds(ctx, db); err != nil {
		return nil, err
	}
	times, err := db.FinishedTimes(ctx)
	if err != nil {
		return nil, err
	}
	if n := len(times); n >= 2 {
		k := min(n, 100)
		span := times[n-1] - times[n-k]
		if span > 0 {
			st.Rate = float64(k-1) / (float64(span) / 1000)
		}
		st.Last = time.UnixMilli(times[n-1])
	}
	return st, nil
}

// Merge copies the trials of the input databases into out. All inputs are
// checked to hold the same study as each other and as out before anything
// is written; a duplicate trial with different results refuses that input
// (in its own transaction, so out never holds half an input).
func Merge(ctx context.Context, out *store.DB, inputs []string) ([]store.MergeResult, error) {
	if len(inputs) == 0 {
		return nil, errors.New("merge: no input databases")
	}
	var first, firstText string
	var builds []string
	if text, _, err := out.Config(ctx); err == nil {
		first, firstText = out.Path, text
	} else if !errors.Is(err, store.ErrNoConfig) {
		return nil, err
	}
	for _, in := range inputs {
		if in == out.Path {
			return nil, fmt.Errorf("merge: %s is both the output and an input", in)
		}
		db, err := store.OpenExisting(in)
		if err != nil {
			return nil, err
		}
		text, _, err := db.Config(ctx)
		if err == nil {
			var b []string
			b, err = Builds(ctx, db)
			builds = append(builds, b...)
		}
		db.Close()
		if err != nil {
			return nil, err
		}
		if first == "" {
			first, firstText = in, text
			continue
		}
		if text != firstText {
			d := diffNamed(firstText, text, first, in)
			if len(d) > 6 {
				d = append(d[:6], fmt.Sprintf("and %d more", len(d)-6))
			}
			return nil, fmt.Errorf("refusing to merge: %s and %s hold different studies (%s); nothing was written", first, in, strings.Join(d, "; "))
		}
	}
	var res []store.MergeResult
	for _, in := range inputs {
		r, err := out.MergeFrom(ctx, in, Diff)
		if err != nil {
			return res, err
		}
		res = append(res, r)
	}
	if _, err := NoteBuilds(ctx, out, builds...); err != nil {
		return res, err
	}
	return res, out.SetMeta(ctx, "shard", "")
}
