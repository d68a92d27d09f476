package audio

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures and their expected samples come from testdata/gen.py (scipy
// and Python's wave module); see the script's doc string.
func TestReadFileFixtures(t *testing.T) {
	cases := []struct {
		name string
		rate int
	}{
		{"pcm8_1ch", 8000},
		{"pcm16_1ch", 22050}, {"pcm16_2ch", 22050},
		{"pcm24_2ch", 48000},
		{"pcm32_1ch", 22050}, {"pcm32_2ch", 22050},
		{"float32_1ch", 44100}, {"float32_2ch", 44100},
		{"float64_1ch", 44100}, {"float64_2ch", 44100},
		{"ext_float32_3ch", 32000},
		{"ext_pcm24in32_1ch", 96000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, rate, err := ReadFile(filepath.Join("testdata", c.name+".wav"))
			if err != nil {
				t.Fatal(err)
			}
			want, r0, err := ReadFile(filepath.Join("testdata", c.name+".expect.f64"))
			if err != nil {
				t.Fatal(err)
			}
			if r0 != 0 {
				t.Errorf(".f64 rate = %d, want 0", r0)
			}
			if rate != c.rate {
				t.Errorf("rate = %d, want %d", rate, c.rate)
			}
			if len(x) != len(want) {
				t.Fatalf("len = %d, want %d", len(x), len(want))
			}
			for i := range x {
				if x[i] != want[i] {
					t.Fatalf("sample %d = %v, want %v", i, x[i], want[i])
				}
			}
		})
	}
}

func TestWriteFileMatchesScipyLayout(t *testing.T) {
	in, _, err := ReadFile("testdata/writer_ref_input.f64")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := os.ReadFile("testdata/writer_ref_float32.wav")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.wav")
	if err := WriteFile(path, in, 44100); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ref) {
		t.Fatalf("WriteFile bytes differ from scipy's float32 WAV (%d vs %d bytes)", len(got), len(ref))
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

func TestF64RoundTrip(t *testing.T) {
	x := []float64{0, -1, 1e-300, math.Pi, -0.25}
	path := filepath.Join(t.TempDir(), "x.f64")
	if err := WriteFile(path, x, 0); err != nil {
		t.Fatal(err)
	}
	y, rate, err := ReadFile(path)
	if err != nil || rate != 0 {
		t.Fatal(err, rate)
	}
	for i := range x {
		if y[i] != x[i] {
			t.Fatalf("sample %d = %v, want %v", i, y[i], x[i])
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/pcm16_1ch.wav")
	if err != nil {
		t.Fatal(err)
	}
	nan := make([]byte, 16)
	copy(nan, []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}) // NaN, then 0
	alaw := append([]byte(nil), good...)
	alaw[20] = 6 // format tag: A-law
	pcm12 := append([]byte(nil), good...)
	pcm12[34] = 12 // bits per sample
	noData := append([]byte(nil), good[:36]...)
	cases := []struct {
		file string
		data []byte
		want string
	}{
		{"empty.wav", nil, "empty file"},
		{"empty.f64", nil, "empty file"},
		{"text.wav", []byte("hello, this is not a sound file"), "not a RIFF/WAVE file"},
		{"alaw.wav", alaw, "unsupported WAVE encoding: format tag 0x0006"},
		{"pcm12.wav", pcm12, "PCM with 12 bits per sample"},
		{"nodata.wav", noData, "no \"data\" chunk"},
		{"nan.f64", nan, "sample 0 is NaN"},
		{"odd.f64", []byte{1, 2, 3}, "not a multiple of 8"},
		{"sound.mp3", good, "unsupported sound file extension"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.file)
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := ReadFile(path)
		if err == nil {
			t.Errorf("%s: no error", c.file)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q, want one naming the file and saying %q", c.file, err, c.want)
		}
	}
}

func TestReadTruncatedData(t *testing.T) {
	// An interrupted recorder leaves a data chunk whose declared size runs
	// past the end of the file: the whole frames present are read.
	good, err := os.ReadFile("testdata/pcm16_2ch.wav")
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := ReadFile("testdata/pcm16_2ch.expect.f64")
	path := filepath.Join(t.TempDir(), "cut.wav")
	os.WriteFile(path, good[:len(good)-10], 0o644) // 2.5 frames short
	x, _, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != len(want)-3 {
		t.Fatalf("len = %d, want %d", len(x), len(want)-3)
	}
	for i := range x {
		if x[i] != want[i] {
			t.Fatalf("sample %d = %v, want %v", i, x[i], want[i])
		}
	}
}

func TestReadTrailingJunk(t *testing.T) {
	good, err := os.ReadFile("testdata/float32_2ch.wav")
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := ReadFile("testdata/float32_2ch.expect.f64")
	path := filepath.Join(t.TempDir(), "junk.wav")
	os.WriteFile(path, append(good, []byte("TAG\xff\xff\xff\xffjunkjunk")...), 0o644)
	x, _, err := ReadFile(path)
	if err != nil || len(x) != len(want) {
		t.Fatalf("%d samples, %v; want %d", len(x), err, len(want))
	}
}

// TestWriteFileNamesPath: a file that cannot be created is reported under
// the name the caller gave, not the temporary file written beside it.
func TestWriteFileNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "out.wav")
	err := WriteFile(path, []float64{0, 1}, 44100)
	if err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	if !strings.HasPrefix(err.Error(), path+": ") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("err = %q, want it to start with %q and not name the temporary file", err, path+": ")
	}
}
