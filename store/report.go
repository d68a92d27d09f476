package store

// Read-only queries for the study report: the scores without the bulky
// blobs, and only the loss column of each trajectory.

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
)

// TrialScore is the part of a trial the statistics need.
type TrialScore struct {
	Program, Loss string
	Index         int
	Status        string
	PLoss, MSS    float64 // NaN when missing (failed trial, out-of-domain target)
}

// Scores returns the scores of every stored trial, ordered by program,
// loss and index.
func (d *DB) Scores(ctx context.Context) ([]TrialScore, error) {
	rows, err := d.SQL.QueryContext(ctx, `SELECT program, loss, idx, status, ploss, mss FROM trials ORDER BY program, loss, idx`)
	if err != nil {
		return nil, d.wrap("reading scores", err)
	}
	defer rows.Close()
	var out []TrialScore
	for rows.Next() {
		var s TrialScore
		var ploss, mss sql.NullFloat64
		if err := rows.Scan(&s.Program, &s.Loss, &s.Index, &s.Status, &ploss, &mss); err != nil {
			return nil, d.wrap("reading scores", err)
		}
		s.PLoss, s.MSS = nan(ploss), nan(mss)
		out = append(out, s)
	}
	return out, d.wrap("reading scores", rows.Err())
}

// EachLossCurve calls fn with the per-iteration training loss of every
// trial that has a trajectory, ordered by program, loss and index. Only the
// loss column is decoded; curve is reused between calls (copy to keep it).
func (d *DB) EachLossCurve(ctx context.Context, fn func(program, loss string, index int, curve []float64) error) error {
	rows, err := d.SQL.QueryContext(ctx, `SELECT program, loss, idx, trajectory FROM trials WHERE trajectory IS NOT NULL ORDER BY program, loss, idx`)
	if err != nil {
		return d.wrap("reading loss curves", err)
	}
	defer rows.Close()
	var curve []float64
	for rows.Next() {
		var program, loss string
		var idx int
		var b sql.RawBytes
		if err := rows.Scan(&program, &loss, &idx, &b); err != nil {
			return d.wrap("reading loss curves", err)
		}
		if len(b) < 9 || b[0] != trajectoryFormat {
			return fmt.Errorf("%s: trial %s/%s/%d: unknown trajectory format", d.Path, program, loss, idx)
		}
		n := int(binary.LittleEndian.Uint32(b[1:]))
		nv := int(binary.LittleEndian.Uint32(b[5:]))
		stride := 4 * (2 + nv)
		if len(b) != 9+n*stride {
			return fmt.Errorf("%s: trial %s/%s/%d: corrupt trajectory of %d bytes for %d steps × %d values", d.Path, program, loss, idx, len(b), n, nv)
		}
		curve = curve[:0]
		for i := range n {
			curve = append(curve, float64(math.Float32frombits(binary.LittleEndian.Uint32(b[9+i*stride:]))))
		}
		if err := fn(program, loss, idx, curve); err != nil {
			return err
		}
	}
	return d.wrap("reading loss curves", rows.Err())
}
