//go:build amd64 && !purego

package scatter

import (
	"math/rand/v2"
	"testing"
)

// Studies must give the same numbers on every amd64 machine, with or
// without AVX: the assembly butterflies must round exactly like the Go ones.
func TestAVXBitIdenticalToGo(t *testing.T) {
	if !hasAVX() {
		t.Skip("this CPU has no AVX; nothing to compare")
	}
	defer func(v bool) { useAVX = v }(useAVX)
	for _, n := range []int{16, 64, 256, 1024, 4096, 65536} {
		p := newFFTPlan(n)
		r := rand.New(rand.NewPCG(1, uint64(n)))
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		for _, inverse := range []bool{false, true} {
			a := append([]complex128(nil), x...)
			b := append([]complex128(nil), x...)
			useAVX = true
			p.transform(a, inverse)
			useAVX = false
			p.transform(b, inverse)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("n=%d inverse=%v: bin %d: AVX %v, Go %v", n, inverse, i, a[i], b[i])
				}
			}
		}
	}
}
