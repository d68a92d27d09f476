package detmath

import (
	"math"
	"testing"
)

// The benchmarks use arguments typical of the synthesizer: phases up to
// 2π·20000, exponents and logarithms of audio-range values. Each pair
// benchmarks detmath against math on the same inputs.

var sink float64

func benchInputs(lo, hi float64) []float64 {
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i*7919%1024)/1024
	}
	return xs
}

var (
	phases = benchInputs(0, 2*math.Pi*20000)
	smallX = benchInputs(-10, 10)
	posX   = benchInputs(1e-3, 1e4)
	unitX  = benchInputs(-0.999, 0.999)
)

func bench1(b *testing.B, xs []float64, f func(float64) float64) {
	s := 0.0
	for i := 0; i < b.N; i++ {
		s += f(xs[i&1023])
	}
	sink = s
}

func bench2(b *testing.B, xs, ys []float64, f func(float64, float64) float64) {
	s := 0.0
	for i := 0; i < b.N; i++ {
		s += f(xs[i&1023], ys[(i*3)&1023])
	}
	sink = s
}

func BenchmarkSin(b *testing.B)     { bench1(b, phases, Sin) }
func BenchmarkMathSin(b *testing.B) { bench1(b, phases, math.Sin) }
func BenchmarkCos(b *testing.B)     { bench1(b, phases, Cos) }
func BenchmarkMathCos(b *testing.B) { bench1(b, phases, math.Cos) }
func BenchmarkSincos(b *testing.B) {
	bench1(b, phases, func(x float64) float64 { s, c := Sincos(x); return s + c })
}
func BenchmarkMathSincos(b *testing.B) {
	bench1(b, phases, func(x float64) float64 { s, c := math.Sincos(x); return s + c })
}
func BenchmarkTan(b *testing.B)       { bench1(b, smallX, Tan) }
func BenchmarkMathTan(b *testing.B)   { bench1(b, smallX, math.Tan) }
func BenchmarkExp(b *testing.B)       { bench1(b, smallX, Exp) }
func BenchmarkMathExp(b *testing.B)   { bench1(b, smallX, math.Exp) }
func BenchmarkExp2(b *testing.B)      { bench1(b, smallX, Exp2) }
func BenchmarkMathExp2(b *testing.B)  { bench1(b, smallX, math.Exp2) }
func BenchmarkExpm1(b *testing.B)     { bench1(b, smallX, Expm1) }
func BenchmarkMathExpm1(b *testing.B) { bench1(b, smallX, math.Expm1) }
func BenchmarkLog(b *testing.B)       { bench1(b, posX, Log) }
func BenchmarkMathLog(b *testing.B)   { bench1(b, posX, math.Log) }
func BenchmarkLog2(b *testing.B)      { bench1(b, posX, Log2) }
func BenchmarkMathLog2(b *testing.B)  { bench1(b, posX, math.Log2) }
func BenchmarkLog10(b *testing.B)     { bench1(b, posX, Log10) }
func BenchmarkMathLog10(b *testing.B) { bench1(b, posX, math.Log10) }
func BenchmarkLog1p(b *testing.B)     { bench1(b, unitX, Log1p) }
func BenchmarkMathLog1p(b *testing.B) { bench1(b, unitX, math.Log1p) }
func BenchmarkPow(b *testing.B)       { bench2(b, posX, smallX, Pow) }
func BenchmarkMathPow(b *testing.B)   { bench2(b, posX, smallX, math.Pow) }
func BenchmarkAtan(b *testing.B)      { bench1(b, smallX, Atan) }
func BenchmarkMathAtan(b *testing.B)  { bench1(b, smallX, math.Atan) }
func BenchmarkAtan2(b *testing.B)     { bench2(b, smallX, posX, Atan2) }
func BenchmarkMathAtan2(b *testing.B) { bench2(b, smallX, posX, math.Atan2) }
func BenchmarkAsin(b *testing.B)      { bench1(b, unitX, Asin) }
func BenchmarkMathAsin(b *testing.B)  { bench1(b, unitX, math.Asin) }
func BenchmarkAcos(b *testing.B)      { bench1(b, unitX, Acos) }
func BenchmarkMathAcos(b *testing.B)  { bench1(b, unitX, math.Acos) }
func BenchmarkHypot(b *testing.B)     { bench2(b, smallX, posX, Hypot) }
func BenchmarkMathHypot(b *testing.B) { bench2(b, smallX, posX, math.Hypot) }
func BenchmarkSinh(b *testing.B)      { bench1(b, smallX, Sinh) }
func BenchmarkMathSinh(b *testing.B)  { bench1(b, smallX, math.Sinh) }
func BenchmarkCosh(b *testing.B)      { bench1(b, smallX, Cosh) }
func BenchmarkMathCosh(b *testing.B)  { bench1(b, smallX, math.Cosh) }
func BenchmarkTanh(b *testing.B)      { bench1(b, smallX, Tanh) }
func BenchmarkMathTanh(b *testing.B)  { bench1(b, smallX, math.Tanh) }
