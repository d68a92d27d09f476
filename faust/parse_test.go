package faust

import (
	"fmt"
	"strings"
	"testing"
)

// show prints an expression fully parenthesized, to check precedence.
func show(x Expr) string {
	switch x := x.(type) {
	case *Ident:
		return x.Name
	case *Number:
		return x.Text
	case *String:
		return fmt.Sprintf("%q", x.Val)
	case *Prim:
		return strings.Trim(x.Tok.String(), "'")
	case *Binary:
		return "(" + show(x.X) + " " + strings.Trim(x.Op.String(), "'") + " " + show(x.Y) + ")"
	case *Delay1:
		return show(x.X) + "'"
	case *Apply:
		var args []string
		for _, a := range x.Args {
			args = append(args, show(a))
		}
		return show(x.Fun) + "(" + strings.Join(args, ", ") + ")"
	case *Access:
		return show(x.X) + "." + x.Name
	case *With:
		var defs []string
		for _, d := range x.Defs {
			defs = append(defs, d.Name+" = "+show(d.Body))
		}
		return "(" + show(x.X) + " with {" + strings.Join(defs, "; ") + "})"
	case *Lambda:
		return `\(...).(` + show(x.Body) + ")"
	case *UI:
		return x.Kind.String() + "(" + x.Label + ")"
	}
	return fmt.Sprintf("%T", x)
}

func TestPrecedence(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"+(f/ma.SR) ~ ma.frac : *(2*ma.PI) : sin", "((+((f / ma.SR)) ~ ma.frac) : (*((2 * ma.PI)) : sin))"},
		{"a*b : c", "((a * b) : c)"},
		{"a , b : c", "((a , b) : c)"},
		{"a : b , c", "(a : (b , c))"},
		{"a <: b :> c", "(a <: (b :> c))"},
		{"a :> b <: c", "(a :> (b <: c))"},
		{"a : b <: c", "((a : b) <: c)"},
		{"a ~ b ~ c", "((a ~ b) ~ c)"},
		{"a , b ~ c", "(a , (b ~ c))"},
		{"a - b - c", "((a - b) - c)"},
		{"a + b * c ^ d @ e'", "(a + (b * (c ^ (d @ e'))))"},
		{"a < b + c", "(a < (b + c))"},
		{"a | b & c", "(a | (b & c))"},
		{"a xor b << c", "((a xor b) << c)"},
		{"a ~ b < c", "(a ~ (b < c))"},
		{"x with { y = 1; } : z", "((x with {y = 1}) : z)"},
		{"a : b with { b = _; }", "((a : b) with {b = _})"},
		{"f(a, b : c)(d).e'", "f(a, (b : c))(d).e'"},
		{"-1 + -x", "(-1 + (0 - x))"},
		{"-(1)", "-(1)"},
		{"x : - : +", "(x : (- : +))"},
		{"(ma.PI)*-1", "(ma.PI * -1)"},
		{"a@b'", "(a @ b')"},
		{"x''", "x''"},
		{"1.5e3 + .5 + 2. + 3f", "(((1.5e3 + .5) + 2.) + 3)"},
		{`hslider("f", 1, 0, 2, 0.1) : _`, `('hslider'(f) : _)`},
		{`\(x).(x*x)`, `\(...).((x * x))`},
	} {
		x, err := ParseExpr(c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got := show(x); got != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.src, got, c.want)
		}
	}
}

func TestScanNumbers(t *testing.T) {
	for _, c := range []struct {
		src   string
		float bool
		val   float64
	}{
		{"42", false, 42}, {"1.", true, 1}, {".5", true, 0.5}, {"1e3", true, 1000},
		{"1.5e-3f", true, 0.0015}, {"2f", true, 2}, {"0.1", true, 0.1}, {"2147483647", false, 2147483647},
	} {
		x, err := ParseExpr(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		n, ok := x.(*Number)
		if !ok || n.Float != c.float || n.Val != c.val {
			t.Errorf("%s: got %#v", c.src, x)
		}
	}
}

func TestParseFile(t *testing.T) {
	src := `// comment
/* block
   comment */
declare name "x";
declare f author "me";
import("stdfaust.lib");
f(0) = 1;
f(n) = n;
g((a,b)) = a;
process = f(2) : g with { g = _; };
`
	f, err := Parse("x.dsp", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Imports) != 1 || f.Imports[0].Val != "stdfaust.lib" || len(f.Defs) != 4 {
		t.Fatalf("imports %v, %d defs", f.Imports, len(f.Defs))
	}
	if d := f.Defs[0]; d.Name != "f" || len(d.Params) != 1 || d.At != (Pos{7, 1}) {
		t.Errorf("first def %+v", d)
	}
}

func TestScanIdents(t *testing.T) {
	s := newScanner("x", []byte("_foo __x _1 a_b2 mem memo"))
	var got []string
	for s.tok != EOF {
		got = append(got, s.tok.String()+":"+s.lit)
		s.next()
	}
	want := "identifier:_foo '_':_ identifier:_x '_':_ integer:1 identifier:a_b2 'mem':mem identifier:memo"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}
