package store

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
)

func TestScoresAndLossCurves(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mk := func(loss string, idx int, mss, ploss float64, status string, steps int) *Trial {
		tr := &Trial{Program: "p", Loss: loss, Index: idx, Params: []string{"a", "b"}, Start: []float64{0, 0},
			FinalU: []float64{0, 0}, Final: []float64{0, 0}, MSS: mss, PLoss: ploss, PLossU: ploss, LossFinal: mss,
			Status: status, Iterations: steps}
		for k := range steps {
			tr.Trajectory = append(tr.Trajectory, Step{Loss: float64(k) + 0.5 + float64(idx), GradNorm: 7, Values: []float64{9, 9}})
		}
		return tr
	}
	for _, tr := range []*Trial{
		mk("b", 1, 2.5, 0.25, StatusOK, 3),
		mk("a", 0, math.NaN(), math.NaN(), StatusFailed, 0),
		mk("b", 0, 1.5, math.NaN(), StatusDiverged, 4),
	} {
		if err := db.InsertTrial(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	s, err := db.Scores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 3 || s[0].Loss != "a" || !math.IsNaN(s[0].MSS) || s[0].Status != StatusFailed ||
		s[1].Index != 0 || s[1].MSS != 1.5 || !math.IsNaN(s[1].PLoss) || s[2].PLoss != 0.25 {
		t.Errorf("Scores = %+v", s)
	}
	var got [][]float64
	var idx []int
	err = db.EachLossCurve(ctx, func(program, loss string, index int, curve []float64) error {
		got = append(got, slices.Clone(curve))
		idx = append(idx, index)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0.5, 1.5, 2.5, 3.5}, {1.5, 2.5, 3.5}}
	if len(got) != 2 || !slices.Equal(idx, []int{0, 1}) || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("curves %v (trials %v), want %v", got, idx, want)
	}
}
