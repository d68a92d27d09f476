package loss

import "math"

// The soft-min of dtw-envelope (three exponentials and a logarithm for each
// of the 441² cells of the alignment matrix) and the log-spectral terms of
// mss (one logarithm for each of 1.6 million bins) dominate the cost of
// those losses, and the standard library's math.Exp and math.Log, which
// handle every special case, measured 11–14 ns a call here. expNeg and
// logPos are table-driven versions for the finite arguments those loops
// produce, accurate to a few units in the last place (tested against the
// math package).

const (
	expTableBits = 8
	expTableSize = 1 << expTableBits
	logTableBits = 8
	logTableSize = 1 << logTableBits
)

var (
	expTable [expTableSize]float64 // 2^(j/expTableSize)
	logTable [logTableSize]struct {
		c, inv, log float64 // c = 1 + j/logTableSize, 1/c and log c
	}
)

// ln2/expTableSize split as in fdlibm into a high part with 21 trailing
// zero bits (so that k·ln2Hi is exact for the |k| < 2^18 used here) and the
// rest.
const (
	ln2Hi = 6.93147180369123816490e-01 / expTableSize
	ln2Lo = 1.90821492927058770002e-10 / expTableSize
)

func init() {
	for j := range expTable {
		expTable[j] = math.Exp2(float64(j) / expTableSize)
	}
	for j := range logTable {
		c := 1 + float64(j)/logTableSize
		logTable[j].c = c
		logTable[j].inv = 1 / c
		logTable[j].log = math.Log(c)
	}
}

// expNeg returns e^x for x ≤ 0 (including −∞, which gives 0). Results
// below e^−700 are flushed to 0; arguments > 0 are a programming error and
// give wrong results.
func expNeg(x float64) float64 {
	if !(x > -700) { // also catches −∞ and NaN-free −∞ arithmetic
		if x != x {
			return x
		}
		return 0
	}
	// Round to the nearest integer by adding and removing 1.5·2^52 (Go
	// does not reassociate floating-point arithmetic).
	const shifter = 1.5 * (1 << 52)
	kf := (x*(expTableSize/math.Ln2) + shifter) - shifter
	k := int64(kf)
	r := (x - kf*ln2Hi) - kf*ln2Lo // |r| ≤ ln2/(2·expTableSize) ≈ 1.4e-3
	// e^r to r⁴ (r⁵/120 < 4e-17), in Estrin's form for a short dependency chain.
	r2 := r * r
	p := (1 + r) + r2*((0.5+r*(1.0/6))+r2*(1.0/24))
	e := k >> expTableBits // floor division
	scale := math.Float64frombits(uint64(e+1023) << 52)
	return expTable[k&(expTableSize-1)] * p * scale
}

// logPos returns ln x for positive normal finite x, falling back to
// math.Log for anything else.
func logPos(x float64) float64 {
	b := math.Float64bits(x)
	ex := int64(b>>52) - 1023
	if ex <= -1023 || ex >= 1024 || b>>63 != 0 {
		return math.Log(x) // zero, subnormal, negative, Inf or NaN
	}
	// x = m·2^ex, m ∈ [1, 2); m = c·(1 + r) with c the left end of m's
	// table interval, so 0 ≤ r < 1/logTableSize, and m − c is exact.
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52)
	t := &logTable[(b>>(52-logTableBits))&(logTableSize-1)]
	r := (m - t.c) * t.inv
	// log1p(r) to r⁶ (r⁷/7 < 2e-18), in Estrin's form.
	r2 := r * r
	p := r + r2*((-0.5+r*(1.0/3))+r2*((-0.25+r*(1.0/5))-r2*(1.0/6)))
	return float64(ex)*math.Ln2 + t.log + p
}
