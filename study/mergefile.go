package study

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soundmatch/soundmatch/store"
)

// MergeFiles merges the inputs into the database at out (created if
// missing) all or nothing: the merge is done on a copy next to out, which
// replaces out only when every input went in. A refused input (another
// study, a disagreeing trial) or a crash midway leaves out exactly as it
// was; Merge alone commits input by input. It returns what each input
// added, for the inputs merged before any error.
func MergeFiles(ctx context.Context, out string, inputs []string) ([]store.MergeResult, error) {
	for _, in := range inputs {
		if filepath.Clean(in) == filepath.Clean(out) {
			return nil, fmt.Errorf("merge: %s is both the output and an input", in)
		}
	}
	tmp := out + ".merging"
	removeDB(tmp) // left by a merge that crashed
	if _, err := os.Stat(out); err == nil {
		src, err := store.OpenExisting(out)
		if err != nil {
			return nil, err
		}
		// VACUUM INTO writes a consistent copy even if out is in WAL mode.
		_, err = src.SQL.ExecContext(ctx, `VACUUM INTO ?`, tmp)
		src.Close()
		if err != nil {
			removeDB(tmp)
			return nil, fmt.Errorf("%s: copying it before the merge: %v", out, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	db, err := store.Open(tmp)
	if err != nil {
		removeDB(tmp)
		return nil, err
	}
	res, err := Merge(ctx, db, inputs)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%s: %v", tmp, cerr)
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		removeDB(tmp)
		if len(res) > 0 {
			err = fmt.Errorf("%v (%s is unchanged: a merge writes all of its inputs or none)", err, out)
		}
		return res, err
	}
	os.Remove(out + "-wal") // a closed database has none; never keep a stale one
	os.Remove(out + "-shm")
	return res, nil
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}
