package faust

import "fmt"

// checkGraph verifies the guarantees Compile documents for its consumer.
func checkGraph(g *Graph) error {
	seen := map[*Sig]bool{}
	seenRec := map[*Rec]bool{}
	stack := append([]*Sig(nil), g.Outputs...)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s] {
			continue
		}
		seen[s] = true
		for _, a := range s.Args {
			if a == nil {
				return fmt.Errorf("op %d has a nil argument", s.Op)
			}
		}
		stack = append(stack, s.Args...)
		want := func(n int) error {
			if len(s.Args) != n {
				return fmt.Errorf("op %d has %d arguments, want %d", s.Op, len(s.Args), n)
			}
			return nil
		}
		allType := func(t Type) error {
			for _, a := range s.Args {
				if a.Type != t {
					return fmt.Errorf("op %d (type %d) has an argument of type %d", s.Op, s.Type, a.Type)
				}
			}
			return nil
		}
		var err error
		switch s.Op {
		case OpConst:
			if s.Type == Int && s.Val != float64(int32(s.Val)) {
				err = fmt.Errorf("int constant %v", s.Val)
			}
		case OpControl:
			if s.Type != Real || s.Param < 0 || s.Param >= len(g.Controls) {
				err = fmt.Errorf("control %d of %d", s.Param, len(g.Controls))
			}
		case OpInput:
			err = fmt.Errorf("process has no inputs")
		case OpAdd, OpSub, OpMul, OpMod, OpPow, OpMin, OpMax:
			if err = want(2); err == nil {
				err = allType(s.Type)
			}
		case OpDiv, OpAtan2, OpFmod:
			if err = want(2); err == nil && s.Type != Real {
				err = fmt.Errorf("op %d is not real", s.Op)
			} else if err == nil {
				err = allType(Real)
			}
			if err == nil && s.Op == OpDiv && s.Args[1].Op == OpConst && s.Args[1].Val != 0 {
				err = fmt.Errorf("division by the constant %v", s.Args[1].Val)
			}
		case OpLT, OpLE, OpGT, OpGE, OpEQ, OpNE:
			if err = want(2); err == nil && (s.Type != Int || s.Args[0].Type != s.Args[1].Type) {
				err = fmt.Errorf("comparison of types %d, %d", s.Args[0].Type, s.Args[1].Type)
			}
		case OpAnd, OpOr, OpXor, OpShl, OpShr:
			if err = want(2); err == nil && s.Type != Int {
				err = fmt.Errorf("bitwise op is not int")
			} else if err == nil {
				err = allType(Int)
			}
		case OpAbs:
			if err = want(1); err == nil {
				err = allType(s.Type)
			}
		case OpSin, OpCos, OpTan, OpAsin, OpAcos, OpAtan, OpExp, OpLog, OpLog10, OpSqrt, OpFloor, OpCeil, OpRint:
			if err = want(1); err == nil && s.Type != Real {
				err = fmt.Errorf("math op %d is not real", s.Op)
			} else if err == nil {
				err = allType(Real)
			}
		case OpSelect2:
			if err = want(3); err == nil && (s.Args[0].Type != Int || s.Args[1].Type != s.Type || s.Args[2].Type != s.Type) {
				err = fmt.Errorf("select2 types")
			}
		case OpIntCast:
			if err = want(1); err == nil && (s.Type != Int || s.Args[0].Type != Real) {
				err = fmt.Errorf("int cast types")
			}
		case OpFloatCast:
			if err = want(1); err == nil && (s.Type != Real || s.Args[0].Type != Int) {
				err = fmt.Errorf("float cast types")
			}
		case OpDelay:
			if err = want(2); err == nil {
				d := s.Args[1]
				if d.Op != OpConst || d.Type != Int || d.Val < 1 || d.Val > maxDelay || s.Type != s.Args[0].Type {
					err = fmt.Errorf("delay by %+v", d)
				}
			}
		case OpRecRef:
			if s.Rec == nil || s.Index < 0 || s.Index >= len(s.Rec.Defs) {
				err = fmt.Errorf("bad recursion reference")
			} else if d := s.Rec.Defs[s.Index]; d == nil || d.Type != s.Type {
				err = fmt.Errorf("recursion reference of type %d to a definition of another type", s.Type)
			}
			if err == nil && !seenRec[s.Rec] {
				seenRec[s.Rec] = true
				stack = append(stack, s.Rec.Defs...)
			}
		default:
			err = fmt.Errorf("unknown op %d", s.Op)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
