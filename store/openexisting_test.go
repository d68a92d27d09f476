package store

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// OpenExisting must refuse another program's SQLite file and leave it as it
// was, not add soundmatch's tables to it.
func TestOpenExistingForeignSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	if _, err := OpenExisting(path); err == nil || !strings.Contains(err.Error(), "not a soundmatch database") {
		t.Fatalf("foreign SQLite file: err %v, want 'not a soundmatch database'", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("OpenExisting changed a foreign SQLite file")
	}
	// A real study database opens.
	good := filepath.Join(t.TempDir(), "study.db")
	d, err := Open(good)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = OpenExisting(good)
	if err != nil {
		t.Fatalf("study database: %v", err)
	}
	d.Close()
}
