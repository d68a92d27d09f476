package faust

import (
	"slices"
	"strconv"
)

// slotEnv binds function parameters used as blocks (slots) to the signals
// that flow into them.
type slotEnv struct {
	slot *slotVar
	sig  *Sig
	next *slotEnv
}

func (e *slotEnv) lookup(s *slotVar) *Sig {
	for ; e != nil; e = e.next {
		if e.slot == s {
			return e.sig
		}
	}
	return nil
}

// prop propagates the input signals in (len(in) == b.ins) through b and
// returns its b.outs output signals.
func (ev *evaluator) prop(b *box, env *slotEnv, in []*Sig) ([]*Sig, error) {
	if err := ev.step(b.file, b.at); err != nil {
		return nil, err
	}
	ev.propDepth++
	defer func() { ev.propDepth-- }()
	if ev.propDepth > maxNest {
		return nil, ev.errorf(b.file, b.at, "block diagram nested too deeply (more than %d levels)", maxNest)
	}
	bd := ev.b
	var key string
	switch b.kind {
	case bSeq, bPar, bSplit, bMerge, bRec, bSymbolic:
		if len(in) > 64 {
			// Wide diagrams (long parallel lists) would make long keys.
			return ev.propComposite(b, env, in)
		}
		// Propagating the same diagram with the same inputs gives the same
		// signals: remember them, so that a definition used twice (say
		// no.noise) yields one recursion, not two identical ones.
		key = ev.memoKey(b, env, in)
		if out, ok := ev.memo[key]; ok {
			return out, nil
		}
		out, err := ev.propComposite(b, env, in)
		if err == nil {
			ev.memo[key] = out
		}
		return out, err
	}
	switch b.kind {
	case bWire:
		return in, nil
	case bCut:
		return nil, nil
	case bConst:
		return []*Sig{b.sig}, nil
	case bControl:
		return []*Sig{ev.controls[b.ctl].sig}, nil
	case bPrim:
		switch b.ins {
		case 1:
			return []*Sig{bd.unary(b.op, in[0])}, nil
		default:
			s, err := bd.binary(b.op, in[0], in[1])
			if err != nil {
				return nil, ev.errorf(b.file, b.at, "%v", err)
			}
			return []*Sig{s}, nil
		}
	case bSelect2:
		return []*Sig{bd.select2(in[0], in[1], in[2])}, nil
	case bMem:
		return []*Sig{bd.delay(in[0], 1)}, nil
	case bDelay:
		d := in[1]
		if !isConst(d) {
			return nil, ev.errorf(b.file, b.at, "unsupported construct: a delay @ whose length is not a constant")
		}
		n := truncInt(d.Val)
		if n < 0 || n > maxDelay {
			return nil, ev.errorf(b.file, b.at, "delay length must be from 0 to %d samples, got %v", maxDelay, d.Val)
		}
		return []*Sig{bd.delay(in[0], n)}, nil
	case bAttach:
		return in[:1], nil
	case bSlot:
		s := env.lookup(b.slot)
		if s == nil {
			return nil, ev.errorf(b.file, b.at, "parameter %s used outside its function", b.slot.name)
		}
		return []*Sig{s}, nil
	}
	return nil, ev.errorf(b.file, b.at, "internal error: unknown block kind %d", b.kind)
}

func (ev *evaluator) memoKey(b *box, env *slotEnv, in []*Sig) string {
	k := make([]byte, 0, 16+8*len(in))
	k = strconv.AppendInt(k, int64(ev.boxID(b)), 36)
	k = append(k, '/')
	for e := env; e != nil; e = e.next {
		k = strconv.AppendInt(k, int64(ev.slotID(e.slot)), 36)
		k = append(k, ':')
		k = strconv.AppendInt(k, int64(ev.b.id(e.sig)), 36)
		k = append(k, ',')
	}
	k = append(k, '/')
	for _, s := range in {
		k = strconv.AppendInt(k, int64(ev.b.id(s)), 36)
		k = append(k, ',')
	}
	return string(k)
}

func (ev *evaluator) boxID(b *box) int {
	if id, ok := ev.boxIDs[b]; ok {
		return id
	}
	id := len(ev.boxIDs) + 1
	ev.boxIDs[b] = id
	return id
}

func (ev *evaluator) slotID(s *slotVar) int {
	if id, ok := ev.slotIDs[s]; ok {
		return id
	}
	id := len(ev.slotIDs) + 1
	ev.slotIDs[s] = id
	return id
}

func (ev *evaluator) propComposite(b *box, env *slotEnv, in []*Sig) ([]*Sig, error) {
	bd := ev.b
	switch b.kind {
	case bSeq:
		mid, err := ev.prop(b.a, env, in)
		if err != nil {
			return nil, err
		}
		return ev.prop(b.b, env, mid)
	case bPar:
		x, err := ev.prop(b.a, env, in[:b.a.ins])
		if err != nil {
			return nil, err
		}
		y, err := ev.prop(b.b, env, in[b.a.ins:])
		if err != nil {
			return nil, err
		}
		out := make([]*Sig, 0, len(x)+len(y))
		return append(append(out, x...), y...), nil
	case bSplit:
		x, err := ev.prop(b.a, env, in)
		if err != nil {
			return nil, err
		}
		mid := make([]*Sig, b.b.ins)
		for j := range mid {
			mid[j] = x[j%len(x)]
		}
		return ev.prop(b.b, env, mid)
	case bMerge:
		x, err := ev.prop(b.a, env, in)
		if err != nil {
			return nil, err
		}
		n := b.b.ins
		mid := make([]*Sig, n)
		for j := range mid {
			s := x[j]
			for k := j + n; k < len(x); k += n {
				if s, err = bd.binary(OpAdd, s, x[k]); err != nil {
					return nil, err
				}
			}
			mid[j] = s
		}
		return ev.prop(b.b, env, mid)
	case bRec:
		return ev.propRec(b, env, in)
	case bSymbolic:
		e := &slotEnv{slot: b.slot, sig: in[0], next: env}
		return ev.prop(b.a, e, in[1:])
	}
	return nil, ev.errorf(b.file, b.at, "internal error: unknown block kind %d", b.kind)
}

// propRec propagates through A~B. The outputs of A, delayed by one sample,
// feed B; B's outputs feed A's first inputs. The types of the recursive
// signals are found as Faust does, by fixpoint: start with Int and widen to
// Real where the definition turns out to be Real.
func (ev *evaluator) propRec(b *box, env *slotEnv, in []*Sig) ([]*Sig, error) {
	a, fb := b.a, b.b
	types := make([]Type, fb.ins)
	for i := range types {
		types[i] = Int
	}
	for try := 0; try < maxRecTries; try++ {
		rec := &Rec{}
		refs := make([]*Sig, fb.ins)
		for i := range refs {
			refs[i] = ev.b.intern(&Sig{Op: OpRecRef, Type: types[i], Rec: rec, Index: i})
		}
		back, err := ev.prop(fb, env, refs)
		if err != nil {
			return nil, err
		}
		ain := make([]*Sig, 0, a.ins)
		ain = append(append(ain, back...), in...)
		out, err := ev.prop(a, env, ain)
		if err != nil {
			return nil, err
		}
		out = slices.Clone(out)
		widened := false
		for i := range types {
			switch {
			case out[i].Type == Real && types[i] == Int:
				types[i] = Real
				widened = true
			case out[i].Type == Int && types[i] == Real:
				out[i] = ev.b.toReal(out[i])
			}
		}
		if widened {
			continue
		}
		// The rec's definitions must be of the referenced types.
		rec.Defs = out
		return out, nil
	}
	return nil, ev.errorf(b.file, b.at, "internal error: the types of a recursion did not settle")
}
