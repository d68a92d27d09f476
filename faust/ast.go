package faust

// The syntax tree of a Faust file, as the parser builds it. Like Faust's own
// parser, infix arithmetic is kept as written (Binary with an arithmetic
// operator) and turned into `A, B : op` only by the evaluator.

// Expr is a Faust expression (a block diagram, before evaluation).
type Expr interface {
	Pos() Pos
}

type (
	// Ident is a name: a definition, a parameter, or a library prefix.
	Ident struct {
		At   Pos
		Name string
	}

	// Number is an int or float literal (Neg for the `-1` / `-2.5` forms).
	Number struct {
		At    Pos
		Float bool
		Int   int64
		Val   float64
		Text  string
	}

	// String is a string literal, unquoted (labels, file names).
	String struct {
		At  Pos
		Val string
	}

	// Prim is a primitive used as a block: `_`, `!`, `mem`, `+`, `sin`,
	// `select2`, ... (Tok says which).
	Prim struct {
		At  Pos
		Tok Token
	}

	// Binary is `X op Y` for a composition (`:` `,` `<:` `:>` `~`) or an
	// infix operator (`+` `*` `<` `@` ...).
	Binary struct {
		OpPos Pos
		Op    Token
		X, Y  Expr
	}

	// Delay1 is `X'`.
	Delay1 struct {
		X    Expr
		Mark Pos
	}

	// Apply is `Fun(Args...)`.
	Apply struct {
		Fun    Expr
		Lparen Pos
		Args   []Expr
	}

	// Access is `X.Name` (library prefix or environment member).
	Access struct {
		X    Expr
		Dot  Pos
		Name string
	}

	// With is `X with { Defs }`.
	With struct {
		X    Expr
		At   Pos
		Defs []*Def
	}

	// Lambda is `\(Params).(Body)`.
	Lambda struct {
		At     Pos
		Params []*Ident
		Body   Expr
	}

	// Case is `case { (p, q) => e; ... }`.
	Case struct {
		At    Pos
		Rules []*Rule
	}

	// Environment is `environment { Defs }`.
	Environment struct {
		At   Pos
		Defs []*Def
	}

	// Library is `library("file.lib")` (or component("file.dsp")).
	Library struct {
		At        Pos
		Component bool
		File      string
	}

	// UI is a user-interface primitive: hslider/vslider/nentry(label, init,
	// min, max, step), button/checkbox(label), h/v/tgroup(label, expr),
	// h/vbargraph(label, min, max).
	UI struct {
		At    Pos
		Kind  Token
		Label string
		Args  []Expr
	}

	// Iter is par/seq/sum/prod(Var, N, Body).
	Iter struct {
		At   Pos
		Kind Token
		Var  *Ident
		N    Expr
		Body Expr
	}

	// FConst is fconstant(int|float Name, <header>): a constant of the
	// host. Only fSamplingFreq (the sample rate) is known.
	FConst struct {
		At   Pos
		Int  bool
		Name string
	}

	// Unsupported is a construct of the Faust language that this subset
	// parses only to report it (ffunction, rdtable, waveform, ...).
	Unsupported struct {
		At   Pos
		What string
	}
)

// Rule is one rule of a pattern-matching definition or of a case.
type Rule struct {
	Pats []Expr // nil for a definition without parameters
	Body Expr
}

// Def is `Name = Body;` or `Name(Params) = Body;`. Params are patterns:
// identifiers, numbers, or tuples `(a, b)`.
type Def struct {
	At     Pos
	Name   string
	Params []Expr // nil when the definition has no parameter list
	Body   Expr
}

// File is a parsed Faust source file.
type File struct {
	Name    string
	Imports []*String
	Defs    []*Def
}

// Pos returns where the node starts (for a Binary, its operator), for
// error messages.
func (x *Ident) Pos() Pos       { return x.At }
func (x *Number) Pos() Pos      { return x.At }
func (x *String) Pos() Pos      { return x.At }
func (x *Prim) Pos() Pos        { return x.At }
func (x *Binary) Pos() Pos      { return x.OpPos }
func (x *Delay1) Pos() Pos      { return x.Mark }
func (x *Apply) Pos() Pos       { return x.Fun.Pos() }
func (x *Access) Pos() Pos      { return x.X.Pos() }
func (x *With) Pos() Pos        { return x.At }
func (x *Lambda) Pos() Pos      { return x.At }
func (x *Case) Pos() Pos        { return x.At }
func (x *Environment) Pos() Pos { return x.At }
func (x *Library) Pos() Pos     { return x.At }
func (x *UI) Pos() Pos          { return x.At }
func (x *Iter) Pos() Pos        { return x.At }
func (x *Unsupported) Pos() Pos { return x.At }
func (x *FConst) Pos() Pos      { return x.At }
