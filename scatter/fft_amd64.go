//go:build amd64 && !purego

package scatter

// The radix-4 butterflies of the large power-of-two transforms run in AVX
// assembly when the CPU and OS support it: Go compiles complex128
// arithmetic to scalar SSE2, one double per instruction, and these
// transforms are most of the cost of time scattering. Build with the
// purego tag to use the Go butterflies only.

//go:noescape
func radix4AVX(d0, d1, d2, d3, s0, s1, s2, s3 *complex128, n int, tw *complex128, jmask *[4]float64)

//go:noescape
func radix4FirstAVX(dst, src *complex128, m int, w1, w2, w3 *complex128, jmask *[4]float64)

func hasAVX() bool

var useAVX = hasAVX()
