package listen

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/soundmatch/soundmatch/store"
)

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{"rater", "program", "loss", "trial", "score", "time", "position", "latest"}

// WriteCSV writes ratings as CSV with CSVHeader: one row per record, time in
// RFC 3339 UTC with nanoseconds, position the item's place in the rater's
// order, latest "true" unless a later submission replaced the score.
func WriteCSV(w io.Writer, recs []store.RatingRecord) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range recs {
		row := []string{
			r.Rater, r.Program, r.Loss, strconv.Itoa(r.Trial), strconv.Itoa(r.Score),
			r.Time.UTC().Format(time.RFC3339Nano), strconv.Itoa(r.Position), strconv.FormatBool(r.Latest),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
