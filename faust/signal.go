package faust

// This file defines the signal graph: what a Faust program means once its
// block diagram has been evaluated. Each output of `process` is an
// expression of time built from these nodes (Faust's own "signals"
// normal form). The synth package compiles a Graph into a sample loop with
// forward-mode tangents; nothing here knows about rendering.

// Type is the numeric type of a signal, as Faust types it: Int signals are
// 32-bit two's-complement integers that wrap on overflow; Real signals are
// float64 (faust -double).
type Type uint8

const (
	Real Type = iota
	Int
)

// Op is the operation of a signal node.
type Op uint8

const (
	OpConst   Op = iota // Val (an Int constant holds an exact integer)
	OpControl           // slider value: Param indexes Graph.Params (Real)
	OpInput             // Param indexes the program's audio inputs (unused for process: 0 inputs)

	// Binary arithmetic, Args[0] op Args[1]. Int op Int stays Int (wrapping)
	// except OpDiv, which is always a Real division (Faust: 3/2 = 1.5).
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod // Int % Int is integer remainder (C semantics); Real is fmod
	OpPow

	// Comparisons: Int 0 or 1.
	OpLT
	OpLE
	OpGT
	OpGE
	OpEQ
	OpNE

	// Bitwise and logic on Int.
	OpAnd
	OpOr
	OpXor
	OpShl
	OpShr

	// Unary math (Args[0]), Real result.
	OpSin
	OpCos
	OpTan
	OpAsin
	OpAcos
	OpAtan
	OpExp
	OpLog
	OpLog10
	OpSqrt
	OpAbs // keeps the argument's type
	OpFloor
	OpCeil
	OpRint

	// Binary math.
	OpAtan2
	OpFmod
	OpMin // keeps Int when both are Int
	OpMax

	OpSelect2   // Args[0] selector (0 → Args[1], nonzero → Args[2])
	OpIntCast   // truncation toward zero, as C's (int)
	OpFloatCast // Int → Real

	// OpDelay is Args[0] delayed by Args[1] samples (Faust @; mem is @(1)),
	// zero before the start. Args[1] is usually constant after folding.
	OpDelay

	// OpRecRef is output Index of recursion group Rec, delayed by one
	// sample (Faust's ~ puts the one-sample delay on the feedback path).
	OpRecRef
)

// Sig is one node of the signal graph. Nodes are immutable once built and
// may be shared (the graph is a DAG, with cycles only through OpRecRef).
type Sig struct {
	Op    Op
	Type  Type
	Val   float64 // OpConst
	Param int     // OpControl, OpInput
	Args  []*Sig
	Rec   *Rec // OpRecRef
	Index int  // OpRecRef
}

// Rec is a recursion group created by A ~ B: Defs[i] is the value of the
// group's output i at time n; it may refer (through OpRecRef, delayed) to
// outputs of this group or of enclosing groups.
type Rec struct {
	Defs []*Sig
}

// Control is a slider of the program: hslider/vslider/nentry(label, init,
// min, max, step). Buttons and checkboxes are folded to constant 0.
type Control struct {
	Label                string
	Init, Min, Max, Step float64
	Kind                 string // "hslider", "vslider" or "nentry"
}

// Graph is a compiled program: its controls and its output signals.
type Graph struct {
	Controls   []Control
	Inputs     int
	Outputs    []*Sig
	SampleRate float64
}
