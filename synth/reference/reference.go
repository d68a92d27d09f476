// Package reference holds hand-written Go loops of the difference equations
// of soundmatch's four built-in synthesizer programs (bp-noise, add-sinesaw,
// noise-am, sinesaw-am), each with a hand-derived forward-mode Jacobian.
//
// They are not the production renderer: package synth compiles the Faust
// source of every program, built-in or not. These loops exist for two jobs
// no library can do for us. They are a test oracle written independently of
// the Faust front end and the graph compiler (they follow the equations in
// the golden reference README, checked against renderings of the real Faust
// compiler), and they are the speed baseline the compiled engine is
// benchmarked against ("rendering with the full Jacobian costs at most 3×
// the hand-written loop").
//
// The arithmetic follows what `faust -double` emits, where it matters for
// agreement: phase increments are f*(1/SR) (Faust folds x/c into x*(1/c)),
// ma.frac is x-floor(x), noise is a wrapping int32 LCG scaled by
// 1/2147483647, filter sections run in the library's order (the first-order
// section first), and products are wrapped in float64() so that Go never
// fuses them into an FMA (which would change the last bits and can move a
// saw's wrap by one sample).
package reference

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// Names lists the programs this package renders, in the order of
// synth.Builtins.
var Names = []string{"add-sinesaw", "bp-noise", "noise-am", "sinesaw-am"}

// Render renders the named program with slider values (in declaration
// order) into out, from zero state; when jac is non-nil, jac[k][n] receives
// ∂out[n]/∂values[k]. It panics on an unknown name or wrong lengths
// (programmer misuse).
func Render(name string, sr float64, values, out []float64, jac [][]float64) {
	if len(values) != 2 {
		panic(fmt.Sprintf("reference: %s takes 2 values, got %d", name, len(values)))
	}
	if jac != nil && (len(jac) != 2 || len(jac[0]) < len(out) || len(jac[1]) < len(out)) {
		panic("reference: jacobian shape mismatch")
	}
	switch name {
	case "bp-noise":
		BPNoise(sr, values[0], values[1], out, jac)
	case "add-sinesaw":
		AddSineSaw(sr, values[0], values[1], out, jac)
	case "noise-am":
		NoiseAM(sr, values[0], values[1], out, jac)
	case "sinesaw-am":
		SineSawAM(sr, values[0], values[1], out, jac)
	default:
		panic("reference: unknown program " + name)
	}
}

const (
	twoPi   = 6.283185307179586 // 2*ma.PI folded in float64
	invRand = 1.0 / 2147483647.0
)

// AddSineSaw renders sin(2π·ps) + pw with phasors at sine_freq and saw_freq.
// jac[0] is ∂/∂saw_freq, jac[1] is ∂/∂sine_freq.
func AddSineSaw(sr, sawFreq, sineFreq float64, out []float64, jac [][]float64) {
	c := 1.0 / sr
	incW := float64(c * sawFreq)
	incS := float64(c * sineFreq)
	var pw, ps float64
	if jac == nil {
		for n := range out {
			ps = incS + (ps - math.Floor(ps))
			pw = incW + (pw - math.Floor(pw))
			out[n] = pw + detmath.Sin(float64(twoPi*ps))
		}
		return
	}
	// floor has derivative 0, so each phase tangent grows by dinc = 1/SR a sample.
	var dpw, dps float64
	jw, js := jac[0][:len(out)], jac[1][:len(out)]
	for n := range out {
		ps = incS + (ps - math.Floor(ps))
		pw = incW + (pw - math.Floor(pw))
		dps += c
		dpw += c
		s, co := detmath.Sincos(float64(twoPi * ps))
		out[n] = pw + s
		jw[n] = dpw
		js[n] = float64(co*twoPi) * dps
	}
}

// NoiseAM renders noise·sin(2π·pm)·amp with a phasor at modulator.
// jac[0] is ∂/∂amp, jac[1] is ∂/∂modulator.
func NoiseAM(sr, amp, modulator float64, out []float64, jac [][]float64) {
	c := 1.0 / sr
	inc := float64(c * modulator)
	var p float64
	var r int32
	if jac == nil {
		for n := range out {
			p = inc + (p - math.Floor(p))
			r = 1103515245*r + 12345
			noise := float64(r) * invRand
			out[n] = float64(float64(noise*detmath.Sin(float64(twoPi*p))) * amp)
		}
		return
	}
	var dp float64
	ja, jm := jac[0][:len(out)], jac[1][:len(out)]
	for n := range out {
		p = inc + (p - math.Floor(p))
		dp += c
		r = 1103515245*r + 12345
		noise := float64(r) * invRand
		s, co := detmath.Sincos(float64(twoPi * p))
		ns := float64(noise * s)
		out[n] = float64(ns * amp)
		ja[n] = ns
		jm[n] = float64(float64(noise*co)*twoPi) * float64(dp*amp)
	}
}

// SineSawAM renders sin(2π·pa)·pc with phasors at amp (a frequency) and
// carrier. jac[0] is ∂/∂carrier, jac[1] is ∂/∂amp.
func SineSawAM(sr, carrier, amp float64, out []float64, jac [][]float64) {
	c := 1.0 / sr
	incA := float64(c * amp)
	incC := float64(c * carrier)
	var pa, pc float64
	if jac == nil {
		for n := range out {
			pa = incA + (pa - math.Floor(pa))
			pc = incC + (pc - math.Floor(pc))
			out[n] = float64(detmath.Sin(float64(twoPi*pa)) * pc)
		}
		return
	}
	var dpa, dpc float64
	jc, ja := jac[0][:len(out)], jac[1][:len(out)]
	for n := range out {
		pa = incA + (pa - math.Floor(pa))
		pc = incC + (pc - math.Floor(pc))
		dpa += c
		dpc += c
		s, co := detmath.Sincos(float64(twoPi * pa))
		out[n] = float64(s * pc)
		jc[n] = float64(s * dpc)
		ja[n] = float64(float64(co*twoPi)*dpa) * pc
	}
}

// dual is a value with its derivative along one direction; it carries the
// filter-coefficient formulas, which depend on a single cutoff slider.
type dual struct{ v, d float64 }

func dadd(a, b dual) dual { return dual{a.v + b.v, a.d + b.d} }
func dsub(a, b dual) dual { return dual{a.v - b.v, a.d - b.d} }
func dmul(a, b dual) dual {
	return dual{float64(a.v * b.v), float64(a.d*b.v) + float64(a.v*b.d)}
}
func ddiv(a, b dual) dual {
	q := a.v / b.v
	return dual{q, float64(a.d-float64(q*b.d)) / b.v}
}
func dconst(v float64) dual { return dual{v, 0} }

// bilinearC returns c = 1/tan(w1·0.5/SR) with w1 = 2π·fc, and its
// derivative with respect to fc (the prewarping of fi.tf1s and fi.tf2s).
func bilinearC(fc, sr float64) dual {
	w1 := dual{float64(twoPi * fc), twoPi}
	arg := dual{float64(w1.v*0.5) / sr, float64(w1.d*0.5) / sr}
	t := detmath.Tan(arg.v)
	tan := dual{t, float64(1+float64(t*t)) * arg.d}
	return ddiv(dconst(1), tan)
}

// biquad holds the coefficients of fi.tf2 (direct form II):
// v[n] = x[n] − (a1·v[n−1] + a2·v[n−2]), y[n] = b0·v[n] + b1·v[n−1] + b2·v[n−2].
type biquad struct{ b0, b1, b2, a1, a2 dual }

// tf2s maps H(s) = (b2·s² + b1·s + b0)/(s² + a1·s + a0) to a biquad as
// fi.tf2s does.
func tf2s(b2, b1, b0, a1, a0 float64, c dual) biquad {
	csq := dmul(c, c)
	d := dadd(dadd(dconst(a0), dmul(dconst(a1), c)), csq)
	B0, B1, B2, A1, A0 := dconst(b0), dconst(b1), dconst(b2), dconst(a1), dconst(a0)
	two := dconst(2)
	return biquad{
		b0: ddiv(dadd(dadd(B0, dmul(B1, c)), dmul(B2, csq)), d),
		b1: ddiv(dmul(two, dsub(B0, dmul(B2, csq))), d),
		b2: ddiv(dadd(dsub(B0, dmul(B1, c)), dmul(B2, csq)), d),
		a1: ddiv(dmul(two, dsub(A0, csq)), d),
		a2: ddiv(dadd(dsub(A0, dmul(A1, c)), csq), d),
	}
}

// butterA1 is the a1s of biquad section s (1-based) of an order-N
// Butterworth cascade, exactly as fi.lowpass0_highpass1 writes it.
func butterA1(N, s int) float64 {
	parity := N % 2
	return -2 * detmath.Cos(-math.Pi+float64(1-parity)*math.Pi/float64(2*N)+float64(s-1+parity)*math.Pi/float64(N))
}

// BPNoise renders no.noise : fi.lowpass(3, lp_cut) : fi.highpass(10, hp_cut).
// jac[0] is ∂/∂lp_cut, jac[1] is ∂/∂hp_cut.
func BPNoise(sr, lpCut, hpCut float64, out []float64, jac [][]float64) {
	// Lowpass: first-order section tf1s(0,1,1,w1), then one biquad.
	cl := bilinearC(lpCut, sr)
	d1 := dadd(dconst(1), cl)
	lb0 := ddiv(dconst(1), d1) // b0d = b1d = 1/d
	la1 := ddiv(dsub(dconst(1), cl), d1)
	lq := tf2s(0, 0, 1, butterA1(3, 1), 1, cl)
	// Highpass: five biquads, sections 1..5 in order.
	ch := bilinearC(hpCut, sr)
	var hq [5]biquad
	for s := range hq {
		hq[s] = tf2s(1, 0, 0, butterA1(10, s+1), 1, ch)
	}

	var r int32
	var x1, y1 float64   // first-order section: x[n-1], y[n-1]
	var lv1, lv2 float64 // lowpass biquad state v[n-1], v[n-2]
	var hv1, hv2 [5]float64
	if jac == nil {
		for n := range out {
			r = 1103515245*r + 12345
			x := float64(r) * invRand
			y := float64(float64(lb0.v*x)+float64(lb0.v*x1)) - float64(la1.v*y1)
			x1, y1 = x, y
			v := y - float64(float64(lq.a1.v*lv1)+float64(lq.a2.v*lv2))
			z := float64(float64(lq.b0.v*v)+float64(lq.b1.v*lv1)) + float64(lq.b2.v*lv2)
			lv2, lv1 = lv1, v
			for s := range hq {
				q := &hq[s]
				v := z - float64(float64(q.a1.v*hv1[s])+float64(q.a2.v*hv2[s]))
				z = float64(float64(q.b0.v*v)+float64(q.b1.v*hv1[s])) + float64(q.b2.v*hv2[s])
				hv2[s], hv1[s] = hv1[s], v
			}
			out[n] = z
		}
		return
	}
	// Tangents: "L" along lp_cut, "H" along hp_cut. The lowpass does not
	// depend on hp_cut, and the highpass coefficients do not depend on lp_cut.
	var ty1L float64
	var lv1L, lv2L float64
	var hv1L, hv2L, hv1H, hv2H [5]float64
	jl, jh := jac[0][:len(out)], jac[1][:len(out)]
	for n := range out {
		r = 1103515245*r + 12345
		x := float64(r) * invRand
		xs := float64(lb0.v*x) + float64(lb0.v*x1)
		y := xs - float64(la1.v*y1)
		yL := float64(float64(lb0.d*x)+float64(lb0.d*x1)) - float64(float64(la1.d*y1)+float64(la1.v*ty1L))
		x1, y1, ty1L = x, y, yL

		v := y - float64(float64(lq.a1.v*lv1)+float64(lq.a2.v*lv2))
		vL := yL - (float64(lq.a1.d*lv1) + float64(lq.a1.v*lv1L) + float64(lq.a2.d*lv2) + float64(lq.a2.v*lv2L))
		z := float64(float64(lq.b0.v*v)+float64(lq.b1.v*lv1)) + float64(lq.b2.v*lv2)
		zL := float64(lq.b0.d*v) + float64(lq.b0.v*vL) + float64(lq.b1.d*lv1) + float64(lq.b1.v*lv1L) +
			float64(lq.b2.d*lv2) + float64(lq.b2.v*lv2L)
		lv2, lv1 = lv1, v
		lv2L, lv1L = lv1L, vL
		zH := 0.0
		for s := range hq {
			q := &hq[s]
			v := z - float64(float64(q.a1.v*hv1[s])+float64(q.a2.v*hv2[s]))
			vL := zL - (float64(q.a1.v*hv1L[s]) + float64(q.a2.v*hv2L[s]))
			vH := zH - (float64(q.a1.d*hv1[s]) + float64(q.a1.v*hv1H[s]) + float64(q.a2.d*hv2[s]) + float64(q.a2.v*hv2H[s]))
			nz := float64(float64(q.b0.v*v)+float64(q.b1.v*hv1[s])) + float64(q.b2.v*hv2[s])
			zL = float64(q.b0.v*vL) + float64(q.b1.v*hv1L[s]) + float64(q.b2.v*hv2L[s])
			zH = float64(q.b0.d*v) + float64(q.b0.v*vH) + float64(q.b1.d*hv1[s]) + float64(q.b1.v*hv1H[s]) +
				float64(q.b2.d*hv2[s]) + float64(q.b2.v*hv2H[s])
			z = nz
			hv2[s], hv1[s] = hv1[s], v
			hv2L[s], hv1L[s] = hv1L[s], vL
			hv2H[s], hv1H[s] = hv1H[s], vH
		}
		out[n] = z
		jl[n] = zL
		jh[n] = zH
	}
}
