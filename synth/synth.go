// Package synth turns a Faust program into a compiled Program that renders
// sound and, in the same pass, the derivative of every output sample with
// respect to every slider (forward-mode differentiation, sample by sample).
//
// Forward mode fits synthesizers: few parameters, long recursive signals, so
// carrying one tangent per parameter through the recursion costs a small
// constant factor and no tape.
package synth

// Param is one slider of a program: hslider/vslider/nentry(label, init, min, max, step).
type Param struct {
	Name                 string
	Init, Min, Max, Step float64
}
