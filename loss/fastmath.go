package loss

import "math"

// The soft-min of dtw-envelope (three exponentials and a logarithm for each
// of the 441² cells of the alignment matrix) and the log-spectral terms of
// mss (one logarithm for each of 1.6 million bins) dominate the cost of
// those losses, and the standard library's math.Exp and math.Log, which
// handle every special case, measured 11–14 ns a call here. exp3 and
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

// exp3 returns e^x0, e^x1, e^x2 for arguments ≤ 0 (−∞ gives 0). Results
// below e^−700 are flushed to 0, and so is NaN (callers check for NaN
// inputs themselves); arguments > 0 are a programming error and give wrong
// results. Evaluating three side by side in one call gives the processor
// independent chains to overlap in the soft-DTW inner loop.
//
// Method: x = (k/256)·ln 2 + r with |r| ≤ ln2/512, e^x = 2^(k/256)·e^r,
// 2^(k/256) from a table and e^r from its Taylor series to r⁴
// (r⁵/120 < 4e-17), in Estrin's form for short dependency chains.
func exp3(x0, x1, x2 float64) (float64, float64, float64) {
	const shifter = 1.5 * (1 << 52)
	const c = expTableSize / math.Ln2
	k0f := (x0*c + shifter) - shifter
	k1f := (x1*c + shifter) - shifter
	k2f := (x2*c + shifter) - shifter
	r0 := (x0 - k0f*ln2Hi) - k0f*ln2Lo
	r1 := (x1 - k1f*ln2Hi) - k1f*ln2Lo
	r2 := (x2 - k2f*ln2Hi) - k2f*ln2Lo
	s0, s1, s2 := r0*r0, r1*r1, r2*r2
	p0 := (1 + r0) + s0*((0.5+r0*(1.0/6))+s0*(1.0/24))
	p1 := (1 + r1) + s1*((0.5+r1*(1.0/6))+s1*(1.0/24))
	p2 := (1 + r2) + s2*((0.5+r2*(1.0/6))+s2*(1.0/24))
	y0, y1, y2 := 0.0, 0.0, 0.0
	if x0 > -700 {
		k := int64(k0f)
		y0 = expTable[k&(expTableSize-1)] * p0 * math.Float64frombits(uint64((k>>expTableBits)+1023)<<52)
	}
	if x1 > -700 {
		k := int64(k1f)
		y1 = expTable[k&(expTableSize-1)] * p1 * math.Float64frombits(uint64((k>>expTableBits)+1023)<<52)
	}
	if x2 > -700 {
		k := int64(k2f)
		y2 = expTable[k&(expTableSize-1)] * p2 * math.Float64frombits(uint64((k>>expTableBits)+1023)<<52)
	}
	return y0, y1, y2
}
