//go:build !amd64 || purego

package scatter

const useAVX = false

func radix4AVX(d0, d1, d2, d3, s0, s1, s2, s3 *complex128, n int, tw *complex128, jmask *[4]float64) {
	panic("scatter: radix4AVX without assembly")
}

func radix4FirstAVX(dst, src *complex128, m int, w1, w2, w3 *complex128, jmask *[4]float64) {
	panic("scatter: radix4FirstAVX without assembly")
}
