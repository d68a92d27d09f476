package listen

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/soundmatch/soundmatch/store"
)

func TestWriteCSV(t *testing.T) {
	when := time.Date(2026, 11, 25, 18, 40, 27, 284115014, time.UTC)
	recs := []store.RatingRecord{
		{Rater: "ann", Position: 3, Program: "bp-noise", Loss: "l1-spec", Trial: 17, Score: 2, Time: when, Latest: false},
		{Rater: `Dr. "Q", PhD`, Position: 1, Program: "my synth", Loss: "jtfs", Trial: 0, Score: 5, Time: when.Add(time.Second), Latest: true},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, recs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CSVHeader,
		{"ann", "bp-noise", "l1-spec", "17", "2", "2026-11-25T18:40:27.284115014Z", "3", "false"},
		{`Dr. "Q", PhD`, "my synth", "jtfs", "0", "5", "2026-11-25T18:40:28.284115014Z", "1", "true"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i, rows[i], want[i])
		}
	}
}
