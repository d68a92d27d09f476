//go:build !amd64 || purego

package dsp

const useAVX2 = false

func packRadix4AVX2(z, x, w *float64, rev *int32, m int, offs *[4]int64) {
	panic("dsp: packRadix4AVX2 without assembly")
}

func packRadix2AVX2(z, x, w *float64, rev *int32, m int, offs *[4]int64) {
	panic("dsp: packRadix2AVX2 without assembly")
}

func stageAVX2(z *float64, m, h int, tw *twiddle3) { panic("dsp: stageAVX2 without assembly") }

func splitMagAVX2(dst, z *float64, post *complex128, m int) {
	panic("dsp: splitMagAVX2 without assembly")
}
