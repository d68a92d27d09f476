package store

import (
	"context"
	"fmt"
	"strings"
)

// MergeResult counts what MergeFrom did with the trials of one input.
type MergeResult struct {
	Added int // trials new to the database
	Same  int // trials already present with identical results
}

// compared lists the columns two runs of the same trial must agree on:
// everything but the timings.
var compared = []string{"seed", "params", "target", "start", "final_u", "final",
	"loss_final", "ploss", "ploss_u", "mss", "status", "reason", "iterations", "trajectory"}

// MergeFrom copies into d every trial of the database at path that d does
// not hold yet, in one transaction. It refuses, writing nothing, an input of
// another config (a *ConfigMismatchError, explained by diff when non-nil)
// and an input holding a trial that d also holds with different results.
// If d has no config yet it takes the input's.
func (d *DB) MergeFrom(ctx context.Context, path string, diff func(have, want string) []string) (MergeResult, error) {
	var res MergeResult
	in, err := OpenExisting(path)
	if err != nil {
		return res, err
	}
	inText, inHash, err := in.Config(ctx)
	in.Close()
	if err != nil {
		return res, err
	}
	if err := d.SaveConfig(ctx, inText, diff); err != nil {
		if e, ok := err.(*ConfigMismatchError); ok {
			return res, fmt.Errorf("refusing to merge %s into %s: they are different studies (config %s vs %s)%s",
				path, d.Path, short(inHash), short(e.Have), diffSuffix(e.Differences))
		}
		return res, err
	}

	// ATTACH is per connection and not allowed inside a transaction, so
	// the whole merge runs on one dedicated connection.
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return res, d.wrap("merging "+path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS src`, "file:"+path); err != nil {
		return res, d.wrap("opening "+path, err)
	}
	defer conn.ExecContext(context.Background(), `DETACH DATABASE src`)

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, d.wrap("merging "+path, err)
	}
	defer tx.Rollback()

	var differs []string
	for _, c := range compared {
		differs = append(differs, "a."+c+" IS NOT b."+c)
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.program, a.loss, a.idx, `+cmpList()+`
FROM src.trials a JOIN main.trials b USING (program, loss, idx)
WHERE `+strings.Join(differs, " OR ")+`
ORDER BY a.program, a.loss, a.idx LIMIT 5`)
	if err != nil {
		return res, d.wrap("comparing "+path, err)
	}
	var conflicts []string
	for rows.Next() {
		var k Key
		flags := make([]bool, len(compared))
		dst := []any{&k.Program, &k.Loss, &k.Index}
		for i := range flags {
			dst = append(dst, &flags[i])
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return res, d.wrap("comparing "+path, err)
		}
		var cols []string
		for i, f := range flags {
			if f {
				cols = append(cols, compared[i])
			}
		}
		conflicts = append(conflicts, k.String()+" ("+strings.Join(cols, ", ")+")")
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, d.wrap("comparing "+path, err)
	}
	if len(conflicts) > 0 {
		return res, fmt.Errorf("refusing to merge %s into %s: trials stored in both disagree: %s; they were not run from the same study (or one file is damaged)",
			path, d.Path, strings.Join(conflicts, ", "))
	}

	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM src.trials a JOIN main.trials b USING (program, loss, idx)`).Scan(&res.Same); err != nil {
		return res, d.wrap("merging "+path, err)
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO main.trials(`+trialColumns+`) SELECT `+trialColumns+` FROM src.trials a
WHERE NOT EXISTS (SELECT 1 FROM main.trials b WHERE b.program = a.program AND b.loss = a.loss AND b.idx = a.idx)`)
	if err != nil {
		return res, d.wrap("merging "+path, err)
	}
	n, _ := r.RowsAffected()
	res.Added = int(n)
	if err := tx.Commit(); err != nil {
		return MergeResult{}, d.wrap("merging "+path, err)
	}
	return res, nil
}

func cmpList() string {
	var s []string
	for _, c := range compared {
		s = append(s, "a."+c+" IS NOT b."+c)
	}
	return strings.Join(s, ", ")
}

func diffSuffix(d []string) string {
	if len(d) == 0 {
		return ""
	}
	return ": " + strings.Join(d, "; ")
}
