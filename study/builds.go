package study

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/soundmatch/soundmatch/store"
)

// The config identity cannot name the code that computed the trials: a
// fixed loss or synth in a newer build changes results without changing
// the config. So every database also keeps the fingerprints of the
// binaries that wrote to it, and the commands warn when a study mixes
// builds (a resumed run after an upgrade, shards run by different
// builds). It is a warning, not a refusal: most rebuilds do not touch the
// numerics, and refusing would make every upgrade restart the study.

const buildsKey = "builds"

// ExecutableFingerprint is a short hash of the running binary, or "" if it
// cannot be read.
func ExecutableFingerprint() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Builds returns the fingerprints of the binaries that wrote trials to db.
func Builds(ctx context.Context, db *store.DB) ([]string, error) {
	v, _, err := db.Meta(ctx, buildsKey)
	if err != nil || v == "" {
		return nil, err
	}
	return strings.Split(v, ","), nil
}

// NoteBuilds adds fingerprints to the database's list and returns the
// list as it was before.
func NoteBuilds(ctx context.Context, db *store.DB, ids ...string) (before []string, err error) {
	before, err = Builds(ctx, db)
	if err != nil {
		return nil, err
	}
	all := slices.Clone(before)
	for _, id := range ids {
		if id != "" && !slices.Contains(all, id) {
			all = append(all, id)
		}
	}
	if len(all) == len(before) {
		return before, nil
	}
	return before, db.SetMeta(ctx, buildsKey, strings.Join(all, ","))
}
