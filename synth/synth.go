// Package synth turns a Faust program into a compiled Program that renders
// sound and, in the same pass, the derivative of every output sample with
// respect to every slider (forward-mode differentiation, sample by sample).
//
// Forward mode fits synthesizers: few parameters, long recursive signals, so
// carrying one tangent per parameter through the recursion costs a small
// constant factor and no tape. No Go library differentiates Faust, and the
// Faust compiler's own backends (C++, JAX via DawDreamer) are what
// soundmatch must not need at run time.
//
// The Faust front end (package faust) evaluates a program into a signal
// graph; the compiler here hash-conses it (common subexpressions once),
// folds constants, rewrites x/c as x*(1/c) as Faust does, and splits it
// into control-rate code (run once per Render, with tangents: filter
// coefficients) and a flat per-sample register program of small
// instructions over a register file of values and fixed-width tangent
// arrays. Common patterns are fused without changing a rounding: a product
// feeding a sum, sin of a product, ma.frac feeding a sum (the phasor), the
// noise generator's int multiply-add, and fi.tf2's direct-form-II biquad
// (sos.go), whose cascades (fi.lowpass, fi.highpass) run as one
// instruction. Delays and recursion become histories: shift registers for
// short delays, rings for long ones. Int signals wrap as int32 and carry
// no tangent.
//
// A program renders the same bits on every machine: the elementary
// functions (sin, exp, pow, ...) are package detmath's, not math's, and
// every product that feeds a sum, in the combined instructions above too,
// is rounded on its own (float64(...)), which keeps arm64 and amd64 v3
// builds from fusing it into a hardware multiply-add.
//
// Derivative rules at non-smooth points (docs/faust-derivatives.md):
// floor, ceil, rint and int have derivative 0 (so ma.frac passes its
// argument's derivative through); comparisons have 0; select2 passes the
// chosen branch's derivative; min and max the chosen argument's, the first
// on a tie; abs has sign(x), 0 at 0; sqrt has 0 at 0; pow drops its ln(x)
// term where x ≤ 0; int signals have none.
package synth

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/soundmatch/soundmatch/faust"
)

// Param is one slider of a program: hslider/vslider/nentry(label, init, min, max, step).
type Param struct {
	Name                 string
	Init, Min, Max, Step float64
}

//go:embed programs/*.dsp
var programFS embed.FS

// Builtins returns the names of the built-in programs, sorted.
func Builtins() []string {
	return []string{"add-sinesaw", "bp-noise", "noise-am", "sinesaw-am"}
}

// BuiltinSource returns the Faust source of a built-in program.
func BuiltinSource(name string) ([]byte, bool) {
	if !slices.Contains(Builtins(), name) {
		return nil, false
	}
	b, err := programFS.ReadFile("programs/" + name + ".dsp")
	if err != nil {
		panic("synth: built-in program missing from the binary: " + name)
	}
	return b, true
}

// Load compiles a built-in program (by name, see Builtins) or a Faust file
// (a path ending in .dsp) for the given sample rate.
func Load(nameOrPath string, sampleRate float64) (*Program, error) {
	if src, ok := BuiltinSource(nameOrPath); ok {
		return compileBuiltin(nameOrPath, src, sampleRate)
	}
	if !strings.HasSuffix(nameOrPath, ".dsp") {
		return nil, fmt.Errorf("unknown program %q: want a built-in (%s) or a .dsp file", nameOrPath, strings.Join(Builtins(), ", "))
	}
	src, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, err
	}
	return Compile(nameOrPath, src, sampleRate)
}

// Program is a compiled synthesizer program. Render is not safe for
// concurrent use; Clone gives each goroutine its own buffers.
type Program struct {
	name   string
	params []Param
	sr     float64

	code *code    // compiled, shared by clones
	m    *machine // this Program's buffers
}

// Name returns the program's name: the built-in name, or the file name
// without directory and .dsp extension.
func (p *Program) Name() string { return p.name }

// Params returns the program's sliders in declaration order. The caller
// must not modify the returned slice.
func (p *Program) Params() []Param { return p.params }

// SampleRate returns the sample rate the program was compiled for.
func (p *Program) SampleRate() float64 { return p.sr }

// Clone returns a Program sharing p's compiled code with its own work
// buffers, for use in another goroutine.
func (p *Program) Clone() *Program {
	q := *p
	q.m = newMachine(p.code)
	return &q
}

// Render renders len(out) samples from zero state with the raw slider
// values (in Params order; not clamped, not snapped to the step). When jac
// is non-nil, jac[k][n] receives ∂out[n]/∂values[k]; jac must then have
// one row per parameter, each at least len(out) long. Render panics on
// wrong lengths (programmer misuse) and allocates nothing.
func (p *Program) Render(values, out []float64, jac [][]float64) {
	if len(values) != len(p.params) {
		panic(fmt.Sprintf("synth: %s: %d values for %d parameters", p.name, len(values), len(p.params)))
	}
	if jac != nil {
		if len(jac) != len(p.params) {
			panic(fmt.Sprintf("synth: %s: jacobian has %d rows for %d parameters", p.name, len(jac), len(p.params)))
		}
		for _, row := range jac {
			if len(row) < len(out) {
				panic("synth: jacobian row shorter than out")
			}
		}
	}
	p.code.render(p.m, values, out, jac)
}

// FromGraph compiles a signal graph (the output of the Faust front end)
// into a Program. name is used in error messages and as the program's name.
func FromGraph(name string, g *faust.Graph) (p *Program, err error) {
	defer func() {
		// Last resort: a malformed graph must surface as an error.
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%s: internal error compiling the signal graph: %v", name, r)
		}
	}()
	if len(g.Controls) > maxParams {
		return nil, fmt.Errorf("%s: %d sliders; at most %d are supported", name, len(g.Controls), maxParams)
	}
	c := &compiler{
		name:  name,
		keys:  map[nodeKey]int32{},
		sigs:  map[*faust.Sig]int32{},
		recs:  map[*faust.Rec]int{},
		refOf: map[int32][2]int{},
	}
	out := c.importGraph(g)
	if c.err != nil {
		return nil, c.err
	}
	for i := range c.nodes {
		if n := &c.nodes[i]; n.op == faust.OpControl && (n.param < 0 || n.param >= len(g.Controls)) {
			return nil, fmt.Errorf("%s: malformed signal graph: control %d of %d", name, n.param, len(g.Controls))
		}
	}
	out = c.canonicalize(out)
	if c.err != nil {
		return nil, c.err
	}
	c.analyse()
	cd := c.emit(out, len(g.Controls))
	p = &Program{name: programName(name), sr: g.SampleRate, code: cd, m: newMachine(cd)}
	for _, ct := range g.Controls {
		p.params = append(p.params, Param{Name: ct.Label, Init: ct.Init, Min: ct.Min, Max: ct.Max, Step: ct.Step})
	}
	return p, nil
}

// Compile compiles Faust source; filename is used in error messages
// ("file:line:col: message") and for the program's name.
func Compile(filename string, src []byte, sampleRate float64) (*Program, error) {
	g, err := faust.Compile(filename, src, sampleRate)
	if err != nil {
		return nil, err
	}
	return FromGraph(filename, g)
}

func compileBuiltin(name string, src []byte, sampleRate float64) (*Program, error) {
	p, err := Compile(name+".dsp", src, sampleRate)
	if err != nil {
		return nil, fmt.Errorf("built-in program %s: %w", name, err)
	}
	return p, nil
}

func programName(filename string) string {
	return strings.TrimSuffix(filepath.Base(filename), ".dsp")
}
