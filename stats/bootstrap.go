package stats

import "math/rand/v2"

// BootstrapMeans draws k resamples of len(values) values with replacement
// from values (uniform indices from rng) and writes the mean of each into
// dst, which it returns. A nil dst is allocated with length k; a non-nil
// dst must have length k. For a reproducible bootstrap pass a seeded rng,
// e.g. rand.New(rand.NewPCG(seed, stream)): math/rand/v2's PCG stream is
// fixed by the Go compatibility promise.
//
// It allocates nothing when dst is non-nil. values must be non-empty.
func BootstrapMeans(dst, values []float64, k int, rng *rand.Rand) []float64 {
	if dst == nil {
		dst = make([]float64, k)
	}
	if len(dst) != k {
		panic("stats: destination length mismatch")
	}
	n := len(values)
	if n == 0 {
		panic("stats: bootstrap of an empty sample")
	}
	for b := range dst {
		s := 0.0
		for range n {
			s += values[rng.IntN(n)]
		}
		dst[b] = s / float64(n)
	}
	return dst
}

// ResampleMeans is the bootstrap with given indices: dst[b] is the mean of
// values[indices[b][i]] over i. A nil dst is allocated. It panics on an
// index out of range or dst of the wrong length.
func ResampleMeans(dst, values []float64, indices [][]int) []float64 {
	if dst == nil {
		dst = make([]float64, len(indices))
	}
	if len(dst) != len(indices) {
		panic("stats: destination length mismatch")
	}
	for b, idx := range indices {
		s := 0.0
		for _, i := range idx {
			s += values[i]
		}
		dst[b] = s / float64(len(idx))
	}
	return dst
}
