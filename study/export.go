package study

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/soundmatch/soundmatch/store"
)

// CSVHeader lists the columns of ExportCSV. Vector columns (params, target,
// start, final, final_u) hold one value per slider, separated by ";", in
// the order of params. Timing columns end in _ms; every other column is a
// pure function of the study config.
var CSVHeader = []string{
	"program", "loss", "trial", "seed", "status", "reason", "iterations",
	"loss_final", "ploss", "ploss_u", "mss",
	"params", "target", "start", "final", "final_u",
	"wall_ms",
}

// ExportCSV writes one row per stored trial, ordered by program, loss and
// trial index. Numbers are written in Go's shortest exact form, NaN as an
// empty field, so the file is byte-identical for any worker count, shard
// split or machine (timing columns aside).
func ExportCSV(ctx context.Context, db *store.DB, w io.Writer) (rows int, err error) {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	rec := make([]string, len(CSVHeader))
	err = db.EachTrial(ctx, store.Filter{}, func(t *store.Trial) error {
		rec = rec[:0]
		rec = append(rec, t.Program, t.Loss, strconv.Itoa(t.Index), strconv.FormatUint(t.Seed, 10),
			t.Status, t.Reason, strconv.Itoa(t.Iterations),
			num(t.LossFinal), num(t.PLoss), num(t.PLossU), num(t.MSS),
			strings.Join(t.Params, ";"), nums(t.Target), nums(t.Start), nums(t.Final), nums(t.FinalU),
			strconv.FormatFloat(t.WallMS, 'f', 3, 64))
		rows++
		return cw.Write(rec)
	})
	if err != nil {
		return rows, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rows, err
	}
	return rows, bw.Flush()
}

func num(x float64) string {
	switch {
	case math.IsNaN(x):
		return ""
	case math.IsInf(x, 1):
		return "Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func nums(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = num(x)
		if s[i] == "" {
			s[i] = "NaN"
		}
	}
	return strings.Join(s, ";")
}
