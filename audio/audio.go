// Package audio reads and writes the sound files soundmatch exchanges with
// users: WAV files (any common encoding, any rate, any number of channels,
// mixed down to mono) and raw little-endian float64 (.f64) files, plus a
// band-limited resampler that brings an out-of-domain target to the
// synthesizer's rate.
//
// The WAV reader is written here rather than taken from a module because none
// of the Go WAV modules decodes the whole set of files users bring without
// loss: github.com/go-audio/wav does not decode IEEE float data, and
// github.com/youpy/go-wav converts float samples to scaled integers (clipping
// anything beyond ±1), reads no 64-bit float and no WAVE_FORMAT_EXTENSIBLE
// sub-formats, and holds at most two channels per frame. The format itself is
// small (a RIFF container with a "fmt " and a "data" chunk), so a reader that
// maps every sample to float64 exactly is a page of code; its tests compare
// against files written and read back by scipy and by Python's wave module.
//
// There is no well-kept pure-Go audio resampler on the module proxy (the
// maintained ones wrap libsoxr through cgo, which this project avoids), so
// Resample is a documented Kaiser-windowed-sinc interpolator; see resample.go.
//
// Products that feed a sum are rounded on their own, float64(a*b): arm64
// and amd64 v3 builds would otherwise fuse them into multiply-adds and
// resample to other last bits than amd64.
package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// ReadFile reads a sound file and returns its samples mixed down to mono
// (the mean of the channels) and its sample rate.
//
// By extension (case-insensitive):
//   - .wav: RIFF/WAVE with 8/16/24/32-bit integer PCM or 32/64-bit IEEE float
//     samples, plain or WAVE_FORMAT_EXTENSIBLE, any rate, any number of
//     channels. Integers are scaled by 2^-(bits-1) (8-bit is unsigned,
//     offset 128), so full scale is [-1, 1).
//   - .f64: raw little-endian float64 samples, mono; rate is 0 (unknown).
//
// Every error names the file and says what was wrong: an empty file, a
// file that is not RIFF/WAVE, an unsupported encoding, a truncated file, or
// NaN/Inf samples.
func ReadFile(path string) (x []float64, rate int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err // *PathError already names the file
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".wav", ".wave":
		x, rate, err = decodeWAV(data)
	case ".f64":
		x, err = decodeF64(data)
	default:
		return nil, 0, fmt.Errorf("%s: unsupported sound file extension %q (accepted: .wav, .f64)", path, ext)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("%s: sample %d is %v (a sound must hold finite numbers)", path, i, v)
		}
	}
	return x, rate, nil
}

func decodeF64(data []byte) ([]float64, error) {
	if len(data) == 0 {
		return nil, errors.New("empty file (a .f64 file holds raw little-endian float64 samples)")
	}
	if len(data)%8 != 0 {
		return nil, fmt.Errorf("size %d bytes is not a multiple of 8 (a .f64 file holds raw little-endian float64 samples)", len(data))
	}
	x := make([]float64, len(data)/8)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return x, nil
}

// Format tags of the WAVE "fmt " chunk, and the tail shared by the
// KSDATAFORMAT_SUBTYPE GUIDs that WAVE_FORMAT_EXTENSIBLE uses (the first two
// bytes of the GUID carry the plain format tag).
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagExtensible = 0xFFFE
)

var subtypeTail = [14]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

type wavFormat struct {
	tag        int // tagPCM or tagFloat after resolving EXTENSIBLE
	channels   int
	rate       int
	blockAlign int
	bits       int // container bits per sample
}

func decodeWAV(data []byte) ([]float64, int, error) {
	if len(data) == 0 {
		return nil, 0, errors.New("empty file (want a RIFF/WAVE file)")
	}
	if len(data) < 12 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		if len(data) >= 4 && (string(data[0:4]) == "RIFX" || string(data[0:4]) == "RF64") {
			return nil, 0, fmt.Errorf("%s container is not supported (accepted: little-endian RIFF/WAVE)", data[0:4])
		}
		return nil, 0, errors.New("not a RIFF/WAVE file")
	}
	var (
		f       *wavFormat
		samples []byte
		found   bool
	)
	// The RIFF size field is ignored: streaming writers leave it 0 or
	// 0xFFFFFFFF, and the chunks themselves say where they end.
	for pos := 12; pos+8 <= len(data); {
		id := string(data[pos : pos+4])
		size := int(binary.LittleEndian.Uint32(data[pos+4:]))
		body := data[pos+8:]
		if size > len(body) {
			if id != "data" {
				if f != nil && found {
					break // trailing bytes after a complete file (some editors append junk)
				}
				return nil, 0, fmt.Errorf("chunk %q is truncated (%d bytes declared, %d present)", id, size, len(body))
			}
			// A data chunk running past the end of the file is what an
			// interrupted recorder leaves; keep the whole frames present.
			size = len(body)
		}
		body = body[:size]
		switch id {
		case "fmt ":
			var err error
			if f, err = parseFmt(body); err != nil {
				return nil, 0, err
			}
		case "data":
			if !found {
				samples, found = body, true
			}
		}
		pos += 8 + size + size&1 // chunks are padded to even sizes
	}
	if f == nil {
		return nil, 0, errors.New("no \"fmt \" chunk (not a valid WAVE file)")
	}
	if !found {
		return nil, 0, errors.New("no \"data\" chunk (not a valid WAVE file)")
	}
	frames := len(samples) / f.blockAlign
	if frames == 0 {
		return nil, 0, errors.New("empty file (the WAVE data chunk holds no samples)")
	}
	x := make([]float64, frames)
	width := f.bits / 8
	for i := range x {
		frame := samples[i*f.blockAlign:]
		var sum float64
		for c := 0; c < f.channels; c++ {
			sum += sampleAt(frame[c*width:], f)
		}
		x[i] = sum / float64(f.channels) // exact for one channel
	}
	return x, f.rate, nil
}

func sampleAt(b []byte, f *wavFormat) float64 {
	if f.tag == tagFloat {
		if f.bits == 32 {
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	switch f.bits {
	case 8:
		return (float64(b[0]) - 128) / 128
	case 16:
		return float64(int16(binary.LittleEndian.Uint16(b))) / (1 << 15)
	case 24:
		v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
		return float64(v) / (1 << 23)
	default: // 32
		return float64(int32(binary.LittleEndian.Uint32(b))) / (1 << 31)
	}
}

func parseFmt(b []byte) (*wavFormat, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("\"fmt \" chunk too short (%d bytes, want at least 16)", len(b))
	}
	f := &wavFormat{
		tag:        int(binary.LittleEndian.Uint16(b[0:])),
		channels:   int(binary.LittleEndian.Uint16(b[2:])),
		rate:       int(binary.LittleEndian.Uint32(b[4:])),
		blockAlign: int(binary.LittleEndian.Uint16(b[12:])),
		bits:       int(binary.LittleEndian.Uint16(b[14:])),
	}
	if f.tag == tagExtensible {
		if len(b) < 40 {
			return nil, fmt.Errorf("WAVE_FORMAT_EXTENSIBLE \"fmt \" chunk too short (%d bytes, want 40)", len(b))
		}
		if [14]byte(b[26:40]) != subtypeTail {
			return nil, errors.New("unsupported WAVE_FORMAT_EXTENSIBLE sub-format (accepted: PCM, IEEE float)")
		}
		// Valid bits (b[18:20]) below the container size only mean the low
		// bits are zero; scaling by the container keeps full scale at ±1.
		f.tag = int(binary.LittleEndian.Uint16(b[24:]))
	}
	if f.channels == 0 {
		return nil, errors.New("WAVE header declares 0 channels")
	}
	if f.rate == 0 {
		return nil, errors.New("WAVE header declares a sample rate of 0 Hz")
	}
	switch {
	case f.tag == tagPCM && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32):
	case f.tag == tagFloat && (f.bits == 32 || f.bits == 64):
	case f.tag == tagPCM || f.tag == tagFloat:
		return nil, fmt.Errorf("unsupported WAVE encoding: %s with %d bits per sample (accepted: PCM 8/16/24/32-bit, IEEE float 32/64-bit)", tagName(f.tag), f.bits)
	default:
		return nil, fmt.Errorf("unsupported WAVE encoding: format tag 0x%04X (accepted: PCM 8/16/24/32-bit, IEEE float 32/64-bit)", f.tag)
	}
	if f.blockAlign < f.channels*f.bits/8 {
		return nil, fmt.Errorf("WAVE header block align %d is smaller than %d channels × %d bits", f.blockAlign, f.channels, f.bits)
	}
	return f, nil
}

func tagName(tag int) string {
	if tag == tagFloat {
		return "IEEE float"
	}
	return "PCM"
}

// WriteFile writes a mono sound by the path's extension: .wav as 32-bit IEEE
// float WAVE (the layout scipy.io.wavfile writes: an 18-byte "fmt " chunk, a
// "fact" chunk, then "data"), .f64 as raw little-endian float64 (rate
// ignored). The file is written to a temporary file in the same directory and
// renamed into place, so a reader (or an interrupted program) never sees a
// partial file.
func WriteFile(path string, x []float64, rate int) error {
	var data []byte
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".wav", ".wave":
		if rate <= 0 {
			return fmt.Errorf("%s: sample rate %d Hz is not positive", path, rate)
		}
		data = encodeWAV(x, rate)
	case ".f64":
		data = make([]byte, 8*len(x))
		for i, v := range x {
			binary.LittleEndian.PutUint64(data[8*i:], math.Float64bits(v))
		}
	default:
		return fmt.Errorf("%s: unsupported sound file extension %q (accepted: .wav, .f64)", path, ext)
	}
	return writeAtomic(path, data)
}

func encodeWAV(x []float64, rate int) []byte {
	const header = 12 + 8 + 18 + 12 + 8
	n := 4 * len(x)
	b := make([]byte, header+n)
	le := binary.LittleEndian
	copy(b[0:], "RIFF")
	le.PutUint32(b[4:], uint32(header-8+n))
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	le.PutUint32(b[16:], 18)
	le.PutUint16(b[20:], tagFloat)
	le.PutUint16(b[22:], 1)
	le.PutUint32(b[24:], uint32(rate))
	le.PutUint32(b[28:], uint32(rate*4))
	le.PutUint16(b[32:], 4)
	le.PutUint16(b[34:], 32)
	le.PutUint16(b[36:], 0) // cbSize
	copy(b[38:], "fact")
	le.PutUint32(b[42:], 4)
	le.PutUint32(b[46:], uint32(len(x)))
	copy(b[50:], "data")
	le.PutUint32(b[54:], uint32(n))
	for i, v := range x {
		le.PutUint32(b[header+4*i:], math.Float32bits(float32(v)))
	}
	return b
}

// writeAtomic writes data to a temporary file beside path and renames it
// over path.
func writeAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		// Name the file the user asked for, not the temporary one.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	name := tmp.Name()
	// CreateTemp makes the file private; a sound file is an ordinary one.
	err = tmp.Chmod(0o644)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
