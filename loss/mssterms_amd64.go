//go:build amd64 && !purego

package loss

import (
	"math"

	"golang.org/x/sys/cpu"
)

var useAVX2 = cpu.X86.HasAVX2

// termsConsts holds the constants of mssTerms4AVX2, each in four lanes:
// the same float64 values the Go code (mssFrameTerms, logs) uses.
var termsConsts = func() (c [15][4]uint64) {
	set := func(i int, v uint64) { c[i] = [4]uint64{v, v, v, v} }
	f := math.Float64bits
	set(0, f(mssEps))
	set(1, 1<<63-1)
	set(2, f(1.0/3))
	set(3, f(1.0/5))
	set(4, f(1.0/6))
	set(5, f(-0.5))
	set(6, f(-0.25))
	set(7, f(math.Ln2))
	set(8, 1<<52-1)
	set(9, 1023<<52)
	set(10, f(1<<52))
	set(11, f(1<<52+1023))
	set(12, logTableSize-1)
	set(13, 2046)
	set(14, ^uint64(1<<(52-logTableBits)-1)) // m with its low mantissa bits cleared is c
	return c
}()

// logPairs is logTable's 1/c and log c side by side, so that the kernel
// fetches both of a lane with one 16-byte load: AVX2's gathers measured
// half the kernel's time.
var logPairs [logTableSize][2]float64

func init() {
	for j := range logPairs {
		_, logPairs[j][0], logPairs[j][1] = logEntry(j)
	}
}

// mssTerms4AVX2 is mssFrameTerms on four interleaved lanes (a[4k+l] is
// bin k of lane l): out[l] = Σ_k |a − b|, out[4+l] = Σ_k |log((a+ε)/(b+ε))|,
// each summed in k order, with logs' fast path done lane by lane in the
// same operations. It returns false, with out undefined, if a ratio falls
// outside the fast path (zero, subnormal, negative, Inf or NaN), for
// which the caller uses the Go code.
//
//go:noescape
func mssTerms4AVX2(a, b *float64, bins int, consts *[15][4]uint64, table *[logTableSize][2]float64, out *[8]float64) bool

func mssTerms4Fast(a, b []float64, out *[8]float64) bool {
	bins := len(a) / 4
	if !useAVX2 || bins == 0 || len(b) < 4*bins {
		return false
	}
	return mssTerms4AVX2(&a[0], &b[0], bins, &termsConsts, &logPairs, out)
}
