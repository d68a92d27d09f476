package listen

import (
	"encoding/binary"
	"math"
)

// Headroom is the peak of the louder of the two sounds of an item after the
// common gain: below full scale, so neither clips.
const Headroom = 0.9

// CommonGain returns the one gain applied to both the target and the output
// of an item: Headroom / max(peak(target), peak(output)). Using one gain for
// both keeps their loudness relation (a quiet output stays quieter than its
// target) while the louder one peaks at Headroom. Two silent sounds get gain
// 1. Non-finite samples are ignored here and written as silence by
// EncodeWAV16.
func CommonGain(target, output []float64) float64 {
	peak := max(peakAbs(target), peakAbs(output))
	if peak == 0 {
		return 1
	}
	return Headroom / peak
}

func peakAbs(x []float64) float64 {
	p := 0.0
	for _, v := range x {
		if a := math.Abs(v); a > p && !math.IsInf(a, 0) {
			p = a
		}
	}
	return p
}

// EncodeWAV16 returns x·gain as a mono 16-bit PCM WAV file: the format every
// browser plays. A sample v is stored as round(32768·v) clamped to the int16
// range, the inverse of the usual int16/32768 reading (after CommonGain no
// sample comes near the clamp); NaN and ±Inf become 0.
func EncodeWAV16(x []float64, gain float64, rate int) []byte {
	const header = 44
	n := len(x)
	b := make([]byte, header+2*n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(header-8+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16) // fmt chunk size
	binary.LittleEndian.PutUint16(b[20:], 1)  // PCM
	binary.LittleEndian.PutUint16(b[22:], 1)  // mono
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(2*rate)) // bytes per second
	binary.LittleEndian.PutUint16(b[32:], 2)              // block align
	binary.LittleEndian.PutUint16(b[34:], 16)             // bits per sample
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i, v := range x {
		q := math.Round(v * gain * 32768)
		switch {
		case math.IsNaN(q):
			q = 0
		case q > math.MaxInt16:
			q = math.MaxInt16
		case q < math.MinInt16:
			q = math.MinInt16
		}
		if math.IsInf(v, 0) {
			q = 0
		}
		binary.LittleEndian.PutUint16(b[header+2*i:], uint16(int16(q)))
	}
	return b
}
