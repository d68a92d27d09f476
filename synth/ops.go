package synth

import (
	"math"

	"github.com/soundmatch/soundmatch/detmath"
	"github.com/soundmatch/soundmatch/faust"
)

// This file holds the value semantics of every signal operation, once:
// constant folding uses these functions, and the executors in exec.go
// compute the same expressions inline (tests check that both executors
// and the folder agree bit for bit).
//
// Values of Int signals are kept in float64 registers; they always hold an
// exact int32, so float64 comparisons, min and max are exact on them.

// toInt32 converts like C's (int) cast as compiled Faust code does it on
// x86-64 (cvttsd2si to a 32-bit register): truncation toward zero; NaN and
// values outside the int32 range give math.MinInt32 (the x86 "integer
// indefinite"). The front end folds constants with the same rule.
func toInt32(x float64) int32 {
	if x != x || x >= 2147483648.0 || x <= -2147483649.0 {
		return math.MinInt32
	}
	return int32(x)
}

// ib converts an Int operand (or a Real one used where Faust expects an
// int) to int32.
func ib(x float64) int32 { return toInt32(x) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// cmin and cmax are C++'s std::min/std::max, which Faust's generated code
// uses: ties and NaNs pick the first argument.
func cmin(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

func cmax(a, b float64) float64 {
	if a < b {
		return b
	}
	return a
}

func imod(a, b int32) int32 {
	if b == 0 {
		return 0 // C would trap; a render must not crash
	}
	return a % b
}

func iabs(a int32) int32 {
	if a < 0 {
		return -a
	}
	return a
}

// eval computes one operation on constant operands (constant folding).
// ok is false for operations that are not pure functions of their
// operands (controls, inputs, delays, recursion).
func eval(op faust.Op, t faust.Type, x []float64) (v float64, ok bool) {
	isInt := t == faust.Int
	a := func() float64 { return x[0] }
	switch op {
	case faust.OpAdd:
		if isInt {
			return float64(ib(x[0]) + ib(x[1])), true
		}
		return x[0] + x[1], true
	case faust.OpSub:
		if isInt {
			return float64(ib(x[0]) - ib(x[1])), true
		}
		return x[0] - x[1], true
	case faust.OpMul:
		if isInt {
			return float64(ib(x[0]) * ib(x[1])), true
		}
		return x[0] * x[1], true
	case faust.OpDiv:
		return x[0] / x[1], true
	case faust.OpMod:
		if isInt {
			return float64(imod(ib(x[0]), ib(x[1]))), true
		}
		return math.Mod(x[0], x[1]), true
	case faust.OpPow:
		if isInt {
			return float64(toInt32(detmath.Pow(x[0], x[1]))), true
		}
		return detmath.Pow(x[0], x[1]), true
	case faust.OpLT:
		return b2f(x[0] < x[1]), true
	case faust.OpLE:
		return b2f(x[0] <= x[1]), true
	case faust.OpGT:
		return b2f(x[0] > x[1]), true
	case faust.OpGE:
		return b2f(x[0] >= x[1]), true
	case faust.OpEQ:
		return b2f(x[0] == x[1]), true
	case faust.OpNE:
		return b2f(x[0] != x[1]), true
	case faust.OpAnd:
		return float64(ib(x[0]) & ib(x[1])), true
	case faust.OpOr:
		return float64(ib(x[0]) | ib(x[1])), true
	case faust.OpXor:
		return float64(ib(x[0]) ^ ib(x[1])), true
	case faust.OpShl:
		return float64(ib(x[0]) << (uint32(ib(x[1])) & 31)), true
	case faust.OpShr:
		return float64(ib(x[0]) >> (uint32(ib(x[1])) & 31)), true
	case faust.OpSin:
		return detmath.Sin(a()), true
	case faust.OpCos:
		return detmath.Cos(a()), true
	case faust.OpTan:
		return detmath.Tan(a()), true
	case faust.OpAsin:
		return detmath.Asin(a()), true
	case faust.OpAcos:
		return detmath.Acos(a()), true
	case faust.OpAtan:
		return detmath.Atan(a()), true
	case faust.OpExp:
		return detmath.Exp(a()), true
	case faust.OpLog:
		return detmath.Log(a()), true
	case faust.OpLog10:
		return detmath.Log10(a()), true
	case faust.OpSqrt:
		return math.Sqrt(a()), true
	case faust.OpAbs:
		if isInt {
			return float64(iabs(ib(x[0]))), true
		}
		return math.Abs(a()), true
	case faust.OpFloor:
		return math.Floor(a()), true
	case faust.OpCeil:
		return math.Ceil(a()), true
	case faust.OpRint:
		return math.RoundToEven(a()), true
	case faust.OpAtan2:
		return detmath.Atan2(x[0], x[1]), true
	case faust.OpFmod:
		return math.Mod(x[0], x[1]), true
	case faust.OpMin:
		return cmin(x[0], x[1]), true
	case faust.OpMax:
		return cmax(x[0], x[1]), true
	case faust.OpSelect2:
		if ib(x[0]) != 0 {
			return x[2], true
		}
		return x[1], true
	case faust.OpIntCast:
		return float64(toInt32(x[0])), true
	case faust.OpFloatCast:
		return x[0], true
	}
	return 0, false
}

// arity is the number of operands of a pure operation.
func arity(op faust.Op) int {
	switch op {
	case faust.OpConst, faust.OpControl, faust.OpInput, faust.OpRecRef:
		return 0
	case faust.OpSin, faust.OpCos, faust.OpTan, faust.OpAsin, faust.OpAcos, faust.OpAtan,
		faust.OpExp, faust.OpLog, faust.OpLog10, faust.OpSqrt, faust.OpAbs, faust.OpFloor,
		faust.OpCeil, faust.OpRint, faust.OpIntCast, faust.OpFloatCast:
		return 1
	case faust.OpSelect2:
		return 3
	}
	return 2
}
