package audio_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/soundmatch/soundmatch/audio"
)

// A target recorded at 48 kHz is brought to the synthesizer's 44.1 kHz.
func ExampleResample() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tone.wav")
	x := make([]float64, 48000) // 1 s of 1 kHz at 48 kHz
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*1000*float64(i)/48000)
	}
	if err := audio.WriteFile(path, x, 48000); err != nil {
		panic(err)
	}
	y, rate, err := audio.ReadFile(path)
	if err != nil {
		panic(err)
	}
	z := audio.Resample(y, rate, 44100)
	fmt.Println(len(y), "samples at", rate, "Hz →", len(z), "samples at 44100 Hz")
	// Output:
	// 48000 samples at 48000 Hz → 44100 samples at 44100 Hz
}
