// Package optim holds the first-order optimizers that turn a synthesizer's
// knobs: RMSProp (the method's default, exactly as optax's rmsprop with the
// settings of METHOD §3), Adam and plain SGD, all behind one small interface
// and all clipping the gradient by its global L2 norm before each update.
//
// The update rules are a few lines each, written out here so that every
// constant (where eps sits, how ν starts, when the clip applies) is the
// method's and visible, and so that a step allocates nothing.
//
// Products that feed a sum are rounded on their own, float64(a*b): arm64
// and amd64 v3 builds would otherwise fuse them into multiply-adds, and a
// descent's steps must be the same bits on every machine.
package optim

import (
	"fmt"
	"math"

	"github.com/soundmatch/soundmatch/detmath"
)

// Optimizer updates parameters in place from their gradient.
type Optimizer interface {
	// Step clips grad by global L2 norm (g ← g / max(‖g‖₂, 1)) and applies
	// one update to u in place. grad is not modified. It panics if
	// len(u) or len(grad) differs from the size the optimizer was built for.
	Step(u, grad []float64)
	// Reset forgets the accumulated state, as if freshly built.
	Reset()
}

// DefaultLR is the learning rate of every optimizer when none is given: the
// method's RMSProp rate. Adam's first steps and RMSProp's move each
// parameter by about lr·sign(g), so the same rate gives the two the same
// reach in 200 steps; SGD with a clipped gradient moves at most lr per step.
const DefaultLR = 0.045

// Names lists the optimizers New builds.
func Names() []string { return []string{"rmsprop", "adam", "sgd"} }

// New builds the named optimizer for n parameters; lr 0 means DefaultLR.
func New(name string, n int, lr float64) (Optimizer, error) {
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return nil, fmt.Errorf("learning rate %v: want a positive number (0 = default %v)", lr, DefaultLR)
	}
	if lr == 0 {
		lr = DefaultLR
	}
	switch name {
	case "rmsprop":
		return NewRMSProp(n, lr), nil
	case "adam":
		return NewAdam(n, lr), nil
	case "sgd":
		return NewSGD(n, lr), nil
	}
	return nil, fmt.Errorf("unknown optimizer %q (accepted: rmsprop, adam, sgd)", name)
}

// GlobalNorm returns ‖g‖₂.
func GlobalNorm(g []float64) float64 {
	var s float64
	for _, v := range g {
		s += float64(v * v)
	}
	return math.Sqrt(s)
}

// clipScale is the factor 1/max(‖g‖₂, 1) that clips g to global norm 1.
func clipScale(g []float64) float64 {
	return 1 / math.Max(GlobalNorm(g), 1)
}

func checkLen(who string, n int, u, grad []float64) {
	if len(u) != n || len(grad) != n {
		panic(fmt.Sprintf("optim: %s built for %d parameters, got len(u)=%d len(grad)=%d", who, n, len(u), len(grad)))
	}
}

// RMSProp is the method's optimizer (METHOD §3): not centred, no momentum,
// ν starting at 0 and eps inside the square root:
//
//	ν ← ρν + (1−ρ)g²;  u ← u − lr·g/√(ν + eps)
//
// with g clipped by global norm 1 first.
type RMSProp struct {
	LR, Decay, Eps float64
	nu             []float64
}

// NewRMSProp returns RMSProp for n parameters with the method's decay 0.9 and
// eps 1e-8.
func NewRMSProp(n int, lr float64) *RMSProp {
	return &RMSProp{LR: lr, Decay: 0.9, Eps: 1e-8, nu: make([]float64, n)}
}

// Step implements Optimizer.
func (o *RMSProp) Step(u, grad []float64) {
	checkLen("RMSProp", len(o.nu), u, grad)
	c := clipScale(grad)
	for i, g := range grad {
		g *= c
		o.nu[i] = float64(o.Decay*o.nu[i]) + float64((1-o.Decay)*g*g)
		u[i] -= o.LR * g / math.Sqrt(o.nu[i]+o.Eps)
	}
}

// Reset implements Optimizer.
func (o *RMSProp) Reset() { clear(o.nu) }

// Adam is Kingma & Ba's optimizer with bias correction and eps outside the
// square root (β₁ 0.9, β₂ 0.999, eps 1e-8), on the clipped gradient.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	m, v                  []float64
	t                     int
}

// NewAdam returns Adam for n parameters with the usual β₁, β₂ and eps.
func NewAdam(n int, lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, m: make([]float64, n), v: make([]float64, n)}
}

// Step implements Optimizer.
func (o *Adam) Step(u, grad []float64) {
	checkLen("Adam", len(o.m), u, grad)
	c := clipScale(grad)
	o.t++
	bc1 := 1 - detmath.Pow(o.Beta1, float64(o.t))
	bc2 := 1 - detmath.Pow(o.Beta2, float64(o.t))
	for i, g := range grad {
		g *= c
		o.m[i] = float64(o.Beta1*o.m[i]) + float64((1-o.Beta1)*g)
		o.v[i] = float64(o.Beta2*o.v[i]) + float64((1-o.Beta2)*g*g)
		u[i] -= o.LR * (o.m[i] / bc1) / (math.Sqrt(o.v[i]/bc2) + o.Eps)
	}
}

// Reset implements Optimizer.
func (o *Adam) Reset() { clear(o.m); clear(o.v); o.t = 0 }

// SGD is plain gradient descent on the clipped gradient: u ← u − lr·g.
type SGD struct {
	LR float64
	n  int
}

// NewSGD returns SGD for n parameters.
func NewSGD(n int, lr float64) *SGD { return &SGD{LR: lr, n: n} }

// Step implements Optimizer.
func (o *SGD) Step(u, grad []float64) {
	checkLen("SGD", o.n, u, grad)
	c := clipScale(grad)
	for i, g := range grad {
		u[i] -= float64(o.LR * g * c)
	}
}

// Reset implements Optimizer; SGD has no state.
func (o *SGD) Reset() {}
