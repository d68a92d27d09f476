package synth

import (
	"math"

	"github.com/soundmatch/soundmatch/faust"
)

// This file builds signal graphs by hand, transcribing the Faust library
// definitions (faust 2.54 filters.lib, noises.lib, maths.lib) block by
// block. They test the compiler independently of the Faust front end.

func real(v float64) *faust.Sig { return &faust.Sig{Op: faust.OpConst, Type: faust.Real, Val: v} }
func integer(v int) *faust.Sig {
	return &faust.Sig{Op: faust.OpConst, Type: faust.Int, Val: float64(v)}
}

func bin(op faust.Op, a, b *faust.Sig) *faust.Sig {
	t := faust.Real
	if a.Type == faust.Int && b.Type == faust.Int && op != faust.OpDiv {
		t = faust.Int
	}
	if op >= faust.OpLT && op <= faust.OpShr {
		t = faust.Int
	}
	return &faust.Sig{Op: op, Type: t, Args: []*faust.Sig{a, b}}
}

func un(op faust.Op, a *faust.Sig) *faust.Sig {
	return &faust.Sig{Op: op, Type: faust.Real, Args: []*faust.Sig{a}}
}

func add(a, b *faust.Sig) *faust.Sig { return bin(faust.OpAdd, a, b) }
func sub(a, b *faust.Sig) *faust.Sig { return bin(faust.OpSub, a, b) }
func mul(a, b *faust.Sig) *faust.Sig { return bin(faust.OpMul, a, b) }
func div(a, b *faust.Sig) *faust.Sig { return bin(faust.OpDiv, a, b) }

func delay(x *faust.Sig, n int) *faust.Sig {
	return &faust.Sig{Op: faust.OpDelay, Type: x.Type, Args: []*faust.Sig{x, integer(n)}}
}

// recursion builds A ~ B for a one-output group: body receives the
// delayed output and returns the output at time n.
func recursion(t faust.Type, body func(prev *faust.Sig) *faust.Sig) *faust.Sig {
	r := &faust.Rec{Defs: make([]*faust.Sig, 1)}
	prev := &faust.Sig{Op: faust.OpRecRef, Type: t, Rec: r, Index: 0}
	r.Defs[0] = body(prev)
	return r.Defs[0]
}

type graphBuilder struct{ g *faust.Graph }

func newGraph(sr float64) *graphBuilder {
	return &graphBuilder{&faust.Graph{SampleRate: sr}}
}

func (b *graphBuilder) slider(label string, init, min, max, step float64) *faust.Sig {
	b.g.Controls = append(b.g.Controls, faust.Control{Label: label, Init: init, Min: min, Max: max, Step: step, Kind: "hslider"})
	return &faust.Sig{Op: faust.OpControl, Type: faust.Real, Param: len(b.g.Controls) - 1}
}

func (b *graphBuilder) sr() *faust.Sig {
	// pl.SR = min(192000.0, max(1.0, fconstant(int fSamplingFreq)))
	return bin(faust.OpMin, real(192000), bin(faust.OpMax, real(1), integer(int(b.g.SampleRate))))
}

func (b *graphBuilder) process(out *faust.Sig) *faust.Graph {
	b.g.Outputs = []*faust.Sig{out}
	return b.g
}

const pi = 3.14159265358979323846

func frac(x *faust.Sig) *faust.Sig { return sub(x, un(faust.OpFloor, x)) }

// phasor is +(f/ma.SR) ~ ma.frac.
func (b *graphBuilder) phasor(f *faust.Sig) *faust.Sig {
	return recursion(faust.Real, func(prev *faust.Sig) *faust.Sig {
		return add(frac(prev), div(f, b.sr()))
	})
}

func (b *graphBuilder) sineOsc(f *faust.Sig) *faust.Sig {
	return un(faust.OpSin, mul(b.phasor(f), mul(integer(2), real(pi))))
}

// noise is no.noise: (+(12345) ~ *(1103515245)) / RANDMAX.
func noise() *faust.Sig {
	random := recursion(faust.Int, func(prev *faust.Sig) *faust.Sig {
		return add(mul(prev, integer(1103515245)), integer(12345))
	})
	return div(random, real(2147483647.0))
}

// fir is fi.fir((b0,b1,...)): x*b0 + x@1*b1 + ...
func fir(x *faust.Sig, bs ...*faust.Sig) *faust.Sig {
	s := mul(x, bs[0])
	for i := 1; i < len(bs); i++ {
		s = add(s, mul(delay(x, i), bs[i]))
	}
	return s
}

// tf2 is fi.tf2 = iir((b0,b1,b2),(a1,a2)) = ma.sub ~ fir(av) : fir(bv).
func tf2(x, b0, b1, b2, a1, a2 *faust.Sig) *faust.Sig {
	v := recursion(faust.Real, func(prev *faust.Sig) *faust.Sig {
		return sub(x, fir(prev, a1, a2)) // ma.sub(fb, x) = x − fb
	})
	return fir(v, b0, b1, b2)
}

// tf1 is fi.tf1 = _ <: *(b0), (mem : *(b1)) :> + ~ *(0-a1).
func tf1(x, b0, b1, a1 *faust.Sig) *faust.Sig {
	return recursion(faust.Real, func(prev *faust.Sig) *faust.Sig {
		return add(mul(prev, sub(integer(0), a1)), add(mul(x, b0), mul(delay(x, 1), b1)))
	})
}

func (b *graphBuilder) bilinearC(w1 *faust.Sig) *faust.Sig {
	return div(integer(1), un(faust.OpTan, div(mul(w1, real(0.5)), b.sr())))
}

func (b *graphBuilder) tf2s(x, b2, b1, b0, a1, a0, w1 *faust.Sig) *faust.Sig {
	c := b.bilinearC(w1)
	csq := mul(c, c)
	d := add(add(a0, mul(a1, c)), csq)
	b0d := div(add(add(b0, mul(b1, c)), mul(b2, csq)), d)
	b1d := div(mul(integer(2), sub(b0, mul(b2, csq))), d)
	b2d := div(add(sub(b0, mul(b1, c)), mul(b2, csq)), d)
	a1d := div(mul(integer(2), sub(a0, csq)), d)
	a2d := div(add(sub(a0, mul(a1, c)), csq), d)
	return tf2(x, b0d, b1d, b2d, a1d, a2d)
}

func (b *graphBuilder) tf1s(x, b1, b0, a0, w1 *faust.Sig) *faust.Sig {
	c := b.bilinearC(w1)
	d := add(a0, c)
	b1d := div(sub(b0, mul(b1, c)), d)
	b0d := div(add(b0, mul(b1, c)), d)
	a1d := div(sub(a0, c), d)
	return tf1(x, b0d, b1d, a1d)
}

// lowpassHighpass is fi.lowpass0_highpass1(s, N, fc).
func (b *graphBuilder) lowpassHighpass(x *faust.Sig, s, N int, fc *faust.Sig) *faust.Sig {
	w1 := mul(mul(integer(2), real(pi)), fc)
	var lphpr func(x *faust.Sig, O int) *faust.Sig
	lphpr = func(x *faust.Sig, O int) *faust.Sig {
		switch O {
		case 0:
			return x
		case 1:
			return b.tf1s(x, integer(s), integer(1-s), integer(1), w1)
		}
		y := lphpr(x, O-2)
		parity := N % 2
		S := (O - parity) / 2
		a1s := -2 * math.Cos(-pi+float64(1-parity)*pi/float64(2*N)+float64(S-1+parity)*pi/float64(N))
		return b.tf2s(y, integer(s), integer(0), integer(1-s), real(a1s), integer(1), w1)
	}
	return lphpr(x, N)
}

func builtinGraph(name string, sr float64) *faust.Graph {
	b := newGraph(sr)
	switch name {
	case "bp-noise":
		lp := b.slider("lp_cut", 900, 50, 1000, 1)
		hp := b.slider("hp_cut", 100, 1, 120, 1)
		return b.process(b.lowpassHighpass(b.lowpassHighpass(noise(), 0, 3, lp), 1, 10, hp))
	case "add-sinesaw":
		saw := b.slider("saw_freq", 800, 20, 1000, 1)
		sine := b.slider("sine_freq", 300, 20, 1000, 1)
		return b.process(add(b.sineOsc(sine), b.phasor(saw)))
	case "noise-am":
		amp := b.slider("amp", 0.5, 0, 5, 0.01)
		mod := b.slider("modulator", 0.5, 0, 4, 0.01)
		return b.process(mul(mul(noise(), b.sineOsc(mod)), amp))
	case "sinesaw-am":
		car := b.slider("carrier", 100, 20, 1000, 1)
		amp := b.slider("amp", 6, 1, 20, 1)
		return b.process(mul(b.sineOsc(amp), b.phasor(car)))
	}
	panic(name)
}
