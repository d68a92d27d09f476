package store

// The listening test (METHOD §7) lives in six tables:
//
//	listen_session          one row: the seed and the per-pair count the items were drawn with
//	listen_items            the drawn (program, loss, trial) triples
//	listen_raters           name and secret token of each rater
//	listen_order            each rater's own random order of all items (position 1..n)
//	listen_ratings          the latest score of each (rater, item)
//	listen_ratings_history  every score ever submitted, so re-rating never loses an answer
//
// Items and orders are drawn once and stored, so a restarted server serves
// exactly the same test. Nothing here knows how trials are stored: the caller
// passes the finished trials to draw from.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"
)

func init() {
	registerSchema("50-listen", `
CREATE TABLE IF NOT EXISTS listen_session (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	seed     INTEGER NOT NULL, -- uint64 stored as its int64 bit pattern
	per_pair INTEGER NOT NULL CHECK (per_pair > 0),
	created  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS listen_items (
	id      INTEGER PRIMARY KEY,
	program TEXT NOT NULL,
	loss    TEXT NOT NULL,
	trial   INTEGER NOT NULL,
	UNIQUE (program, loss, trial)
);
CREATE TABLE IF NOT EXISTS listen_raters (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL UNIQUE,
	token   TEXT NOT NULL UNIQUE,
	created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS listen_order (
	rater    INTEGER NOT NULL REFERENCES listen_raters(id),
	position INTEGER NOT NULL CHECK (position >= 1),
	item     INTEGER NOT NULL REFERENCES listen_items(id),
	PRIMARY KEY (rater, position),
	UNIQUE (rater, item)
);
CREATE TABLE IF NOT EXISTS listen_ratings (
	rater INTEGER NOT NULL,
	item  INTEGER NOT NULL,
	score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
	time  TEXT NOT NULL,
	PRIMARY KEY (rater, item),
	FOREIGN KEY (rater, item) REFERENCES listen_order(rater, item)
);
CREATE TABLE IF NOT EXISTS listen_ratings_history (
	id    INTEGER PRIMARY KEY,
	rater INTEGER NOT NULL,
	item  INTEGER NOT NULL,
	score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
	time  TEXT NOT NULL,
	FOREIGN KEY (rater, item) REFERENCES listen_order(rater, item)
);
`)
}

// Rating is the latest score one rater gave one item of the listening test.
type Rating struct {
	Program, Loss string
	Trial         int
	Rater         string
	Score         int
}

// RatingRecord is one submitted score with everything known about it; the
// export writes these.
type RatingRecord struct {
	Rater         string
	Position      int // where the item was in this rater's order (1-based)
	Program, Loss string
	Trial         int
	Score         int
	Time          time.Time
	Latest        bool // false for a score that a later submission replaced
}

// ListenSession is the stored draw of a listening test.
type ListenSession struct {
	Seed    uint64
	PerPair int
	Items   []ListenItem // by ID
}

// ListenItem is one drawn trial.
type ListenItem struct {
	ID int64
	Key
}

// ListenRater is one rater and the secret that is their login.
type ListenRater struct {
	ID    int64
	Name  string
	Token string
}

// ListenPosition is one entry of a rater's order with the rater's latest
// score (0 when not rated yet).
type ListenPosition struct {
	Position int
	Item     ListenItem
	Score    int
}

// ErrNoListenSession is returned when the database has no listening test yet.
var ErrNoListenSession = errors.New("no listening test in this database")

// ErrUnknownPosition is returned by SaveRating for a position that is not in
// the rater's order.
var ErrUnknownPosition = errors.New("no such item for this rater")

// DrawListenItems draws, for every (program, loss) pair among finished, up to
// perPair trials uniformly at random without replacement (METHOD §7). A pair
// with fewer finished trials contributes all of them. The draw of a pair
// depends only on the seed, the pair's names and its set of trials (not on
// the other pairs or the order of finished), so it is the same on every
// machine. The result is sorted by program, loss, trial; duplicates in
// finished are ignored.
func DrawListenItems(seed uint64, perPair int, finished []Key) []Key {
	type pair struct{ program, loss string }
	groups := map[pair][]int{}
	for _, k := range finished {
		p := pair{k.Program, k.Loss}
		groups[p] = append(groups[p], k.Index)
	}
	var out []Key
	for p, trials := range groups {
		slices.Sort(trials)
		trials = slices.Compact(trials)
		r := mrand.New(mrand.NewPCG(seed, streamID("items", p.program, p.loss)))
		n := min(perPair, len(trials))
		// Partial Fisher-Yates: the first n entries are a uniform sample.
		for i := range n {
			j := i + r.IntN(len(trials)-i)
			trials[i], trials[j] = trials[j], trials[i]
		}
		for _, t := range trials[:n] {
			out = append(out, Key{Program: p.program, Loss: p.loss, Index: t})
		}
	}
	slices.SortFunc(out, compareKeys)
	return out
}

func compareKeys(a, b Key) int {
	if c := strings.Compare(a.Program, b.Program); c != 0 {
		return c
	}
	if c := strings.Compare(a.Loss, b.Loss); c != 0 {
		return c
	}
	return a.Index - b.Index
}

// streamID derives the second PCG word from a purpose and names, so each
// pair and each rater gets an independent, reproducible stream.
func streamID(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// CreateListenSession stores a new listening test with the given items. It
// fails if the database already has one: the draw is fixed for the life of
// the study so that every rater hears the same items.
func (d *DB) CreateListenSession(ctx context.Context, seed uint64, perPair int, items []Key) error {
	if perPair < 1 {
		return fmt.Errorf("per-pair count %d: must be at least 1", perPair)
	}
	if len(items) == 0 {
		return errors.New("no finished trials to draw listening items from")
	}
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := listenNow()
	if _, err := tx.ExecContext(ctx, `INSERT INTO listen_session(id, seed, per_pair, created) VALUES (1, ?, ?, ?)`,
		int64(seed), perPair, now); err != nil {
		return fmt.Errorf("%s: storing listening test: %v (does it already have one?)", d.Path, err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO listen_items(program, loss, trial) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, it := range items {
		if _, err := stmt.ExecContext(ctx, it.Program, it.Loss, it.Index); err != nil {
			return fmt.Errorf("%s: storing listening item %s: %v", d.Path, it, err)
		}
	}
	return tx.Commit()
}

// ListenSession returns the stored listening test, or ErrNoListenSession.
func (d *DB) ListenSession(ctx context.Context) (*ListenSession, error) {
	var s ListenSession
	var seed int64
	err := d.SQL.QueryRowContext(ctx, `SELECT seed, per_pair FROM listen_session WHERE id = 1`).Scan(&seed, &s.PerPair)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoListenSession
	}
	if err != nil {
		return nil, err
	}
	s.Seed = uint64(seed)
	rows, err := d.SQL.QueryContext(ctx, `SELECT id, program, loss, trial FROM listen_items ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it ListenItem
		if err := rows.Scan(&it.ID, &it.Program, &it.Loss, &it.Index); err != nil {
			return nil, err
		}
		s.Items = append(s.Items, it)
	}
	return &s, rows.Err()
}

// CheckRaterName reports whether name can be a rater's name: 1 to 64
// printable characters, no comma (the CLI separates names with commas), no
// leading or trailing space.
func CheckRaterName(name string) error {
	switch {
	case name == "":
		return errors.New("empty rater name")
	case len(name) > 64:
		return fmt.Errorf("rater name %q: longer than 64 bytes", name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("rater name %q: leading or trailing space", name)
	case strings.ContainsRune(name, ','):
		return fmt.Errorf("rater name %q: contains a comma", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("rater name %q: contains a non-printable character", name)
		}
	}
	return nil
}

// AddListenRaters makes sure every named rater exists and returns them in
// the order given. A new rater gets a fresh 192-bit token from crypto/rand
// and their own random order of all items (seeded by the session seed and
// their name, so it is reproducible); an existing rater keeps their token,
// order and ratings.
func (d *DB) AddListenRaters(ctx context.Context, names []string) ([]ListenRater, error) {
	for i, n := range names {
		if err := CheckRaterName(n); err != nil {
			return nil, err
		}
		if slices.Contains(names[:i], n) {
			return nil, fmt.Errorf("rater name %q given twice", n)
		}
	}
	s, err := d.ListenSession(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := make([]ListenRater, len(names))
	now := listenNow()
	for i, name := range names {
		r := ListenRater{Name: name}
		err := tx.QueryRowContext(ctx, `SELECT id, token FROM listen_raters WHERE name = ?`, name).Scan(&r.ID, &r.Token)
		if err == nil {
			out[i] = r
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if r.Token, err = NewToken(); err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO listen_raters(name, token, created) VALUES (?, ?, ?)`, name, r.Token, now)
		if err != nil {
			return nil, err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return nil, err
		}
		order := RaterOrder(s.Seed, name, len(s.Items))
		for pos, idx := range order {
			if _, err := tx.ExecContext(ctx, `INSERT INTO listen_order(rater, position, item) VALUES (?, ?, ?)`,
				r.ID, pos+1, s.Items[idx].ID); err != nil {
				return nil, err
			}
		}
		out[i] = r
	}
	return out, tx.Commit()
}

// RaterOrder is the rater's permutation of n items: order[k] is the index
// (into the items sorted by ID) heard at position k+1.
func RaterOrder(seed uint64, name string, n int) []int {
	r := mrand.New(mrand.NewPCG(seed, streamID("order", name)))
	return r.Perm(n)
}

// NewToken returns a fresh unguessable rater token: 24 bytes (192 bits)
// from crypto/rand, URL-safe base64 without padding (32 characters).
func NewToken() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("drawing a rater token: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// ListenRaters returns every rater, by ID.
func (d *DB) ListenRaters(ctx context.Context) ([]ListenRater, error) {
	rows, err := d.SQL.QueryContext(ctx, `SELECT id, name, token FROM listen_raters ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ListenRater
	for rows.Next() {
		var r ListenRater
		if err := rows.Scan(&r.ID, &r.Name, &r.Token); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListenOrder returns the rater's order, position 1 first, with their
// latest scores.
func (d *DB) ListenOrder(ctx context.Context, rater int64) ([]ListenPosition, error) {
	rows, err := d.SQL.QueryContext(ctx, `
SELECT o.position, i.id, i.program, i.loss, i.trial, COALESCE(r.score, 0)
FROM listen_order o
JOIN listen_items i ON i.id = o.item
LEFT JOIN listen_ratings r ON r.rater = o.rater AND r.item = o.item
WHERE o.rater = ?
ORDER BY o.position`, rater)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ListenPosition
	for rows.Next() {
		var p ListenPosition
		if err := rows.Scan(&p.Position, &p.Item.ID, &p.Item.Program, &p.Item.Loss, &p.Item.Index, &p.Score); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SaveRating records that the rater gave score to the item at position of
// their order, committing at once. A previous score for the same item is
// replaced as the latest and kept in the history. It returns
// ErrUnknownPosition if the rater has no such position, and an error for a
// score outside 1..5.
func (d *DB) SaveRating(ctx context.Context, rater int64, position, score int) error {
	if score < 1 || score > 5 {
		return fmt.Errorf("score %d: must be an integer from 1 to 5", score)
	}
	// A dedicated connection and BEGIN IMMEDIATE take the write lock before
	// reading, so concurrent raters queue on the busy timeout instead of
	// failing with a stale read snapshot.
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()
	var item int64
	err = conn.QueryRowContext(ctx, `SELECT item FROM listen_order WHERE rater = ? AND position = ?`, rater, position).Scan(&item)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrUnknownPosition
	}
	if err != nil {
		return err
	}
	now := listenNow()
	if _, err := conn.ExecContext(ctx, `INSERT INTO listen_ratings_history(rater, item, score, time) VALUES (?, ?, ?, ?)`,
		rater, item, score, now); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `
INSERT INTO listen_ratings(rater, item, score, time) VALUES (?, ?, ?, ?)
ON CONFLICT (rater, item) DO UPDATE SET score = excluded.score, time = excluded.time`,
		rater, item, score, now); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return err
	}
	committed = true
	return nil
}

// Ratings returns the latest score of every rated (rater, item), ordered by
// program, loss, trial and rater name. Raters who have not rated an item
// contribute nothing for it.
func (d *DB) Ratings(ctx context.Context) ([]Rating, error) {
	rows, err := d.SQL.QueryContext(ctx, `
SELECT i.program, i.loss, i.trial, ra.name, r.score
FROM listen_ratings r
JOIN listen_items i ON i.id = r.item
JOIN listen_raters ra ON ra.id = r.rater
ORDER BY i.program, i.loss, i.trial, ra.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rating
	for rows.Next() {
		var r Rating
		if err := rows.Scan(&r.Program, &r.Loss, &r.Trial, &r.Rater, &r.Score); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RatingRecords returns the ratings for export: with history false, the
// latest score of each (rater, item); with history true, every submission,
// Latest marking the ones still in force. Ordered by rater name, then time
// of submission.
func (d *DB) RatingRecords(ctx context.Context, history bool) ([]RatingRecord, error) {
	q := `
SELECT ra.name, o.position, i.program, i.loss, i.trial, r.score, r.time, 1
FROM listen_ratings r
JOIN listen_order o ON o.rater = r.rater AND o.item = r.item
JOIN listen_items i ON i.id = r.item
JOIN listen_raters ra ON ra.id = r.rater
ORDER BY ra.name, r.time, o.position`
	if history {
		q = `
SELECT ra.name, o.position, i.program, i.loss, i.trial, h.score, h.time,
       h.id = (SELECT MAX(h2.id) FROM listen_ratings_history h2 WHERE h2.rater = h.rater AND h2.item = h.item)
FROM listen_ratings_history h
JOIN listen_order o ON o.rater = h.rater AND o.item = h.item
JOIN listen_items i ON i.id = h.item
JOIN listen_raters ra ON ra.id = h.rater
ORDER BY ra.name, h.id`
	}
	rows, err := d.SQL.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RatingRecord
	for rows.Next() {
		var r RatingRecord
		var t string
		if err := rows.Scan(&r.Rater, &r.Position, &r.Program, &r.Loss, &r.Trial, &r.Score, &t, &r.Latest); err != nil {
			return nil, err
		}
		if r.Time, err = time.Parse(listenTimeLayout, t); err != nil {
			return nil, fmt.Errorf("%s: rating time %q: %v", d.Path, t, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// listenTimeLayout has a fixed width so stored times sort as text.
const listenTimeLayout = "2006-01-02T15:04:05.000000000Z"

func listenNow() string { return time.Now().UTC().Format(listenTimeLayout) }
