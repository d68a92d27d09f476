// Package store keeps a study in one SQLite file: its config, every trial,
// and the listening-test items and ratings. It is the only package that
// writes SQL. The driver is modernc.org/sqlite (pure Go, no cgo), so the
// binary stays a single static file.
package store

import (
	"database/sql"
	"fmt"
	"sort"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is an open study database.
type DB struct {
	SQL  *sql.DB
	Path string
}

// schemaPart is a piece of the schema owned by one file of this package.
// Parts are applied in order of their key, each with CREATE ... IF NOT
// EXISTS statements, so every file can own its own tables.
type schemaPart struct {
	key string
	ddl string
}

var schemaParts []schemaPart

// registerSchema is called from init functions of the files that own tables.
func registerSchema(key, ddl string) {
	schemaParts = append(schemaParts, schemaPart{key, ddl})
}

// Open opens (creating if needed) the study database at path and makes
// sure every table exists.
func Open(path string) (*DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	parts := append([]schemaPart(nil), schemaParts...)
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].key < parts[j].key })
	for _, p := range parts {
		if _, err := db.Exec(p.ddl); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: not a usable soundmatch database: %v", path, err)
		}
	}
	return &DB{SQL: db, Path: path}, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.SQL.Close() }
