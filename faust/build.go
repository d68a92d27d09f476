package faust

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// This file builds signal nodes: it types them as Faust does, inserts the
// implicit Int→Real conversions explicitly, folds constants with the
// arithmetic Faust's compiler uses, and shares identical nodes.

// sigKey identifies a node for sharing (hash-consing): two requests for the
// same operation on the same arguments return the same *Sig.
type sigKey struct {
	op         Op
	typ        Type
	val        uint64
	param      int
	a0, a1, a2 *Sig
	n          int
	rec        *Rec
	index      int
}

type builder struct {
	nodes map[sigKey]*Sig
	ids   map[*Sig]int // a number for every node, for memo keys
}

func newBuilder() *builder {
	return &builder{nodes: make(map[sigKey]*Sig), ids: make(map[*Sig]int)}
}

func (b *builder) id(s *Sig) int {
	if id, ok := b.ids[s]; ok {
		return id
	}
	id := len(b.ids) + 1
	b.ids[s] = id
	return id
}

func (b *builder) intern(s *Sig) *Sig {
	if len(s.Args) > 3 {
		return s
	}
	k := sigKey{op: s.Op, typ: s.Type, val: math.Float64bits(s.Val), param: s.Param, n: len(s.Args), rec: s.Rec, index: s.Index}
	for i, a := range s.Args {
		switch i {
		case 0:
			k.a0 = a
		case 1:
			k.a1 = a
		case 2:
			k.a2 = a
		}
	}
	if old, ok := b.nodes[k]; ok {
		return old
	}
	b.nodes[k] = s
	return s
}

// Int32 wrap, as Faust's 32-bit ints (compiled with -fwrapv).
func wrap(v int64) float64 { return float64(int32(v)) }

func (b *builder) constInt(v int64) *Sig {
	return b.intern(&Sig{Op: OpConst, Type: Int, Val: wrap(v)})
}

func (b *builder) constReal(v float64) *Sig {
	return b.intern(&Sig{Op: OpConst, Type: Real, Val: v})
}

func isConst(s *Sig) bool { return s.Op == OpConst }

// toReal converts an Int signal to Real (folding constants).
func (b *builder) toReal(s *Sig) *Sig {
	if s.Type == Real {
		return s
	}
	if isConst(s) {
		return b.constReal(s.Val)
	}
	return b.intern(&Sig{Op: OpFloatCast, Type: Real, Args: []*Sig{s}})
}

// toInt converts a Real signal to Int by truncation toward zero, as C's
// (int) cast (folding constants).
func (b *builder) toInt(s *Sig) *Sig {
	if s.Type == Int {
		return s
	}
	if isConst(s) {
		return b.constInt(truncInt(s.Val))
	}
	return b.intern(&Sig{Op: OpIntCast, Type: Int, Args: []*Sig{s}})
}

// truncInt is C's (int)x as compiled for x86-64 (cvttsd2si): truncation
// toward zero, and INT_MIN for NaN and values outside the int32 range.
func truncInt(x float64) int64 {
	if x != x || x >= 2147483648.0 || x <= -2147483649.0 {
		return math.MinInt32
	}
	return int64(int32(x))
}

func (b *builder) node(op Op, t Type, args ...*Sig) *Sig {
	return b.intern(&Sig{Op: op, Type: t, Args: args})
}

func cmin(x, y float64) float64 { // std::min: (y < x) ? y : x
	if y < x {
		return y
	}
	return x
}

func cmax(x, y float64) float64 { // std::max: (x < y) ? y : x
	if x < y {
		return y
	}
	return x
}

func boolVal(c bool) int64 {
	if c {
		return 1
	}
	return 0
}

// unary builds op(x) for the unary math primitives.
func (b *builder) unary(op Op, x *Sig) *Sig {
	switch op {
	case OpAbs:
		if x.Type == Int {
			if isConst(x) {
				v := int64(x.Val)
				if v < 0 {
					v = -v
				}
				return b.constInt(v)
			}
			return b.node(OpAbs, Int, x)
		}
	case OpIntCast:
		return b.toInt(x)
	case OpFloatCast:
		return b.toReal(x)
	}
	x = b.toReal(x)
	if isConst(x) {
		v := x.Val
		var r float64
		switch op {
		case OpSin:
			r = preciseSin(v)
		case OpCos:
			r = preciseCos(v)
		case OpTan:
			r = preciseTan(v)
		case OpAsin:
			r = detmath.Asin(v)
		case OpAcos:
			r = detmath.Acos(v)
		case OpAtan:
			r = detmath.Atan(v)
		case OpExp:
			r = preciseExp(v)
		case OpLog:
			r = preciseLog(v)
		case OpLog10:
			r = preciseLog10(v)
		case OpSqrt:
			r = math.Sqrt(v)
		case OpAbs:
			r = math.Abs(v)
		case OpFloor:
			r = math.Floor(v)
		case OpCeil:
			r = math.Ceil(v)
		case OpRint:
			r = math.RoundToEven(v)
		default:
			panic(fmt.Sprintf("faust: unary op %d", op))
		}
		return b.constReal(r)
	}
	return b.node(op, Real, x)
}

// binary builds x op y with Faust's typing. It fails only for a division
// or remainder by a constant zero, which the real compiler refuses too
// (even in a branch that is cut before the output).
func (b *builder) binary(op Op, x, y *Sig) (*Sig, error) {
	bothInt := x.Type == Int && y.Type == Int
	consts := isConst(x) && isConst(y)
	switch op {
	case OpAdd, OpSub, OpMul:
		if bothInt {
			if consts {
				a, c := int64(x.Val), int64(y.Val)
				switch op {
				case OpAdd:
					return b.constInt(a + c), nil
				case OpSub:
					return b.constInt(a - c), nil
				default:
					return b.constInt(int64(int32(a) * int32(c))), nil
				}
			}
			return b.node(op, Int, x, y), nil
		}
		x, y = b.toReal(x), b.toReal(y)
		if consts {
			switch op {
			case OpAdd:
				return b.constReal(x.Val + y.Val), nil
			case OpSub:
				return b.constReal(x.Val - y.Val), nil
			default:
				return b.constReal(x.Val * y.Val), nil
			}
		}
		return b.node(op, Real, x, y), nil

	case OpDiv:
		// Always a real division. Faust normalizes x/c, c constant, to
		// x*(1/c): reproduce it, since it changes the last bit (and with
		// it the wrap sample of phasors).
		x, y = b.toReal(x), b.toReal(y)
		if isConst(y) && y.Val == 0 {
			return nil, fmt.Errorf("division by zero in /")
		}
		if consts {
			return b.constReal(x.Val / y.Val), nil
		}
		if isConst(y) {
			return b.node(OpMul, Real, x, b.constReal(1/y.Val)), nil
		}
		return b.node(OpDiv, Real, x, y), nil

	case OpMod:
		if consts {
			// Faust folds % on constants as an integer remainder even
			// when an operand is real (7.5 % 2 is 1).
			a, c := truncInt(x.Val), truncInt(y.Val)
			if int32(c) == 0 {
				return nil, fmt.Errorf("division by zero in %%")
			}
			return b.constInt(int64(int32(a) % int32(c))), nil
		}
		if isConst(y) && y.Val == 0 {
			return nil, fmt.Errorf("division by zero in %%")
		}
		if bothInt {
			return b.node(OpMod, Int, x, y), nil
		}
		return b.node(OpMod, Real, b.toReal(x), b.toReal(y)), nil

	case OpPow:
		if bothInt {
			if consts {
				if y.Val >= 0 {
					return b.constInt(truncInt(precisePow(x.Val, y.Val))), nil
				}
				return b.constReal(precisePow(x.Val, y.Val)), nil
			}
			return b.node(OpPow, Int, x, y), nil
		}
		x, y = b.toReal(x), b.toReal(y)
		if consts {
			return b.constReal(precisePow(x.Val, y.Val)), nil
		}
		return b.node(OpPow, Real, x, y), nil

	case OpLT, OpLE, OpGT, OpGE, OpEQ, OpNE:
		if !bothInt {
			x, y = b.toReal(x), b.toReal(y)
		}
		if consts {
			a, c := x.Val, y.Val
			var r bool
			switch op {
			case OpLT:
				r = a < c
			case OpLE:
				r = a <= c
			case OpGT:
				r = a > c
			case OpGE:
				r = a >= c
			case OpEQ:
				r = a == c
			default:
				r = a != c
			}
			return b.constInt(boolVal(r)), nil
		}
		return b.node(op, Int, x, y), nil

	case OpAnd, OpOr, OpXor, OpShl, OpShr:
		x, y = b.toInt(x), b.toInt(y)
		if consts {
			a, c := int32(x.Val), int32(y.Val)
			var r int32
			switch op {
			case OpAnd:
				r = a & c
			case OpOr:
				r = a | c
			case OpXor:
				r = a ^ c
			case OpShl:
				r = a << (uint32(c) & 31)
			default:
				r = a >> (uint32(c) & 31)
			}
			return b.constInt(int64(r)), nil
		}
		return b.node(op, Int, x, y), nil

	case OpMin, OpMax:
		if !bothInt {
			x, y = b.toReal(x), b.toReal(y)
		}
		if consts {
			r := cmin(x.Val, y.Val)
			if op == OpMax {
				r = cmax(x.Val, y.Val)
			}
			if bothInt {
				return b.constInt(int64(r)), nil
			}
			return b.constReal(r), nil
		}
		return b.node(op, x.Type, x, y), nil

	case OpAtan2, OpFmod:
		x, y = b.toReal(x), b.toReal(y)
		if consts {
			if op == OpAtan2 {
				return b.constReal(detmath.Atan2(x.Val, y.Val)), nil
			}
			return b.constReal(math.Mod(x.Val, y.Val)), nil
		}
		return b.node(op, Real, x, y), nil
	}
	panic(fmt.Sprintf("faust: binary op %d", op))
}

// select2 builds select2(s, x, y): x when s is 0, y otherwise. A real
// selector is truncated to int, as Faust does.
func (b *builder) select2(s, x, y *Sig) *Sig {
	s = b.toInt(s)
	if isConst(s) {
		if s.Val == 0 {
			return x
		}
		return y
	}
	t := Int
	if x.Type == Real || y.Type == Real {
		t = Real
		x, y = b.toReal(x), b.toReal(y)
	}
	if x == y {
		return x
	}
	return b.node(OpSelect2, t, s, x, y)
}

// delay builds x@d for a constant d ≥ 0 (d is truncated to an int).
func (b *builder) delay(x *Sig, d int64) *Sig {
	if d == 0 {
		return x
	}
	return b.node(OpDelay, x.Type, x, b.constInt(d))
}
