package faust

import (
	"os"
	"testing"
)

func BenchmarkCompile(b *testing.B) {
	for _, name := range []string{"bp-noise", "sinesaw-am"} {
		src, err := os.ReadFile("testdata/golden/" + name + ".dsp")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(name+".dsp", src, 44100); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
