package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// SchemaVersion is the version of the config and trials tables. A database
// written with another version is refused rather than misread.
const SchemaVersion = 1

func init() {
	registerSchema("10-trials", `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS config (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	text    TEXT NOT NULL,
	hash    TEXT NOT NULL,
	created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trials (
	program     TEXT    NOT NULL,
	loss        TEXT    NOT NULL,
	idx         INTEGER NOT NULL,
	seed        INTEGER NOT NULL,
	params      TEXT    NOT NULL,
	target      BLOB,
	start       BLOB    NOT NULL,
	final_u     BLOB    NOT NULL,
	final       BLOB    NOT NULL,
	loss_final  REAL,
	ploss       REAL,
	ploss_u     REAL,
	mss         REAL,
	status      TEXT    NOT NULL CHECK (status IN ('ok', 'diverged', 'failed')),
	reason      TEXT    NOT NULL DEFAULT '',
	iterations  INTEGER NOT NULL,
	wall_ms     REAL    NOT NULL,
	finished_ms INTEGER NOT NULL,
	trajectory  BLOB,
	PRIMARY KEY (program, loss, idx)
) WITHOUT ROWID;
`)
}

// Status values of a trial.
const (
	StatusOK       = "ok"       // the optimizer ran to the end with every parameter in range
	StatusDiverged = "diverged" // a parameter left its range (u outside [-1, 1]) and stayed there
	StatusFailed   = "failed"   // the maths failed (NaN, error); Reason says why
)

// Trial is one finished match of a study: the record the statistics, the
// report and the listening test are built from.
//
// Values (Target, Start, Final) are raw slider values; FinalU is the
// unclipped optimizer variable u in [-1, 1] space (METHOD §2). Scores that do
// not exist (a failed trial, an out-of-domain target) are NaN.
type Trial struct {
	Program string
	Loss    string
	Index   int    // trial index i within the (program, loss) pair
	Seed    uint64 // the seed DrawTrial was given

	Params []string // slider names, in the program's order

	Target []float64 // nil for an out-of-domain target
	Start  []float64
	FinalU []float64
	Final  []float64 // values the synth played (clipped)

	LossFinal float64
	PLoss     float64 // L1 in [0,1]-normalized values
	PLossU    float64 // Euclidean in u space, unclipped (the reference code's variant)
	MSS       float64

	Status     string // StatusOK, StatusDiverged or StatusFailed
	Reason     string // why a trial failed or diverged; empty when ok
	Iterations int    // optimizer updates performed

	WallMS     float64   // wall time of the whole trial (draw, render, iterations, scoring)
	FinishedAt time.Time // when the trial was committed (throughput; not compared by Equal)

	// Trajectory holds, for each iteration, the loss, the gradient norm
	// before clipping, and the slider values. It is stored as float32:
	// it is for curves and pictures, never for scores. Nil when not read.
	Trajectory []Step
}

// Step is one iteration of a trial's trajectory.
type Step struct {
	Loss     float64
	GradNorm float64
	Values   []float64
}

// Key identifies a trial within a study.
type Key struct {
	Program string
	Loss    string
	Index   int
}

// Key returns the trial's key.
func (t *Trial) Key() Key { return Key{t.Program, t.Loss, t.Index} }

func (k Key) String() string { return fmt.Sprintf("%s/%s/%d", k.Program, k.Loss, k.Index) }

// Filter selects trials. Empty fields select everything.
type Filter struct {
	Programs []string
	Losses   []string
	Status   []string
	// Trajectory asks for the trajectories too (they are the bulk of the data).
	Trajectory bool
}

// ErrDuplicate is returned (wrapped) by InsertTrial for a trial the
// database already holds.
var ErrDuplicate = errors.New("trial already stored")

// ErrNoConfig is returned by Config for a database no study has written to.
var ErrNoConfig = errors.New("no study config")

// ConfigMismatchError is returned by SaveConfig when the database already
// belongs to a study with another config.
type ConfigMismatchError struct {
	Path        string
	Have, Want  string // hashes
	HaveText    string
	WantText    string
	Differences []string // human-readable lines, "trials: 300 (database) vs 10 (given)"
}

func (e *ConfigMismatchError) Error() string {
	msg := fmt.Sprintf("%s holds a study with another config (hash %s, given %s)", e.Path, short(e.Have), short(e.Want))
	if len(e.Differences) > 0 {
		msg += ": " + strings.Join(e.Differences, "; ")
	}
	return msg + "; use another --db file, or the config the database was made with"
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// ConfigHash is the identity of a study config: the SHA-256 of its
// canonical text.
func ConfigHash(text string) string {
	s := sha256.Sum256([]byte(text))
	return hex.EncodeToString(s[:])
}

// Config returns the study config text stored in the database and its hash,
// or ErrNoConfig.
func (d *DB) Config(ctx context.Context) (text, hash string, err error) {
	err = d.SQL.QueryRowContext(ctx, `SELECT text, hash FROM config WHERE id = 1`).Scan(&text, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("%s: %w (run 'soundmatch study run' on it first)", d.Path, ErrNoConfig)
	}
	if err != nil {
		return "", "", d.wrap("reading config", err)
	}
	return text, hash, nil
}

// SaveConfig records the study config in a new database, or checks that an
// existing database holds the same one. diff, when non-nil, explains a
// mismatch in terms of config fields (it is given both texts).
func (d *DB) SaveConfig(ctx context.Context, text string, diff func(have, want string) []string) error {
	hash := ConfigHash(text)
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("saving config", err)
	}
	defer tx.Rollback()
	var haveText, haveHash string
	err = tx.QueryRowContext(ctx, `SELECT text, hash FROM config WHERE id = 1`).Scan(&haveText, &haveHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO config(id, text, hash, created) VALUES (1, ?, ?, ?)`,
			text, hash, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return d.wrap("saving config", err)
		}
		return d.wrap("saving config", tx.Commit())
	case err != nil:
		return d.wrap("reading config", err)
	}
	if haveHash == hash {
		return nil
	}
	e := &ConfigMismatchError{Path: d.Path, Have: haveHash, Want: hash, HaveText: haveText, WantText: text}
	if diff != nil {
		e.Differences = diff(haveText, text)
	}
	return e
}

// InsertTrial commits one finished trial in its own transaction: after it
// returns nil the trial survives a crash; if it fails nothing is written.
// A trial already present is an error (the caller skips done trials).
func (d *DB) InsertTrial(ctx context.Context, t *Trial) error {
	if t.FinishedAt.IsZero() {
		t.FinishedAt = time.Now()
	}
	args, err := trialArgs(t)
	if err != nil {
		return err
	}
	// A plain Exec outside BEGIN is its own transaction in SQLite; the
	// explicit one keeps the contract obvious if more statements join it.
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("storing trial "+t.Key().String(), err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, insertTrialSQL, args...); err != nil {
		if strings.Contains(err.Error(), "UNIQUE constraint failed") {
			return fmt.Errorf("%s: trial %s: %w", d.Path, t.Key(), ErrDuplicate)
		}
		return d.wrap("storing trial "+t.Key().String(), err)
	}
	if err := tx.Commit(); err != nil {
		return d.wrap("storing trial "+t.Key().String(), err)
	}
	return nil
}

const trialColumns = `program, loss, idx, seed, params, target, start, final_u, final,
	loss_final, ploss, ploss_u, mss, status, reason, iterations, wall_ms, finished_ms, trajectory`

const insertTrialSQL = `INSERT INTO trials(` + trialColumns + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

func trialArgs(t *Trial) ([]any, error) {
	switch t.Status {
	case StatusOK, StatusDiverged, StatusFailed:
	default:
		return nil, fmt.Errorf("store: trial %s has status %q (want ok, diverged or failed)", t.Key(), t.Status)
	}
	var target any
	if t.Target != nil {
		target = encodeFloats(t.Target)
	}
	var traj any
	if t.Trajectory != nil {
		traj = encodeTrajectory(t.Trajectory)
	}
	return []any{
		t.Program, t.Loss, t.Index, int64(t.Seed), strings.Join(t.Params, "\x1f"),
		target, encodeFloats(t.Start), encodeFloats(t.FinalU), encodeFloats(t.Final),
		nullable(t.LossFinal), nullable(t.PLoss), nullable(t.PLossU), nullable(t.MSS),
		t.Status, t.Reason, t.Iterations, t.WallMS, t.FinishedAt.UnixMilli(), traj,
	}, nil
}

// nullable maps NaN to NULL: SQLite has no NaN (it would store NULL anyway,
// silently); reading NULL back gives NaN again.
func nullable(x float64) any {
	if math.IsNaN(x) {
		return nil
	}
	return x
}

// Meta returns a value of the meta table (ok false when unset).
func (d *DB) Meta(ctx context.Context, key string) (value string, ok bool, err error) {
	err = d.SQL.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, d.wrap("reading "+key, err)
	}
	return value, true, nil
}

// SetMeta sets a value of the meta table.
func (d *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := d.SQL.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return d.wrap("writing "+key, err)
}

// Done returns the keys of every trial stored, whatever its status.
func (d *DB) Done(ctx context.Context) (map[Key]bool, error) {
	rows, err := d.SQL.QueryContext(ctx, `SELECT program, loss, idx FROM trials`)
	if err != nil {
		return nil, d.wrap("listing trials", err)
	}
	defer rows.Close()
	done := make(map[Key]bool)
	for rows.Next() {
		var k Key
		if err := rows.Scan(&k.Program, &k.Loss, &k.Index); err != nil {
			return nil, d.wrap("listing trials", err)
		}
		done[k] = true
	}
	return done, d.wrap("listing trials", rows.Err())
}

// Trials returns the trials selected by f, ordered by program, loss and
// index (byte order of the names), so every reader sees the same order
// whatever order the trials were run in.
func (d *DB) Trials(ctx context.Context, f Filter) ([]Trial, error) {
	var out []Trial
	err := d.EachTrial(ctx, f, func(t *Trial) error {
		out = append(out, *t)
		return nil
	})
	return out, err
}

// EachTrial calls fn for each trial selected by f, in the order of Trials,
// without holding them all in memory. The *Trial is fresh for every call.
func (d *DB) EachTrial(ctx context.Context, f Filter, fn func(*Trial) error) error {
	cols := strings.Replace(trialColumns, ", trajectory", "", 1)
	if f.Trajectory {
		cols = trialColumns
	}
	q := `SELECT ` + cols + ` FROM trials`
	var where []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where = append(where, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("program", f.Programs)
	in("loss", f.Losses)
	in("status", f.Status)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY program, loss, idx`
	rows, err := d.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return d.wrap("reading trials", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTrial(rows, f.Trajectory)
		if err != nil {
			return d.wrap("reading trials", err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return d.wrap("reading trials", rows.Err())
}

func scanTrial(rows *sql.Rows, withTraj bool) (*Trial, error) {
	var (
		t                             Trial
		seed, finished                int64
		params                        string
		target, start, finalU, final  []byte
		lossFinal, ploss, plossU, mss sql.NullFloat64
		traj                          []byte
	)
	dst := []any{&t.Program, &t.Loss, &t.Index, &seed, &params, &target, &start, &finalU, &final,
		&lossFinal, &ploss, &plossU, &mss, &t.Status, &t.Reason, &t.Iterations, &t.WallMS, &finished}
	if withTraj {
		dst = append(dst, &traj)
	}
	if err := rows.Scan(dst...); err != nil {
		return nil, err
	}
	t.Seed = uint64(seed)
	if params != "" {
		t.Params = strings.Split(params, "\x1f")
	}
	var err error
	dec := func(b []byte, what string) []float64 {
		if err != nil || b == nil {
			return nil
		}
		var v []float64
		v, err = decodeFloats(b)
		if err != nil {
			err = fmt.Errorf("trial %s: %s: %v", t.Key(), what, err)
		}
		return v
	}
	t.Target = dec(target, "target")
	t.Start = dec(start, "start")
	t.FinalU = dec(finalU, "final_u")
	t.Final = dec(final, "final")
	t.LossFinal, t.PLoss, t.PLossU, t.MSS = nan(lossFinal), nan(ploss), nan(plossU), nan(mss)
	t.FinishedAt = time.UnixMilli(finished)
	if withTraj && traj != nil && err == nil {
		t.Trajectory, err = decodeTrajectory(traj)
		if err != nil {
			err = fmt.Errorf("trial %s: trajectory: %v", t.Key(), err)
		}
	}
	return &t, err
}

func nan(x sql.NullFloat64) float64 {
	if !x.Valid {
		return math.NaN()
	}
	return x.Float64
}

// PairCount is the number of stored trials of one (program, loss) pair.
type PairCount struct {
	Program, Loss        string
	OK, Diverged, Failed int
	WallMS               float64 // summed wall time of the pair's trials
	FirstMS, LastMS      int64   // unix ms of the first and last commit
}

// Done is the number of trials stored, whatever their status.
func (c PairCount) Done() int { return c.OK + c.Diverged + c.Failed }

// Counts returns the stored trials per pair, ordered by program and loss.
func (d *DB) Counts(ctx context.Context) ([]PairCount, error) {
	rows, err := d.SQL.QueryContext(ctx, `
SELECT program, loss,
	SUM(status = 'ok'), SUM(status = 'diverged'), SUM(status = 'failed'),
	SUM(wall_ms), MIN(finished_ms), MAX(finished_ms)
FROM trials GROUP BY program, loss ORDER BY program, loss`)
	if err != nil {
		return nil, d.wrap("counting trials", err)
	}
	defer rows.Close()
	var out []PairCount
	for rows.Next() {
		var c PairCount
		if err := rows.Scan(&c.Program, &c.Loss, &c.OK, &c.Diverged, &c.Failed, &c.WallMS, &c.FirstMS, &c.LastMS); err != nil {
			return nil, d.wrap("counting trials", err)
		}
		out = append(out, c)
	}
	return out, d.wrap("counting trials", rows.Err())
}

// FinishedTimes returns the commit times (unix ms) of every trial, sorted;
// status uses them for throughput over the recent past.
func (d *DB) FinishedTimes(ctx context.Context) ([]int64, error) {
	rows, err := d.SQL.QueryContext(ctx, `SELECT finished_ms FROM trials ORDER BY finished_ms`)
	if err != nil {
		return nil, d.wrap("reading trial times", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, d.wrap("reading trial times", err)
		}
		out = append(out, v)
	}
	return out, d.wrap("reading trial times", rows.Err())
}

// Floats are stored as little-endian float64 so stored values round-trip
// exactly (scores and the CSV depend on it); NaN and ±Inf survive too.
func encodeFloats(v []float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

func decodeFloats(b []byte) ([]float64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("corrupt float64 blob of %d bytes", len(b))
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v, nil
}

// trajectoryFormat is the first byte of a trajectory blob. Format 1:
// uint32 steps, uint32 values per step, then per step float32 loss,
// float32 gradient norm and the float32 values (little endian).
const trajectoryFormat = 1

func encodeTrajectory(steps []Step) []byte {
	nv := 0
	if len(steps) > 0 {
		nv = len(steps[0].Values)
	}
	b := make([]byte, 9, 9+4*len(steps)*(2+nv))
	b[0] = trajectoryFormat
	binary.LittleEndian.PutUint32(b[1:], uint32(len(steps)))
	binary.LittleEndian.PutUint32(b[5:], uint32(nv))
	put := func(x float64) {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
	}
	for _, s := range steps {
		put(s.Loss)
		put(s.GradNorm)
		for j := 0; j < nv; j++ {
			if j < len(s.Values) {
				put(s.Values[j])
			} else {
				put(math.NaN())
			}
		}
	}
	return b
}

func decodeTrajectory(b []byte) ([]Step, error) {
	if len(b) < 9 || b[0] != trajectoryFormat {
		return nil, fmt.Errorf("unknown trajectory format")
	}
	n := int(binary.LittleEndian.Uint32(b[1:]))
	nv := int(binary.LittleEndian.Uint32(b[5:]))
	if len(b) != 9+4*n*(2+nv) {
		return nil, fmt.Errorf("corrupt trajectory of %d bytes for %d steps × %d values", len(b), n, nv)
	}
	get := func(off int) float64 {
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b[off:])))
	}
	steps := make([]Step, n)
	off := 9
	for i := range steps {
		steps[i].Loss = get(off)
		steps[i].GradNorm = get(off + 4)
		off += 8
		if nv > 0 {
			steps[i].Values = make([]float64, nv)
			for j := range steps[i].Values {
				steps[i].Values[j] = get(off)
				off += 4
			}
		}
	}
	return steps, nil
}

// wrap names the database in an error and turns SQLite's terse codes into
// advice a user can act on.
func (d *DB) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "database or disk is full"), strings.Contains(msg, "SQLITE_FULL"):
		return fmt.Errorf("%s: %s: the disk is full; every trial committed before this one is safe — free space and rerun the same command to resume", d.Path, what)
	case strings.Contains(msg, "not a database"), strings.Contains(msg, "malformed"):
		return fmt.Errorf("%s: %s: the file is not a soundmatch database or is corrupt (%v)", d.Path, what, err)
	case strings.Contains(msg, "readonly"), strings.Contains(msg, "read-only"):
		return fmt.Errorf("%s: %s: the database is read-only (%v)", d.Path, what, err)
	}
	return fmt.Errorf("%s: %s: %w", d.Path, what, err)
}
