// Package store keeps a study in one SQLite file: its config, every trial,
// and the listening-test items and ratings. It is the only package that
// writes SQL. The driver is modernc.org/sqlite (pure Go, no cgo), so the
// binary stays a single static file.
package store

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"

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
	var version string
	if err := db.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: not a usable soundmatch database: %v", path, err)
	}
	if version != strconv.Itoa(SchemaVersion) {
		db.Close()
		return nil, fmt.Errorf("%s: database schema version %s, this soundmatch reads version %d", path, version, SchemaVersion)
	}
	return &DB{SQL: db, Path: path}, nil
}

// sqliteMagic starts every SQLite 3 database file.
const sqliteMagic = "SQLite format 3\x00"

// OpenExisting opens a database that must already exist: commands that only
// read a study (status, export, report) use it so that a mistyped path is
// an error rather than a new empty database.
func OpenExisting(path string) (*DB, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such database", path)
		}
		return nil, err
	}
	head := make([]byte, len(sqliteMagic))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != sqliteMagic {
		return nil, fmt.Errorf("%s: not a soundmatch database (not an SQLite file)", path)
	}
	// Another program's SQLite file must not get our tables added to it:
	// look before Open creates the schema.
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var n int
	err = ro.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'config', 'trials')`).Scan(&n)
	ro.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: not a usable soundmatch database: %v", path, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: not a soundmatch database (an SQLite file without a study in it)", path)
	}
	return Open(path)
}

// Close closes the database.
func (d *DB) Close() error { return d.SQL.Close() }
