package faust

import (
	"fmt"
	"strings"
)

// Pos is a position in a source file: 1-based line and column (columns
// count bytes).
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Token is the kind of a lexical token.
type Token uint8

const (
	ILLEGAL Token = iota
	EOF
	IDENT
	INT
	FLOAT
	STRING

	// Punctuation and operators.
	SEQ    // :
	PAR    // ,
	SPLIT  // <:
	MERGE  // :> (also +>)
	REC    // ~
	ADD    // +
	SUB    // -
	MUL    // *
	DIV    // /
	MOD    // %
	POW    // ^
	DELAY  // @
	DELAY1 // '
	AND    // &
	OR     // |
	LSH    // <<
	RSH    // >>
	LT     // <
	LE     // <=
	GT     // >
	GE     // >=
	EQ     // ==
	NE     // !=
	WIRE   // _
	CUT    // !
	SEMI   // ;
	DEF    // =
	LPAREN // (
	RPAREN // )
	LBRACE // {
	RBRACE // }
	LBRACK // [
	RBRACK // ]
	LAMBDA // \
	DOT    // .
	ARROW  // =>

	keywordStart
	// Keywords. Faust reserves the names of its primitives, so they are
	// tokens, not identifiers: `sin = 1;` is a syntax error.
	WITH
	XOR
	MEM
	PREFIX
	INTCAST
	FLOATCAST
	RDTABLE
	RWTABLE
	SELECT2
	SELECT3
	FFUNCTION
	FCONSTANT
	FVARIABLE
	BUTTON
	CHECKBOX
	VSLIDER
	HSLIDER
	NENTRY
	VGROUP
	HGROUP
	TGROUP
	VBARGRAPH
	HBARGRAPH
	ATTACH
	ACOS
	ASIN
	ATAN
	ATAN2
	COS
	SIN
	TAN
	EXP
	LOG
	LOG10
	POWFUN
	SQRT
	ABS
	MIN
	MAX
	FMOD
	REMAINDER
	FLOOR
	CEIL
	RINT
	ISEQ
	IPAR
	ISUM
	IPROD
	INPUTS
	OUTPUTS
	IMPORT
	COMPONENT
	LIBRARY
	ENVIRONMENT
	WAVEFORM
	DECLARE
	CASE
	keywordEnd
)

var tokenNames = [...]string{
	ILLEGAL: "illegal character",
	EOF:     "end of file",
	IDENT:   "identifier",
	INT:     "integer",
	FLOAT:   "number",
	STRING:  "string",
	SEQ:     "':'",
	PAR:     "','",
	SPLIT:   "'<:'",
	MERGE:   "':>'",
	REC:     "'~'",
	ADD:     "'+'",
	SUB:     "'-'",
	MUL:     "'*'",
	DIV:     "'/'",
	MOD:     "'%'",
	POW:     "'^'",
	DELAY:   "'@'",
	DELAY1:  `"'"`,
	AND:     "'&'",
	OR:      "'|'",
	LSH:     "'<<'",
	RSH:     "'>>'",
	LT:      "'<'",
	LE:      "'<='",
	GT:      "'>'",
	GE:      "'>='",
	EQ:      "'=='",
	NE:      "'!='",
	WIRE:    "'_'",
	CUT:     "'!'",
	SEMI:    "';'",
	DEF:     "'='",
	LPAREN:  "'('",
	RPAREN:  "')'",
	LBRACE:  "'{'",
	RBRACE:  "'}'",
	LBRACK:  "'['",
	RBRACK:  "']'",
	LAMBDA:  `'\'`,
	DOT:     "'.'",
	ARROW:   "'=>'",
}

var keywords = map[string]Token{
	"with": WITH, "xor": XOR, "mem": MEM, "prefix": PREFIX, "int": INTCAST,
	"float": FLOATCAST, "rdtable": RDTABLE, "rwtable": RWTABLE,
	"select2": SELECT2, "select3": SELECT3, "ffunction": FFUNCTION,
	"fconstant": FCONSTANT, "fvariable": FVARIABLE, "button": BUTTON,
	"checkbox": CHECKBOX, "vslider": VSLIDER, "hslider": HSLIDER,
	"nentry": NENTRY, "vgroup": VGROUP, "hgroup": HGROUP, "tgroup": TGROUP,
	"vbargraph": VBARGRAPH, "hbargraph": HBARGRAPH, "attach": ATTACH,
	"acos": ACOS, "asin": ASIN, "atan": ATAN, "atan2": ATAN2, "cos": COS,
	"sin": SIN, "tan": TAN, "exp": EXP, "log": LOG, "log10": LOG10,
	"pow": POWFUN, "sqrt": SQRT, "abs": ABS, "min": MIN, "max": MAX,
	"fmod": FMOD, "remainder": REMAINDER, "floor": FLOOR, "ceil": CEIL,
	"rint": RINT, "seq": ISEQ, "par": IPAR, "sum": ISUM, "prod": IPROD,
	"inputs": INPUTS, "outputs": OUTPUTS, "import": IMPORT,
	"component": COMPONENT, "library": LIBRARY, "environment": ENVIRONMENT,
	"waveform": WAVEFORM, "declare": DECLARE, "case": CASE,
}

var keywordNames = func() map[Token]string {
	m := make(map[Token]string, len(keywords))
	for k, t := range keywords {
		m[t] = k
	}
	return m
}()

func (t Token) String() string {
	if t > keywordStart && t < keywordEnd {
		return "'" + keywordNames[t] + "'"
	}
	if int(t) < len(tokenNames) && tokenNames[t] != "" {
		return tokenNames[t]
	}
	return fmt.Sprintf("token(%d)", int(t))
}

// IsKeyword reports whether t is a reserved word.
func (t Token) IsKeyword() bool { return t > keywordStart && t < keywordEnd }

// Error is a compile error at a position of a file.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// A scanner turns Faust source into tokens. It follows Faust's lexer
// (faustlexer.l): numbers without a sign, `//` and `/* */` comments,
// primitive names as keywords.
type scanner struct {
	file string
	src  []byte
	off  int
	line int
	col  int

	// The current token.
	tok  Token
	pos  Pos
	lit  string // identifier name, number text, string contents (unquoted)
	err  *Error // first error
	prev Pos    // end position of the previous token, for messages at end of line
}

func newScanner(file string, src []byte) *scanner {
	s := &scanner{file: file, src: src, line: 1, col: 1}
	s.next()
	return s
}

func (s *scanner) errorf(p Pos, format string, args ...any) {
	if s.err == nil {
		s.err = &Error{File: s.file, Pos: p, Msg: fmt.Sprintf(format, args...)}
	}
}

func (s *scanner) peekByte(k int) byte {
	if s.off+k < len(s.src) {
		return s.src[s.off+k]
	}
	return 0
}

func (s *scanner) advance() {
	if s.off >= len(s.src) {
		return
	}
	if s.src[s.off] == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	s.off++
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// next scans the next token into s.tok, s.pos, s.lit.
func (s *scanner) next() {
	s.prev = Pos{s.line, s.col}
	s.skipSpace()
	s.pos = Pos{s.line, s.col}
	s.lit = ""
	if s.off >= len(s.src) {
		s.tok = EOF
		return
	}
	c := s.src[s.off]
	switch {
	case isDigit(c) || c == '.' && isDigit(s.peekByte(1)):
		s.scanNumber()
		return
	case isLetter(c) || c == '_' && isLetter(s.peekByte(1)):
		start := s.off
		s.advance()
		for s.off < len(s.src) && (isLetter(s.src[s.off]) || isDigit(s.src[s.off]) || s.src[s.off] == '_') {
			s.advance()
		}
		word := string(s.src[start:s.off])
		if t, ok := keywords[word]; ok {
			s.tok = t
		} else {
			s.tok = IDENT
		}
		s.lit = word
		return
	case c == '"':
		s.advance()
		start := s.off
		for s.off < len(s.src) && s.src[s.off] != '"' {
			s.advance()
		}
		if s.off >= len(s.src) {
			s.errorf(s.pos, "unterminated string")
			s.tok = ILLEGAL
			return
		}
		s.lit = string(s.src[start:s.off])
		s.advance()
		s.tok = STRING
		return
	}
	two := ""
	if s.off+1 < len(s.src) {
		two = string(s.src[s.off : s.off+2])
	}
	switch two {
	case "<:":
		s.tok = SPLIT
	case ":>", "+>":
		s.tok = MERGE
	case "<<":
		s.tok = LSH
	case ">>":
		s.tok = RSH
	case "<=":
		s.tok = LE
	case ">=":
		s.tok = GE
	case "==":
		s.tok = EQ
	case "!=":
		s.tok = NE
	case "=>":
		s.tok = ARROW
	}
	if s.tokIsTwo(two) {
		s.advance()
		s.advance()
		s.lit = two
		return
	}
	s.advance()
	s.lit = string(c)
	switch c {
	case ':':
		s.tok = SEQ
	case ',':
		s.tok = PAR
	case '~':
		s.tok = REC
	case '+':
		s.tok = ADD
	case '-':
		s.tok = SUB
	case '*':
		s.tok = MUL
	case '/':
		s.tok = DIV
	case '%':
		s.tok = MOD
	case '^':
		s.tok = POW
	case '@':
		s.tok = DELAY
	case '\'':
		s.tok = DELAY1
	case '&':
		s.tok = AND
	case '|':
		s.tok = OR
	case '<':
		s.tok = LT
	case '>':
		s.tok = GT
	case '_':
		s.tok = WIRE
	case '!':
		s.tok = CUT
	case ';':
		s.tok = SEMI
	case '=':
		s.tok = DEF
	case '(':
		s.tok = LPAREN
	case ')':
		s.tok = RPAREN
	case '{':
		s.tok = LBRACE
	case '}':
		s.tok = RBRACE
	case '[':
		s.tok = LBRACK
	case ']':
		s.tok = RBRACK
	case '\\':
		s.tok = LAMBDA
	case '.':
		s.tok = DOT
	default:
		s.tok = ILLEGAL
		if c >= 0x20 && c < 0x7f {
			s.errorf(s.pos, "unexpected character %q", rune(c))
		} else {
			s.errorf(s.pos, "unexpected byte 0x%02x", c)
		}
	}
}

// tokIsTwo reports whether the two-character operator just recognized in
// two really is the token (the switch above sets s.tok only for them).
func (s *scanner) tokIsTwo(two string) bool {
	switch two {
	case "<:", ":>", "+>", "<<", ">>", "<=", ">=", "==", "!=", "=>":
		return true
	}
	return false
}

func (s *scanner) skipSpace() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			s.advance()
		case c == '/' && s.peekByte(1) == '/':
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.advance()
			}
		case c == '/' && s.peekByte(1) == '*':
			start := Pos{s.line, s.col}
			s.advance()
			s.advance()
			for {
				if s.off >= len(s.src) {
					s.errorf(start, "unterminated comment")
					return
				}
				if s.src[s.off] == '*' && s.peekByte(1) == '/' {
					s.advance()
					s.advance()
					break
				}
				s.advance()
			}
		default:
			return
		}
	}
}

// scanNumber scans an unsigned number as Faust's lexer does: digits are an
// INT; a '.', an exponent or an 'f' suffix make it a FLOAT.
func (s *scanner) scanNumber() {
	start := s.off
	float := false
	for isDigit(s.peekByte(0)) {
		s.advance()
	}
	if s.peekByte(0) == '.' {
		float = true
		s.advance()
		for isDigit(s.peekByte(0)) {
			s.advance()
		}
	}
	if c := s.peekByte(0); c == 'e' || c == 'E' {
		k := 1
		if d := s.peekByte(1); d == '+' || d == '-' {
			k = 2
		}
		if isDigit(s.peekByte(k)) {
			float = true
			for range k {
				s.advance()
			}
			for isDigit(s.peekByte(0)) {
				s.advance()
			}
		}
	}
	text := string(s.src[start:s.off])
	if s.peekByte(0) == 'f' && !isLetter(s.peekByte(1)) && !isDigit(s.peekByte(1)) && s.peekByte(1) != '_' {
		s.advance()
		float = true
	}
	s.lit = strings.TrimSuffix(text, "f")
	if float {
		s.tok = FLOAT
	} else {
		s.tok = INT
	}
}
