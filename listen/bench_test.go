package listen

import (
	"context"
	"testing"
)

// What serving one new item costs: rendering its two one-second sounds
// with the synthesizer, and encoding them.
func BenchmarkStudySoundsRender(b *testing.B) {
	ctx := context.Background()
	db := studyDBSamples(b, builtinProgram(b, "add-sinesaw"), 6, 44100)
	if _, err := Prepare(ctx, db, Setup{Raters: []string{"ann"}}); err != nil {
		b.Fatal(err)
	}
	s, err := NewStudySounds(ctx, db, nil)
	if err != nil {
		b.Fatal(err)
	}
	sess, _ := db.ListenSession(ctx)
	k := sess.Items[0].Key
	for b.Loop() {
		if _, _, _, err := s.Render(ctx, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeWAV16(b *testing.B) {
	x := make([]float64, 44100)
	for i := range x {
		x[i] = float64(i%200)/100 - 1
	}
	b.SetBytes(int64(len(x)))
	for b.Loop() {
		EncodeWAV16(x, CommonGain(x, x), 44100)
	}
}
