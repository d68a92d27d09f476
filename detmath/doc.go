// Package detmath provides elementary functions (Sin, Cos, Exp, Log, Pow, …)
// that return the same bits on every architecture and every build.
//
// The standard library's math package is not deterministic across
// machines: its Go code contains expressions such as x*y + z, which the
// compiler fuses into a single fused multiply-add on arm64 and on amd64 with
// GOAMD64=v3 (one rounding instead of two), and math.Exp, math.Log and
// friends have per-architecture assembly that differs in the last bits from
// the portable code. A study promises byte-identical exported results on
// every machine, so anything whose value is stored must avoid math's
// transcendental functions.
//
// Every function here uses only operations that IEEE 754 defines exactly
// (+, -, *, /, integer arithmetic, and math's exact helpers such as Sqrt,
// Abs, Floor, Float64bits), and every product that is added to something is
// wrapped in an explicit float64(...) conversion, which the Go specification
// guarantees is rounded on its own and so is never fused. TestNoFusedMultiplyAdd
// checks the compiled code for arm64 and amd64 v3.
//
// The functions have the signatures and special-value behaviour (NaN, ±Inf,
// ±0, overflow, underflow, domain errors) of their namesakes in math, and
// stay within one unit in the last place (ulp) of the exact result. The
// largest errors measured against 50-digit mpmath values (2,000 inputs per
// function in testdata, and 40,000 more from two other seeds) are:
//
//	Exp Exp2 Expm1 Log Log2 Log10 Log1p Pow           0.51 ulp
//	Sinh Cosh Tanh Hypot                              0.51 ulp
//	Sin Cos Sincos Tan Atan Atan2 Asin Acos           0.84 ulp
//
// (subnormal results included).
//
// Results may therefore differ from math's in the last bit, and do differ
// where math is less accurate: math.Pow by up to tens of ulps for large
// exponents, math.Log2 near 1, math.Tan for |x| < 1e-7, math.Sin and
// math.Cos above 2^29, the amd64 math.Exp overflowing at 709.7 and math.Log
// of subnormals, math.Atan2 returning +π for a tiny negative y and a
// negative x.
//
// Algorithms: Exp, Exp2, Expm1, Log, Log2, Log10, Log1p and Pow use a
// 64-entry table of 2^(j/64) and a 184-entry table of logarithms (generated
// by testdata/gentables.py), with double-double arithmetic where the result
// needs more than 53 bits: Pow's logarithm carries about 68 bits, so Pow
// stays within one ulp even for results near the overflow threshold. Sinh,
// Cosh and Tanh are built on a double-double e^x - 1, Hypot on an exact sum
// of squares. The trigonometric functions reduce their argument by π/2 with a
// three-piece Cody–Waite reduction for |x| < 2^20·π/2 and an integer
// Payne–Hanek reduction (math/bits.Mul64 on 192 bits of 2/π) above; Sin,
// Cos, Tan, Atan, Asin and Acos evaluate the minimax approximations of
// fdlibm (Sun Microsystems, 1993), whose coefficients are used as published.
package detmath
