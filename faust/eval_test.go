package faust

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// constOut compiles `process = expr;` and returns its single output, which
// must have folded to a constant.
func constOut(t *testing.T, expr string) *Sig {
	t.Helper()
	g := mustCompile(t, "process = "+expr+";")
	s := g.Outputs[0]
	if s.Op != OpConst {
		t.Fatalf("%s: not folded to a constant (op %d)", expr, s.Op)
	}
	return s
}

func TestFolding(t *testing.T) {
	for _, c := range []struct {
		expr string
		typ  Type
		val  float64
	}{
		{"2*ma.PI", Real, 6.283185307179586},
		{"3/2", Real, 1.5},
		{"7%3", Int, 1},
		{"-7%3", Int, -1},
		{"7.5%2", Int, 1}, // Faust folds % on constants as integers
		{"2^3", Int, 8},
		{"2^(-1)", Real, 0.5},
		{"2147483647+1", Int, -2147483648},
		{"1103515245*1103515245", Int, -1029531031},
		{"int(-2.7)", Int, -2},
		{"int(3e9)", Int, -2147483648}, // as C++ on x86-64
		{"int(-2147483648.9)", Int, -2147483648},
		{"rint(2.5)", Real, 2},
		{"floor(-0.5)", Real, -1},
		{"ma.frac(-0.25)", Real, 0.75},
		{"ma.SR", Real, 44100},
		{"1 < 2", Int, 1},
		{"min(1, 2.5)", Real, 1},
		{"max(3, 2)", Int, 3},
		{"5 & 3 | 8", Int, 9},
		{"1 << 4 >> 2", Int, 4},
		{"6 xor 3", Int, 5},
		{"select2(0, 1, 2)", Int, 1},
		{"select2(1, 1, 2.5)", Real, 2.5},
		{"-2*cos((ma.PI)*-1 + ma.PI/3)", Real, 1.0000000000000004},
		{"ba.db2linear(-20)", Real, 0.1},
		{"ba.take(3, (1, 2, 3, 4))", Int, 3},
		{"ba.count((1, 2, 3))", Int, 3},
		{"checkbox(\"c\") + button(\"b\")", Real, 0},
	} {
		s := constOut(t, c.expr)
		if s.Type != c.typ || s.Val != c.val {
			t.Errorf("%s = %v (type %d), want %v (type %d)", c.expr, s.Val, s.Type, c.val, c.typ)
		}
	}
}

// Faust computes f/SR as f*(1/SR); the wrap samples of saws depend on it.
func TestDivisionByConstantIsMultiplication(t *testing.T) {
	g := mustCompile(t, `process = hslider("f",480,20,1000,1)/ma.SR;`)
	s := g.Outputs[0]
	if s.Op != OpMul || s.Args[1].Op != OpConst || s.Args[1].Val != 1/44100.0 {
		t.Fatalf("got op %d with args %+v", s.Op, s.Args)
	}
}

func TestTypes(t *testing.T) {
	g := mustCompile(t, `import("stdfaust.lib"); process = (+(12345) ~ *(1103515245)) / 2147483647.0;`)
	out := g.Outputs[0]
	if out.Type != Real || out.Op != OpMul {
		t.Fatalf("noise: type %d op %d", out.Type, out.Op)
	}
	cast := out.Args[0]
	if cast.Op != OpFloatCast || cast.Args[0].Type != Int {
		t.Fatalf("the int recursion must be cast explicitly, got op %d", cast.Op)
	}
	// The recursion's definition is Int and refers to itself.
	def := cast.Args[0]
	if def.Op != OpAdd || def.Args[0].Op != OpMul || def.Args[0].Args[0].Op != OpRecRef || def.Args[0].Args[0].Type != Int {
		t.Fatalf("unexpected recursion shape")
	}
	y := render(t, g, nil, 3)
	want := []float64{12345 / 2147483647.0, -740551042 / 2147483647.0, -1492899873 / 2147483647.0}
	for i := range want {
		if math.Abs(y[i]-want[i]) > 1e-18 {
			t.Errorf("noise[%d] = %v, want %v", i, y[i], want[i])
		}
	}
}

func TestHandComputed(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []float64
	}{
		{"process = +(1) ~ +(5);", []float64{6, 12, 18, 24}},
		{"f(a,b) = a-2*b; process = 1 : f(3);", []float64{1, 1, 1}},
		{"process = 1 : -(4) : /(2) : min(1);", []float64{-1.5, -1.5}},
		{"process = (1 : +~_) <: _, mem, @(2) :> _;", []float64{1, 3, 6, 9}},
		{"process = 1 : +~_ : \\(x).(x*x);", []float64{1, 4, 9}},
		{"process = (1 : +~_)' ;", []float64{0, 1, 2, 3}},
		{"process = 1 : (+ : *(0.5)) ~ _;", []float64{0.5, 0.75, 0.875}},
		{"process = (1:+~_) : select2(_ > 2, 10, 20);", []float64{10, 10, 20, 20}},
		{"process = ((1:+~_) <: _,_) : atan2;", []float64{math.Atan2(1, 1), math.Atan2(2, 2)}},
		{"process = 3 : max(1) : fmod(7.5);", []float64{1.5}}, // fmod(7.5, max(1, 3))
		{"process = sum(i, 3, (i+1) * 10);", []float64{60}},
		{"process = 1 : seq(i, 3, +(i));", []float64{4}},
		{"process = prod(i, 3, i+2);", []float64{24}},
		{"g(x) = x*10; process = 2 <: par(i, 2, g) :> _;", []float64{40}},
	} {
		g := mustCompile(t, c.src)
		y := render(t, g, nil, len(c.want))
		for i := range c.want {
			if math.Abs(y[i]-c.want[i]) > 1e-12 {
				t.Errorf("%s: y = %v, want %v", c.src, y, c.want)
				break
			}
		}
	}
}

func TestControls(t *testing.T) {
	g := mustCompile(t, `
b = hslider("zz", 1, 0, 2, 1);
a = vslider("aa[unit:Hz]", 0.5, 0, 1, 0.01);
unused = nentry("nn", 1, 0, 2, 1);
process = a * b + b + hslider("mm", 3, 0, 4, 1) * (hslider("cut", 1, 0, 1, 1) : !, 1);`)
	want := []Control{
		{Label: "zz", Init: 1, Min: 0, Max: 2, Step: 1, Kind: "hslider"},
		{Label: "aa", Init: 0.5, Min: 0, Max: 1, Step: 0.01, Kind: "vslider"},
		{Label: "mm", Init: 3, Min: 0, Max: 4, Step: 1, Kind: "hslider"},
	}
	if len(g.Controls) != len(want) {
		t.Fatalf("controls %+v", g.Controls)
	}
	for i := range want {
		if g.Controls[i] != want[i] {
			t.Errorf("control %d = %+v, want %+v", i, g.Controls[i], want[i])
		}
	}
	y := render(t, g, []float64{2, 0.25, 4}, 1)
	if y[0] != 0.25*2+2+4 {
		t.Errorf("y = %v", y[0])
	}
}

func TestSharing(t *testing.T) {
	// Identical expressions give the same node: the engine computes them once.
	g := mustCompile(t, `import("stdfaust.lib"); process = no.noise * no.noise + sin(hslider("x",1,0,2,1)) * sin(hslider("x",1,0,2,1));`)
	s := g.Outputs[0]
	if s.Args[0].Args[0] != s.Args[0].Args[1] || s.Args[1].Args[0] != s.Args[1].Args[1] {
		t.Fatal("identical subexpressions are not shared")
	}
}

func TestSampleRate(t *testing.T) {
	g, err := Compile("x.dsp", []byte("process = ma.SR + ma.T;"), 48000)
	if err != nil {
		t.Fatal(err)
	}
	if s := g.Outputs[0]; s.Op != OpConst || s.Val != 48000+1.0/48000 {
		t.Fatalf("got %+v", s)
	}
	g, err = Compile("x.dsp", []byte("process = ma.SR;"), 500000)
	if err != nil || g.Outputs[0].Val != 192000 {
		t.Fatalf("ma.SR is capped at 192000 as in platform.lib: %v %v", g, err)
	}
}

func TestLongList(t *testing.T) {
	var b strings.Builder
	b.WriteString("process = (")
	for i := range 3000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(i % 7))
	}
	b.WriteString(") :> _;")
	g := mustCompile(t, b.String())
	if s := g.Outputs[0]; s.Op != OpConst || s.Val != 8994 {
		t.Fatalf("got %+v", s)
	}
}

// Compile is safe for concurrent use (run with -race to check).
func TestConcurrentCompile(t *testing.T) {
	src := []byte(`import("stdfaust.lib"); process = no.noise : fi.lowpass(3, hslider("f", 500, 50, 1000, 1)) : *(ba.db2linear(-3));`)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := Compile("c.dsp", src, 44100)
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestImports(t *testing.T) {
	g := mustCompile(t, `import("stdfaust.lib"); import("stdfaust.lib"); import("maths.lib");
PI = 3; // the file's own definitions win over imported ones
process = frac(2.25) + PI + ma.PI;`)
	if s := g.Outputs[0]; s.Op != OpConst || s.Val != 0.25+3+math.Pi {
		t.Fatalf("got %+v", s)
	}
	if len(Libraries()) < 9 {
		t.Fatalf("libraries %v", Libraries())
	}
	for _, lib := range Libraries() {
		if _, err := Compile("x.dsp", []byte(`import("`+lib+`"); process = 0;`), 44100); err != nil {
			t.Errorf("import %s: %v", lib, err)
		}
	}
}
