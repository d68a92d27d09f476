package synth

import "github.com/soundmatch/soundmatch/faust"

// A second-order section is the direct-form-II biquad that fi.tf2 (and so
// fi.lowpass, fi.highpass, fi.tf2s, fi.resonlp/hp/bp, ...) builds through
// fi.iir = ma.sub ~ fir(av) : fir(bv):
//
//	v = x − (a1·v@1 + a2·v@2)
//	y = (b0·v + b1·v@1) + b2·v@2
//
// It is the hot loop of filter programs, so the compiler recognizes it and
// runs it as one instruction with hand-written value and tangent code
// instead of four generic ones. The section computes every product and sum
// exactly as the separate nodes would (products and sums in the same
// association; only operand order within a product or a sum may differ,
// which IEEE arithmetic makes exact), so fusing changes no bit.
type section struct {
	x, v, y             int32 // input, internal state signal, output
	v1, v2              int32 // history registers v@1, v@2
	a1, a2, b0, b1, b2  int32 // coefficient registers
	hasTA, hasTX, hasTB bool  // which operands carry tangents
	// owned: v@1 and v@2 are read by this section only, so it shifts its
	// own history at the end instead of leaving it to commit instructions.
	owned bool
}

// matchSections finds second-order sections whose intermediate nodes are
// used nowhere else, and returns them keyed by their output node, with the
// nodes they absorb marked in fused.
func (c *compiler) matchSections(s *scheduler, fused []bool) map[int32]section {
	out := map[int32]section{}
	n := func(id int32) *node { return &c.nodes[id] }
	isReal := func(id int32) bool { return n(id).typ == faust.Real }
	single := func(id int32) bool { return s.uses[id] == 1 && isReal(id) && !fused[id] }
	prod := func(id int32) (a, b int32, ok bool) {
		m := n(id)
		if m.op != faust.OpMul || !single(id) || !isReal(m.args[0]) || !isReal(m.args[1]) {
			return 0, 0, false
		}
		return m.args[0], m.args[1], true
	}
	sum := func(id int32) (a, b int32, ok bool) {
		m := n(id)
		if m.op != faust.OpAdd || !isReal(id) || !isReal(m.args[0]) || !isReal(m.args[1]) {
			return 0, 0, false
		}
		return m.args[0], m.args[1], true
	}
	// tap reports whether id is base@d.
	tap := func(id, base int32, d int) bool {
		m := n(id)
		return m.op == faust.OpDelay && m.src == base && m.delay == d
	}
	// split returns (coefficient, signal) of a product whose signal
	// operand satisfies is.
	split := func(pid int32, is func(int32) bool) (coef, sig int32, ok bool) {
		a, b, ok := prod(pid)
		if !ok {
			return 0, 0, false
		}
		switch {
		case is(b) && !is(a):
			return a, b, true
		case is(a) && !is(b):
			return b, a, true
		}
		return 0, 0, false
	}
	for _, y := range s.order {
		if n(y).class != clSample || fused[y] {
			continue
		}
		p, q, ok := sum(y)
		if !ok {
			continue
		}
		// y = inner + m2, in either order; inner = m0 + m1, in either order.
		for _, pair := range [2][2]int32{{p, q}, {q, p}} {
			inner, m2 := pair[0], pair[1]
			i0, i1, ok := sum(inner)
			if !ok || !single(inner) {
				continue
			}
			sec, ok := c.matchSection(s, fused, y, i0, i1, m2, split, sum, single, tap)
			if !ok {
				sec, ok = c.matchSection(s, fused, y, i1, i0, m2, split, sum, single, tap)
			}
			if !ok {
				continue
			}
			for _, id := range []int32{inner, m2, i0, i1, sec.v, c.nodes[sec.v].args[1]} {
				fused[id] = true
			}
			fb := &c.nodes[c.nodes[sec.v].args[1]]
			fused[fb.args[0]], fused[fb.args[1]] = true, true
			out[y] = sec
			break
		}
	}
	return out
}

func (c *compiler) matchSection(s *scheduler, fused []bool, y, m0, m1, m2 int32,
	split func(int32, func(int32) bool) (int32, int32, bool),
	sum func(int32) (int32, int32, bool),
	single func(int32) bool,
	tap func(int32, int32, int) bool) (section, bool) {
	// m0 = b0·v: v is the node Sub(x, fb).
	isV := func(id int32) bool {
		m := &c.nodes[id]
		return m.op == faust.OpSub && m.class == clSample && m.typ == faust.Real
	}
	b0, v, ok := split(m0, isV)
	if !ok || s.uses[v] != 2 || fused[v] { // read by m0 and by its history
		return section{}, false
	}
	b1, v1, ok := split(m1, func(id int32) bool { return tap(id, v, 1) })
	if !ok {
		return section{}, false
	}
	b2, v2, ok := split(m2, func(id int32) bool { return tap(id, v, 2) })
	if !ok {
		return section{}, false
	}
	x, fb := c.nodes[v].args[0], c.nodes[v].args[1]
	f0, f1, ok := sum(fb)
	if !ok || !single(fb) || c.nodes[x].typ != faust.Real {
		return section{}, false
	}
	var a1, a2 int32
	matched := false
	for _, pair := range [2][2]int32{{f0, f1}, {f1, f0}} {
		c1, s1, ok1 := split(pair[0], func(id int32) bool { return tap(id, v, 1) })
		c2, s2, ok2 := split(pair[1], func(id int32) bool { return tap(id, v, 2) })
		if ok1 && ok2 && s1 == v1 && s2 == v2 {
			a1, a2, matched = c1, c2, true
			break
		}
	}
	if !matched {
		return section{}, false
	}
	has := func(r int32) bool { return c.nodes[r].mask != 0 }
	return section{
		x: x, v: v, y: y, v1: v1, v2: v2, a1: a1, a2: a2, b0: b0, b1: b1, b2: b2,
		hasTA: has(a1) || has(a2), hasTX: has(x) || has(v1) || has(v2),
		hasTB: has(b0) || has(b1) || has(b2),
		owned: s.uses[v1] == 2 && s.uses[v2] == 2 && len(s.bases[v]) == 2,
	}, true
}

// runSection computes one section's value.
func runSection(sc *section, v []float64) {
	v1, v2 := v[sc.v1], v[sc.v2]
	fb := float64(v1*v[sc.a1]) + float64(v2*v[sc.a2])
	w := v[sc.x] - fb
	v[sc.v] = w
	v[sc.y] = float64(float64(w*v[sc.b0])+float64(v1*v[sc.b1])) + float64(v2*v[sc.b2])
	if sc.owned {
		v[sc.v2], v[sc.v1] = v1, w
	}
}

// runSections computes a cascade of sections' values (runSection, inlined
// by hand into the loop).
func runSections(secs []section, v []float64) {
	for j := range secs {
		sc := &secs[j]
		v1, v2 := v[sc.v1], v[sc.v2]
		fb := float64(v1*v[sc.a1]) + float64(v2*v[sc.a2])
		w := v[sc.x] - fb
		v[sc.v] = w
		v[sc.y] = float64(float64(w*v[sc.b0])+float64(v1*v[sc.b1])) + float64(v2*v[sc.b2])
		if sc.owned {
			v[sc.v2], v[sc.v1] = v1, w
		}
	}
}

// runSectionJac computes one section's value and tangents.
func runSectionJac[T vec](sc *section, v []float64, t []T) {
	v1, v2 := v[sc.v1], v[sc.v2]
	a1, a2, b0, b1, b2 := v[sc.a1], v[sc.a2], v[sc.b0], v[sc.b1], v[sc.b2]
	fb := float64(v1*a1) + float64(v2*a2)
	w := v[sc.x] - fb
	v[sc.v] = w
	v[sc.y] = float64(float64(w*b0)+float64(v1*b1)) + float64(v2*b2)
	if sc.owned {
		v[sc.v2], v[sc.v1] = v1, w
	}
	if !sc.hasTX && !sc.hasTA && !sc.hasTB {
		return
	}
	// Through pointers, slot by slot (see the tangent kernels in exec.go).
	tx, t1, t2, tw, ty := &t[sc.x], &t[sc.v1], &t[sc.v2], &t[sc.v], &t[sc.y]
	if sc.hasTA {
		ta1, ta2 := &t[sc.a1], &t[sc.a2]
		for k := 0; k < len(*tw); k++ {
			(*tw)[k] = (*tx)[k] - (float64(v1*(*ta1)[k]) + float64(a1*(*t1)[k]) + float64(v2*(*ta2)[k]) + float64(a2*(*t2)[k]))
		}
	} else {
		for k := 0; k < len(*tw); k++ {
			(*tw)[k] = (*tx)[k] - (float64(a1*(*t1)[k]) + float64(a2*(*t2)[k]))
		}
	}
	if sc.hasTB {
		tb0, tb1, tb2 := &t[sc.b0], &t[sc.b1], &t[sc.b2]
		for k := 0; k < len(*ty); k++ {
			(*ty)[k] = float64(b0*(*tw)[k]) + float64(w*(*tb0)[k]) + float64(b1*(*t1)[k]) + float64(v1*(*tb1)[k]) +
				float64(b2*(*t2)[k]) + float64(v2*(*tb2)[k])
		}
	} else {
		for k := 0; k < len(*ty); k++ {
			(*ty)[k] = float64(b0*(*tw)[k]) + float64(b1*(*t1)[k]) + float64(b2*(*t2)[k])
		}
	}
	if sc.owned {
		for k := 0; k < len(*tw); k++ {
			(*t2)[k], (*t1)[k] = (*t1)[k], (*tw)[k]
		}
	}
}

// runSectionJac2 is runSectionJac for two sliders (every built-in
// program), written out slot by slot: the generic loops cost twice as
// much in the hottest instruction of filter programs. Same arithmetic.
func runSectionJac2(sc *section, v []float64, t [][2]float64) {
	v1, v2 := v[sc.v1], v[sc.v2]
	a1, a2, b0, b1, b2 := v[sc.a1], v[sc.a2], v[sc.b0], v[sc.b1], v[sc.b2]
	fb := float64(v1*a1) + float64(v2*a2)
	w := v[sc.x] - fb
	v[sc.v] = w
	v[sc.y] = float64(float64(w*b0)+float64(v1*b1)) + float64(v2*b2)
	if sc.owned {
		v[sc.v2], v[sc.v1] = v1, w
	}
	if !sc.hasTX && !sc.hasTA && !sc.hasTB {
		return
	}
	tx, t1, t2 := &t[sc.x], &t[sc.v1], &t[sc.v2]
	x0, x1, p0, p1, q0, q1 := tx[0], tx[1], t1[0], t1[1], t2[0], t2[1]
	var w0, w1 float64
	if sc.hasTA {
		ta1, ta2 := &t[sc.a1], &t[sc.a2]
		w0 = x0 - (float64(v1*ta1[0]) + float64(a1*p0) + float64(v2*ta2[0]) + float64(a2*q0))
		w1 = x1 - (float64(v1*ta1[1]) + float64(a1*p1) + float64(v2*ta2[1]) + float64(a2*q1))
	} else {
		w0 = x0 - (float64(a1*p0) + float64(a2*q0))
		w1 = x1 - (float64(a1*p1) + float64(a2*q1))
	}
	var y0, y1 float64
	if sc.hasTB {
		tb0, tb1, tb2 := &t[sc.b0], &t[sc.b1], &t[sc.b2]
		y0 = float64(b0*w0) + float64(w*tb0[0]) + float64(b1*p0) + float64(v1*tb1[0]) + float64(b2*q0) + float64(v2*tb2[0])
		y1 = float64(b0*w1) + float64(w*tb0[1]) + float64(b1*p1) + float64(v1*tb1[1]) + float64(b2*q1) + float64(v2*tb2[1])
	} else {
		y0 = float64(b0*w0) + float64(b1*p0) + float64(b2*q0)
		y1 = float64(b0*w1) + float64(b1*p1) + float64(b2*q1)
	}
	// Stored slot by slot (see the tangent kernels in exec.go).
	tw, ty := &t[sc.v], &t[sc.y]
	tw[0], tw[1] = w0, w1
	ty[0], ty[1] = y0, y1
	if sc.owned {
		t1[0], t1[1] = w0, w1
		t2[0], t2[1] = p0, p1
	}
}

// A first-order section is fi.tf1 = _ <: *(b0), (mem : *(b1)) :> + ~ *(0-a1):
//
//	y = c·y@1 + (b0·x + b1·x@1)    (c = 0 − a1)
//
// (fi.tf1s, the odd section of fi.lowpass/highpass). It is fused when it
// owns both one-sample histories (x@1 and y@1 are read nowhere else and
// nothing reads x@2 or y@2), so it shifts them itself.
type firstOrder struct {
	x, y, x1, y1 int32
	b0, b1, c    int32
}

func (c *compiler) matchFirstOrder(s *scheduler, fused []bool) map[int32]firstOrder {
	out := map[int32]firstOrder{}
	n := func(id int32) *node { return &c.nodes[id] }
	real := func(id int32) bool { return n(id).typ == faust.Real }
	single := func(id int32) bool { return s.uses[id] == 1 && real(id) && !fused[id] && n(id).class == clSample }
	prodOf := func(pid int32, is func(int32) bool) (coef, sig int32, ok bool) {
		m := n(pid)
		if m.op != faust.OpMul || !single(pid) || !real(m.args[0]) || !real(m.args[1]) {
			return 0, 0, false
		}
		a, b := m.args[0], m.args[1]
		switch {
		case is(b) && !is(a):
			return a, b, true
		case is(a) && !is(b):
			return b, a, true
		}
		return 0, 0, false
	}
	// onlyTap: id is base@1, read once, and base has no other history.
	onlyTap := func(id, base int32) bool {
		m := n(id)
		if m.op != faust.OpDelay || m.src != base || m.delay != 1 || s.uses[id] != 1 {
			return false
		}
		taps := s.bases[base]
		return len(taps) == 1 && taps[0] == id
	}
	for _, y := range s.order {
		ny := n(y)
		if ny.op != faust.OpAdd || ny.class != clSample || !real(y) || fused[y] {
			continue
		}
		for _, pair := range [2][2]int32{{ny.args[0], ny.args[1]}, {ny.args[1], ny.args[0]}} {
			fbp, inner := pair[0], pair[1]
			cc, y1, ok := prodOf(fbp, func(id int32) bool { return onlyTap(id, y) })
			if !ok {
				continue
			}
			ni := n(inner)
			if ni.op != faust.OpAdd || !single(inner) {
				continue
			}
			var f firstOrder
			found := false
			for _, q := range [2][2]int32{{ni.args[0], ni.args[1]}, {ni.args[1], ni.args[0]}} {
				// q[1] = b1·x@1 identifies x; q[0] must then be b0·x.
				m1 := n(q[1])
				if m1.op != faust.OpMul || !single(q[1]) {
					continue
				}
				for _, j := range []int{0, 1} {
					x1 := m1.args[j]
					t := n(x1)
					if t.op != faust.OpDelay || t.delay != 1 {
						continue
					}
					x := t.src
					b1 := m1.args[1-j]
					if !onlyTap(x1, x) || !real(x) || x == y {
						continue
					}
					b0, sig, ok := prodOf(q[0], func(id int32) bool { return id == x })
					if !ok || sig != x {
						continue
					}
					f = firstOrder{x: x, y: y, x1: x1, y1: y1, b0: b0, b1: b1, c: cc}
					found = true
					break
				}
				if found {
					fused[q[0]], fused[q[1]] = true, true
					break
				}
			}
			if !found {
				continue
			}
			fused[fbp], fused[inner] = true, true
			out[y] = f
			break
		}
	}
	return out
}

func runFirstOrder(f *firstOrder, v []float64) {
	x, x1, y1 := v[f.x], v[f.x1], v[f.y1]
	y := float64(y1*v[f.c]) + (float64(x*v[f.b0]) + float64(x1*v[f.b1]))
	v[f.y] = y
	v[f.x1], v[f.y1] = x, y
}

func runFirstOrderJac[T vec](f *firstOrder, v []float64, t []T) {
	x, x1, y1 := v[f.x], v[f.x1], v[f.y1]
	c, b0, b1 := v[f.c], v[f.b0], v[f.b1]
	y := float64(y1*c) + (float64(x*b0) + float64(x1*b1))
	v[f.y] = y
	v[f.x1], v[f.y1] = x, y
	tx, tx1, ty1, tc, tb0, tb1, ty := &t[f.x], &t[f.x1], &t[f.y1], &t[f.c], &t[f.b0], &t[f.b1], &t[f.y]
	for k := 0; k < len(*ty); k++ {
		(*ty)[k] = float64(c*(*ty1)[k]) + float64(y1*(*tc)[k]) +
			(float64(b0*(*tx)[k]) + float64(x*(*tb0)[k]) + float64(b1*(*tx1)[k]) + float64(x1*(*tb1)[k]))
	}
	for k := 0; k < len(*ty); k++ {
		(*tx1)[k], (*ty1)[k] = (*tx)[k], (*ty)[k]
	}
}
