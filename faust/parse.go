package faust

import (
	"fmt"
	"math"
	"strconv"
)

// Parse parses a Faust source file. The grammar is in grammar.txt; it is
// Faust's own (faustparser.y of Faust 2.54), restricted to the constructs
// listed there. The first error stops parsing; it is returned as *Error.
func Parse(filename string, src []byte) (*File, error) {
	p := &parser{s: newScanner(filename, src)}
	f := p.parseFile()
	if p.s.err != nil {
		return nil, p.s.err
	}
	f.Name = filename
	return f, nil
}

// ParseExpr parses a single expression (for tests and tools).
func ParseExpr(src string) (Expr, error) {
	p := &parser{s: newScanner("<expr>", []byte(src))}
	x := p.parseExpr()
	if p.s.err == nil && p.s.tok != EOF {
		p.unexpected("end of expression")
	}
	if p.s.err != nil {
		return nil, p.s.err
	}
	return x, nil
}

// maxNesting bounds the depth of nested expressions, so that hostile input
// cannot exhaust the stack of the recursive-descent parser.
const maxNesting = 10000

type parser struct {
	s     *scanner
	depth int
}

func (p *parser) tok() Token { return p.s.tok }
func (p *parser) next()      { p.s.next() }

// fail records the first error and jumps the scanner to the end, so every
// loop of the parser terminates.
func (p *parser) fail(at Pos, format string, args ...any) {
	p.s.errorf(at, format, args...)
	p.s.off = len(p.s.src)
	p.s.tok = EOF
}

func (p *parser) failed() bool { return p.s.err != nil }

// describe names the current token for an error message.
func (p *parser) describe() string {
	switch p.s.tok {
	case IDENT:
		return fmt.Sprintf("identifier %s", p.s.lit)
	case INT, FLOAT:
		return fmt.Sprintf("number %s", p.s.lit)
	case STRING:
		return fmt.Sprintf("string %q", p.s.lit)
	}
	return p.s.tok.String()
}

func (p *parser) unexpected(want string) {
	if p.failed() {
		// Already reported (perhaps by the scanner): just stop.
		p.fail(p.s.pos, "")
		return
	}
	p.fail(p.s.pos, "got %s, want %s", p.describe(), want)
}

func (p *parser) expect(t Token) Pos {
	at := p.s.pos
	if p.s.tok != t {
		p.unexpected(t.String())
		return at
	}
	p.next()
	return at
}

func (p *parser) parseFile() *File {
	f := &File{}
	for p.tok() != EOF && !p.failed() {
		switch p.tok() {
		case IMPORT:
			p.next()
			p.expect(LPAREN)
			at := p.s.pos
			name := p.s.lit
			p.expect(STRING)
			p.expect(RPAREN)
			p.expect(SEMI)
			if !p.failed() {
				f.Imports = append(f.Imports, &String{At: at, Val: name})
			}
		case DECLARE:
			// declare name "value"; or declare fn key "value";
			p.next()
			p.expect(IDENT)
			if p.tok() == IDENT {
				p.next()
			}
			p.expect(STRING)
			p.expect(SEMI)
		case IDENT:
			if d := p.parseDef(); d != nil {
				f.Defs = append(f.Defs, d)
			}
		default:
			p.unexpected("definition")
		}
	}
	return f
}

// parseDef parses `name = expr;` or `name(patterns) = expr;`.
func (p *parser) parseDef() *Def {
	d := &Def{At: p.s.pos, Name: p.s.lit}
	p.expect(IDENT)
	if p.tok() == LPAREN {
		p.next()
		d.Params = p.parseArgList()
		p.expect(RPAREN)
	}
	if p.tok() != DEF {
		p.unexpected("'='")
		return nil
	}
	p.next()
	d.Body = p.parseExpr()
	if p.tok() != SEMI {
		p.unexpected("';' after the definition of " + d.Name)
		return nil
	}
	p.next()
	if p.failed() {
		return nil
	}
	return d
}

func (p *parser) parseDefs() []*Def {
	var defs []*Def
	for p.tok() != RBRACE && p.tok() != EOF && !p.failed() {
		if p.tok() != IDENT {
			p.unexpected("definition or '}'")
			return nil
		}
		if d := p.parseDef(); d != nil {
			defs = append(defs, d)
		}
	}
	return defs
}

// Operator precedence, lowest first, from faustparser.y:
//
//	with < <: :> (right) < : (right) < , (right) < ~ (left)
//	< comparisons < + - | < * / % & xor << >> < ^ < @ < ' < application, '.'
func precedence(t Token) (prec int, right bool) {
	switch t {
	case SPLIT, MERGE:
		return 1, true
	case SEQ:
		return 2, true
	case PAR:
		return 3, true
	case REC:
		return 4, false
	case LT, LE, GT, GE, EQ, NE:
		return 5, false
	case ADD, SUB, OR:
		return 6, false
	case MUL, DIV, MOD, AND, XOR, LSH, RSH:
		return 7, false
	case POW:
		return 8, false
	case DELAY:
		return 9, false
	}
	return 0, false
}

// parseExpr parses an expression, including `,` and `with`.
func (p *parser) parseExpr() Expr {
	x := p.parseBinary(1, true)
	for p.tok() == WITH && !p.failed() {
		at := p.s.pos
		p.next()
		p.expect(LBRACE)
		defs := p.parseDefs()
		p.expect(RBRACE)
		x = &With{X: x, At: at, Defs: defs}
		x = p.parseBinaryFrom(x, 1, true)
	}
	return x
}

// parseArg parses a function argument: an expression without a top-level
// `,` (which separates arguments) or `with`.
func (p *parser) parseArg() Expr { return p.parseBinary(1, false) }

func (p *parser) parseArgList() []Expr {
	args := []Expr{p.parseArg()}
	for p.tok() == PAR {
		p.next()
		args = append(args, p.parseArg())
	}
	return args
}

func (p *parser) parseBinary(minPrec int, comma bool) Expr {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		p.fail(p.s.pos, "expression nested too deeply (more than %d levels)", maxNesting)
		return &Prim{At: p.s.pos, Tok: WIRE}
	}
	return p.parseBinaryFrom(p.parsePostfix(), minPrec, comma)
}

func (p *parser) parseBinaryFrom(x Expr, minPrec int, comma bool) Expr {
	for !p.failed() {
		op := p.tok()
		prec, right := precedence(op)
		if prec == 0 || prec < minPrec || op == PAR && !comma {
			return x
		}
		at := p.s.pos
		p.next()
		var y Expr
		if right {
			y = p.parseBinary(prec, comma)
		} else {
			y = p.parseBinary(prec+1, comma)
		}
		x = &Binary{OpPos: at, Op: op, X: x, Y: y}
	}
	return x
}

// parsePostfix parses a primary followed by applications `(...)`, accesses
// `.name` and delays `'`, which bind tighter than every infix operator.
func (p *parser) parsePostfix() Expr {
	x := p.parsePrimary()
	for !p.failed() {
		switch p.tok() {
		case LPAREN:
			at := p.s.pos
			p.next()
			args := p.parseArgList()
			p.expect(RPAREN)
			x = &Apply{Fun: x, Lparen: at, Args: args}
		case DOT:
			at := p.s.pos
			p.next()
			name := p.s.lit
			if p.tok() != IDENT {
				p.unexpected("name after '.'")
				return x
			}
			p.next()
			x = &Access{X: x, Dot: at, Name: name}
		case DELAY1:
			x = &Delay1{X: x, Mark: p.s.pos}
			p.next()
		case LBRACK:
			p.fail(p.s.pos, "unsupported construct: the [ ] modification of definitions")
		default:
			return x
		}
	}
	return x
}

func (p *parser) number(neg bool) Expr {
	at := p.s.pos
	n := &Number{At: at, Text: p.s.lit}
	if neg {
		n.Text = "-" + n.Text
	}
	if p.tok() == INT {
		v, err := strconv.ParseInt(p.s.lit, 10, 64)
		if err != nil || v > math.MaxInt32+1 || v == math.MaxInt32+1 && !neg {
			p.fail(at, "integer %s does not fit in 32 bits", p.s.lit)
			return n
		}
		if neg {
			v = -v
		}
		n.Int, n.Val = v, float64(v)
	} else {
		v, err := strconv.ParseFloat(p.s.lit, 64)
		if err != nil && !math.IsInf(v, 0) {
			p.fail(at, "bad number %s", p.s.lit)
			return n
		}
		if math.IsInf(v, 0) {
			p.fail(at, "number %s is too large", p.s.lit)
			return n
		}
		if neg {
			v = -v
		}
		n.Float, n.Val = true, v
	}
	p.next()
	return n
}

func (p *parser) parsePrimary() Expr {
	at := p.s.pos
	t := p.tok()
	switch t {
	case INT, FLOAT:
		return p.number(false)
	case ADD, SUB:
		p.next()
		switch p.tok() {
		case INT, FLOAT:
			n := p.number(t == SUB)
			if nn, ok := n.(*Number); ok {
				nn.At = at
			}
			return n
		case IDENT:
			if t == SUB {
				id := &Ident{At: p.s.pos, Name: p.s.lit}
				p.next()
				return &Binary{OpPos: at, Op: SUB, X: &Number{At: at, Text: "0"}, Y: id}
			}
		}
		return &Prim{At: at, Tok: t}
	case MUL, DIV, MOD, POW, DELAY, AND, OR, XOR, LSH, RSH, LT, LE, GT, GE, EQ, NE,
		WIRE, CUT, MEM, PREFIX, INTCAST, FLOATCAST, SELECT2, SELECT3, ATTACH,
		ACOS, ASIN, ATAN, ATAN2, COS, SIN, TAN, EXP, LOG, LOG10, POWFUN, SQRT,
		ABS, MIN, MAX, FMOD, REMAINDER, FLOOR, CEIL, RINT, RDTABLE, RWTABLE:
		p.next()
		return &Prim{At: at, Tok: t}
	case IDENT:
		id := &Ident{At: at, Name: p.s.lit}
		p.next()
		return id
	case LPAREN:
		p.next()
		x := p.parseExpr()
		p.expect(RPAREN)
		return x
	case LAMBDA:
		p.next()
		p.expect(LPAREN)
		var params []*Ident
		for !p.failed() {
			if p.tok() != IDENT {
				p.unexpected("parameter name")
				break
			}
			params = append(params, &Ident{At: p.s.pos, Name: p.s.lit})
			p.next()
			if p.tok() != PAR {
				break
			}
			p.next()
		}
		p.expect(RPAREN)
		p.expect(DOT)
		p.expect(LPAREN)
		body := p.parseExpr()
		p.expect(RPAREN)
		return &Lambda{At: at, Params: params, Body: body}
	case CASE:
		p.next()
		p.expect(LBRACE)
		c := &Case{At: at}
		for !p.failed() && p.tok() != RBRACE {
			if p.tok() != LPAREN {
				p.unexpected("'(' starting a case rule")
				break
			}
			p.next()
			pats := p.parseArgList()
			p.expect(RPAREN)
			p.expect(ARROW)
			body := p.parseExpr()
			p.expect(SEMI)
			c.Rules = append(c.Rules, &Rule{Pats: pats, Body: body})
		}
		p.expect(RBRACE)
		if len(c.Rules) == 0 && !p.failed() {
			p.fail(at, "case without rules")
		}
		return c
	case ENVIRONMENT:
		p.next()
		p.expect(LBRACE)
		defs := p.parseDefs()
		p.expect(RBRACE)
		return &Environment{At: at, Defs: defs}
	case LIBRARY, COMPONENT:
		p.next()
		p.expect(LPAREN)
		name := p.s.lit
		p.expect(STRING)
		p.expect(RPAREN)
		return &Library{At: at, Component: t == COMPONENT, File: name}
	case BUTTON, CHECKBOX:
		p.next()
		p.expect(LPAREN)
		label := p.s.lit
		p.expect(STRING)
		p.expect(RPAREN)
		return &UI{At: at, Kind: t, Label: label}
	case HSLIDER, VSLIDER, NENTRY, VBARGRAPH, HBARGRAPH:
		p.next()
		p.expect(LPAREN)
		label := p.s.lit
		p.expect(STRING)
		n := 4
		if t == VBARGRAPH || t == HBARGRAPH {
			n = 2
		}
		u := &UI{At: at, Kind: t, Label: label}
		for range n {
			p.expect(PAR)
			u.Args = append(u.Args, p.parseArg())
		}
		p.expect(RPAREN)
		return u
	case VGROUP, HGROUP, TGROUP:
		p.next()
		p.expect(LPAREN)
		label := p.s.lit
		p.expect(STRING)
		p.expect(PAR)
		x := p.parseExpr()
		p.expect(RPAREN)
		return &UI{At: at, Kind: t, Label: label, Args: []Expr{x}}
	case IPAR, ISEQ, ISUM, IPROD:
		p.next()
		p.expect(LPAREN)
		v := &Ident{At: p.s.pos, Name: p.s.lit}
		p.expect(IDENT)
		p.expect(PAR)
		n := p.parseArg()
		p.expect(PAR)
		body := p.parseExpr()
		p.expect(RPAREN)
		return &Iter{At: at, Kind: t, Var: v, N: n, Body: body}
	case FCONSTANT:
		p.next()
		p.expect(LPAREN)
		c := &FConst{At: at, Int: p.tok() == INTCAST}
		if p.tok() != INTCAST && p.tok() != FLOATCAST {
			p.unexpected("'int' or 'float'")
			return c
		}
		p.next()
		c.Name = p.s.lit
		p.expect(IDENT)
		p.expect(PAR)
		if p.tok() == STRING {
			p.next()
		} else {
			// A header as <math.h>.
			p.expect(LT)
			for !p.failed() && p.tok() != GT {
				if p.tok() != IDENT && p.tok() != DOT {
					p.unexpected("header name")
				}
				p.next()
			}
			p.expect(GT)
		}
		p.expect(RPAREN)
		return c
	case FFUNCTION, FVARIABLE, WAVEFORM, INPUTS, OUTPUTS:
		// Parsed only to say clearly that they are outside the subset.
		p.next()
		open, close := LPAREN, RPAREN
		if t == WAVEFORM {
			open, close = LBRACE, RBRACE
		}
		p.skipBalanced(open, close)
		return &Unsupported{At: at, What: keywordNames[t]}
	}
	p.unexpected("expression")
	return &Prim{At: at, Tok: WIRE}
}

// skipBalanced skips a bracketed token sequence starting at open.
func (p *parser) skipBalanced(open, close Token) {
	if p.tok() != open {
		p.unexpected(open.String())
		return
	}
	depth := 0
	for !p.failed() {
		switch p.tok() {
		case open:
			depth++
		case close:
			depth--
		case EOF:
			p.unexpected(close.String())
			return
		}
		p.next()
		if depth == 0 {
			return
		}
	}
}
