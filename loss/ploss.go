package loss

import "math"

// PLoss is the parameter distance of METHOD §6: each parameter is mapped
// to [0, 1] by its slider range [min, max], and the score is the L1
// distance Σ|final − target|/(max − min) (lower is better). final must be
// the values the synth played (already clipped to the range). A parameter
// whose range is empty contributes 0. It panics if the lengths differ.
func PLoss(min, max, final, target []float64) float64 {
	if len(min) != len(max) || len(min) != len(final) || len(min) != len(target) {
		panic("loss: PLoss length mismatch")
	}
	sum := 0.0
	for i := range min {
		r := max[i] - min[i]
		if r == 0 {
			continue
		}
		sum += math.Abs(final[i]-target[i]) / r
	}
	return sum
}

// PLossU is the reference code's variant of P-Loss: the Euclidean distance
// between the final unitless parameters u (METHOD §2, unclipped, so a
// diverged parameter counts with its full excursion) and the target's u.
// It panics if the lengths differ.
func PLossU(finalU, targetU []float64) float64 {
	if len(finalU) != len(targetU) {
		panic("loss: PLossU length mismatch")
	}
	sum := 0.0
	for i, f := range finalU {
		d := f - targetU[i]
		sum += float64(d * d) // rounded: a fused multiply-add would differ by machine
	}
	return math.Sqrt(sum)
}
