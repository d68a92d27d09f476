package loss

import (
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// The soft-min of dtw-envelope (three exponentials and a logarithm for each
// of the 441² cells of the alignment matrix) and the log-spectral terms of
// mss (one logarithm for each of 1.6 million bins) dominate the cost of
// those losses, and the standard library's math.Exp and math.Log, which
// handle every special case, measured 11–14 ns a call here. expNegs and
// logs are table-driven versions for the finite arguments those loops
// produce, accurate to a few units in the last place (tested against the
// math package). They work on slices: a call per value would spill every
// live register around it, and a loop of independent evaluations lets the
// processor overlap them. Every product that feeds a sum is rounded on its
// own (float64(a*b)) so that no build fuses it into a multiply-add: the
// results are the same bits on every machine.

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
		expTable[j] = detmath.Exp2(float64(j) / expTableSize)
	}
	for j := range logTable {
		logTable[j].c, logTable[j].inv, logTable[j].log = logEntry(j)
	}
}

// logEntry returns row j of logTable: c = 1 + j/logTableSize, 1/c, log c.
func logEntry(j int) (c, inv, log float64) {
	c = 1 + float64(float64(j)/logTableSize)
	return c, 1 / c, detmath.Log(c)
}

// expNegs writes e^x[i] into dst[i] for arguments ≤ 0 (−∞ gives 0).
// Results below e^−700 are flushed to 0, and so is NaN (callers check for
// NaN inputs themselves); arguments > 0 are a programming error and give
// wrong results. dst may be x.
//
// Method: x = (k/256)·ln 2 + r with |r| ≤ ln2/512, e^x = 2^(k/256)·e^r,
// 2^(k/256) from a table and e^r from its Taylor series to r⁴
// (r⁵/120 < 4e-17), in Estrin's form for a short dependency chain.
func expNegs(dst, x []float64) {
	const shifter = 1.5 * (1 << 52) // adding and removing it rounds to an integer
	const c = expTableSize / math.Ln2
	dst = dst[:len(x)]
	for i, v := range x {
		kf := (float64(v*c) + shifter) - shifter
		r := (v - float64(kf*ln2Hi)) - float64(kf*ln2Lo)
		r2 := r * r
		p := (1 + r) + float64(r2*((0.5+float64(r*(1.0/6)))+float64(r2*(1.0/24))))
		y := 0.0
		if v > -700 {
			k := int64(kf)
			y = expTable[k&(expTableSize-1)] * p * math.Float64frombits(uint64((k>>expTableBits)+1023)<<52)
		}
		dst[i] = y
	}
}

// logs writes ln x[i] into dst[i]; dst may be x. Positive normal finite
// arguments take the fast path, anything else math.Log.
//
// Method: x = m·2^e with m ∈ [1, 2); m = c·(1 + r) with c = 1 + j/256 the
// left end of m's table interval, so 0 ≤ r < 1/256 and m − c is exact;
// ln x = e·ln 2 + ln c + log1p(r), log1p to r⁶ (r⁷/7 < 2e-18).
func logs(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		b := math.Float64bits(v)
		ex := int64(b>>52) - 1023
		if ex <= -1023 || ex >= 1024 || b>>63 != 0 {
			dst[i] = detmath.Log(v) // zero, subnormal, negative, Inf or NaN
			continue
		}
		m := math.Float64frombits(b&(1<<52-1) | 1023<<52)
		t := &logTable[(b>>(52-logTableBits))&(logTableSize-1)]
		r := float64((m - t.c) * t.inv)
		r2 := r * r
		p := r + float64(r2*((-0.5+float64(r*(1.0/3)))+float64(r2*((-0.25+float64(r*(1.0/5)))-float64(r2*(1.0/6))))))
		dst[i] = float64(float64(ex)*math.Ln2) + t.log + p
	}
}
