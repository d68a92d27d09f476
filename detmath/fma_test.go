package detmath

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestProductsRounded checks the source rule that makes the package
// FMA-proof: every floating-point product is the direct operand of a
// float64(...) conversion, which the Go specification guarantees is rounded
// on its own and never fused with an addition.
func TestProductsRounded(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check("detmath", fset, files, info); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			be, ok := n.(*ast.BinaryExpr)
			if !ok || be.Op != token.MUL {
				return true
			}
			tv := info.Types[be]
			b, ok := tv.Type.Underlying().(*types.Basic)
			if tv.Value != nil || !ok || b.Info()&types.IsFloat == 0 {
				return true // constant or integer product
			}
			checked++
			i := len(stack) - 2
			for i >= 0 {
				if _, ok := stack[i].(*ast.ParenExpr); !ok {
					break
				}
				i--
			}
			if i >= 0 {
				if ce, ok := stack[i].(*ast.CallExpr); ok {
					if id, ok := ce.Fun.(*ast.Ident); ok && id.Name == "float64" {
						return true
					}
				}
			}
			t.Errorf("%s: product %s is not rounded by float64(...)", fset.Position(be.Pos()), types.ExprString(be))
			return true
		})
	}
	if checked < 100 {
		t.Fatalf("only %d float products found: the check is not looking at the code", checked)
	}
}

// TestNoFusedMultiplyAdd cross-compiles testdata/fmacheck, which calls
// every function, for arm64 and for amd64 with GOAMD64=v3, and fails if
// any function of this package contains a fused multiply-add instruction.
// It needs the go tool and takes several seconds, so it only runs with
// SOUNDMATCH_LONG=1.
func TestNoFusedMultiplyAdd(t *testing.T) {
	if os.Getenv("SOUNDMATCH_LONG") != "1" {
		t.Skip("cross-compiles twice; set SOUNDMATCH_LONG=1 to run")
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not available: cannot cross-compile and disassemble")
	}
	dir := t.TempDir()
	build := func(out string, env ...string) {
		t.Helper()
		cmd := exec.Command(gotool, "build", "-o", out, "./testdata/fmacheck")
		cmd.Env = append(os.Environ(), env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %v: %v\n%s", env, err, b)
		}
	}
	const pkg = "github.com/soundmatch/soundmatch/detmath."

	// arm64: go tool objdump decodes FMADDD and friends.
	arm := filepath.Join(dir, "fma_arm64")
	build(arm, "GOOS=linux", "GOARCH=arm64")
	out, err := exec.Command(gotool, "tool", "objdump", "-s", `detmath\.`, arm).Output()
	if err != nil {
		t.Fatal(err)
	}
	fns, fused := scanObjdump(out, regexp.MustCompile(`^TEXT (\S+)`),
		regexp.MustCompile(`\b(FMADDD|FMSUBD|FNMADDD|FNMSUBD|FMADDS|FMSUBS|FNMADDS|FNMSUBS|VFMLA|VFMLS)\b`), pkg)
	if fns < 20 {
		t.Fatalf("arm64: only %d detmath functions in the disassembly", fns)
	}
	for _, f := range fused {
		t.Errorf("arm64: fused multiply-add in %s", f)
	}
	t.Logf("arm64: %d detmath functions, %d fused instructions", fns, len(fused))

	// amd64 v3: go tool objdump does not decode VEX FMA, GNU objdump does;
	// without it, look for the VEX.0F38 FMA opcodes in the raw bytes.
	v3 := filepath.Join(dir, "fma_v3")
	build(v3, "GOOS=linux", "GOARCH=amd64", "GOAMD64=v3")
	if gnu, err := exec.LookPath("objdump"); err == nil {
		out, err := exec.Command(gnu, "-d", "--no-show-raw-insn", v3).Output()
		if err != nil {
			t.Fatal(err)
		}
		fns, fused := scanObjdump(out, regexp.MustCompile(`^[0-9a-f]+ <(.*)>:`),
			regexp.MustCompile(`\bvf(n)?m(add|sub)`), pkg)
		if fns < 20 {
			t.Fatalf("amd64 v3: only %d detmath functions in the disassembly", fns)
		}
		for _, f := range fused {
			t.Errorf("amd64 v3: fused multiply-add in %s", f)
		}
		t.Logf("amd64 v3 (GNU objdump): %d detmath functions, %d fused instructions", fns, len(fused))
		return
	}
	out, err = exec.Command(gotool, "tool", "objdump", "-s", `detmath\.`, v3).Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for fn, code := range objdumpBytes(out) {
		if !strings.HasPrefix(fn, pkg) {
			continue
		}
		n++
		for i := 0; i+3 < len(code); i++ {
			op := code[i+3]
			if code[i] == 0xc4 && code[i+1]&0x1f == 2 && code[i+2]&3 == 1 &&
				(op >= 0x96 && op <= 0x9f || op >= 0xa6 && op <= 0xaf || op >= 0xb6 && op <= 0xbf) {
				t.Errorf("amd64 v3: VEX FMA opcode bytes in %s", fn)
				break
			}
		}
	}
	if n < 20 {
		t.Fatalf("amd64 v3: only %d detmath functions in the disassembly", n)
	}
}

// scanObjdump returns how many functions with the prefix pkg the
// disassembly has and one "function: instruction" line per fused
// instruction found in them.
func scanObjdump(out []byte, header, fma *regexp.Regexp, pkg string) (int, []string) {
	var fn string
	fns := map[string]bool{}
	var fused []string
	s := bufio.NewScanner(bytes.NewReader(out))
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		line := s.Text()
		if m := header.FindStringSubmatch(line); m != nil {
			fn = strings.TrimSuffix(m[1], "(SB)")
			if strings.HasPrefix(fn, pkg) {
				fns[fn] = true
			}
			continue
		}
		if strings.HasPrefix(fn, pkg) && fma.MatchString(line) {
			fused = append(fused, fn+": "+strings.TrimSpace(line))
		}
	}
	return len(fns), fused
}

// objdumpBytes collects the machine code of each function from go tool
// objdump output (third column: hex bytes of each instruction).
func objdumpBytes(out []byte) map[string][]byte {
	code := map[string][]byte{}
	var fn string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "TEXT ") {
			fn = strings.TrimSuffix(strings.Fields(line)[1], "(SB)")
			continue
		}
		f := strings.Split(strings.TrimSpace(line), "\t")
		var hex string
		for _, c := range f {
			c = strings.TrimSpace(c)
			if c != "" && !strings.HasPrefix(c, "0x") && !strings.Contains(c, ":") && len(c)%2 == 0 && isHex(c) {
				hex = c
				break
			}
		}
		for i := 0; i+1 < len(hex); i += 2 {
			v, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
			code[fn] = append(code[fn], byte(v))
		}
	}
	return code
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
