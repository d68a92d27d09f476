// Package faust is the front end of soundmatch's Faust engine: a scanner,
// a parser and a syntax tree for a documented subset of the Faust language
// (docs/faust.md, grammar.txt), the evaluation of block diagrams into a
// signal graph (signal.go) with Faust's typing and constant folding, and
// the standard library entry points as embedded Faust source (lib/).
//
// No library does this in Go: the only Faust implementation is the C++
// compiler, which soundmatch must not need at run time. The package follows
// the compiler's semantics (Faust 2.54.9, `faust -double`) closely enough
// that renderings agree with it to rounding (see the tests).
package faust

import (
	"embed"
	"fmt"
	"slices"
	"strings"
)

//go:embed lib/*.lib
var libFS embed.FS

// Libraries returns the names of the embedded library files, which
// `import` and `library` accept.
func Libraries() []string {
	ents, _ := libFS.ReadDir("lib")
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// Compile parses and evaluates a Faust program and returns the signal graph
// of its `process`, for the given sample rate (ma.SR). Errors have the form
// "file:line:col: message". `process` must have no input and one output.
// Compile is safe for concurrent use.
//
// The standard library prefixes (ba, en, fi, ma, no, os, pl, si) are always
// defined; `import("stdfaust.lib");` is accepted and changes nothing.
//
// What the graph guarantees to its consumer (package synth):
//   - Conversions are explicit: the arguments of a Real node are Real, of an
//     Int arithmetic or bitwise node Int (OpFloatCast / OpIntCast are
//     inserted); comparisons compare two Ints or two Reals; the branches of
//     OpSelect2 have the node's type and its selector is Int.
//   - Int nodes exist for + - * % ^ abs min max select2 and the bitwise ops;
//     they wrap at 32 bits. Int OpPow is int(pow(x, y)). Int OpMod is C's
//     remainder (the divisor can be 0 only at run time).
//   - Constants are folded; OpDiv remains only for a non-constant or zero
//     divisor (x / c is x * (1/c), as Faust computes it).
//   - OpDelay's Args[1] is an Int constant from 1 to 2^20.
//   - A Rec's Defs have the types of the OpRecRef nodes that read them.
//   - Identical nodes are shared (the same *Sig), including recursions
//     built from one definition.
//   - Controls are numbered (OpControl.Param) in source order; the output
//     may be an Int or a constant.
func Compile(filename string, src []byte, sampleRate float64) (g *Graph, err error) {
	defer func() {
		// Last resort: a bug must surface as an error, not crash a study.
		// (FuzzCompile calls compile directly, so such bugs are found.)
		if r := recover(); r != nil {
			g, err = nil, fmt.Errorf("%s: internal error in the Faust compiler: %v", filename, r)
		}
	}()
	return compile(filename, src, sampleRate)
}

func compile(filename string, src []byte, sampleRate float64) (*Graph, error) {
	if !(sampleRate >= 1) || sampleRate > 1e7 {
		return nil, fmt.Errorf("%s: sample rate must be from 1 to 1e7 Hz, got %v", filename, sampleRate)
	}
	f, err := Parse(filename, src)
	if err != nil {
		return nil, err
	}
	ev := &evaluator{b: newBuilder(), sampleRate: sampleRate, libs: make(map[string]*envir), files: []string{filename},
		memo: make(map[string][]*Sig), boxIDs: make(map[*box]int), slotIDs: make(map[*slotVar]int)}
	std, err := ev.library("stdfaust.lib")
	if err != nil {
		return nil, err
	}
	env, err := ev.fileEnv(f, std.names)
	if err != nil {
		return nil, err
	}
	pb := env.names["process"]
	if pb == nil {
		return nil, &Error{File: filename, Msg: "no definition of process"}
	}
	at := pb.defs[0].At
	v, err := ev.valueOf(pb, filename, at)
	if err != nil {
		return nil, ev.localize(err, filename, at)
	}
	b, err := ev.toBox(v, filename, at)
	if err != nil {
		return nil, ev.localize(err, filename, at)
	}
	if b.ins != 0 || b.outs != 1 {
		return nil, ev.errorf(filename, at, "process must have 0 inputs and 1 output, it has %d %s and %d %s",
			b.ins, plural(b.ins, "input"), b.outs, plural(b.outs, "output"))
	}
	out, err := ev.prop(b, nil, nil)
	if err != nil {
		return nil, ev.localize(err, filename, at)
	}
	g := &Graph{Outputs: out, SampleRate: sampleRate}
	if g.Controls, err = ev.finishControls(out); err != nil {
		return nil, err
	}
	return g, nil
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// fileEnv makes the environment of a file: its imports' definitions, then
// its own, which take precedence. extra holds definitions visible as if
// imported (the standard prefixes for the user's file).
func (ev *evaluator) fileEnv(f *File, extra map[string]*binding) (*envir, error) {
	var defs []*Def
	own := make(map[string]bool)
	for _, d := range f.Defs {
		own[d.Name] = true
	}
	e := &envir{names: make(map[string]*binding), file: f.Name, what: "file " + f.Name}
	for name, b := range extra {
		if !own[name] {
			e.names[name] = b
		}
	}
	for _, imp := range f.Imports {
		lib, err := ev.library(imp.Val)
		if err != nil {
			return nil, &Error{File: f.Name, Pos: imp.At, Msg: err.Error()}
		}
		for name, b := range lib.names {
			if !own[name] {
				e.names[name] = b
			}
		}
	}
	defs = append(defs, f.Defs...)
	own2, err := newEnv(nil, f.Name, "", defs)
	if err != nil {
		return nil, err
	}
	for name, b := range own2.names {
		b.env = e
		e.names[name] = b
	}
	return e, nil
}

// library returns the environment of an embedded library file, parsing and
// caching it on first use.
func (ev *evaluator) library(name string) (*envir, error) {
	if e, ok := ev.libs[name]; ok {
		if e == nil {
			return nil, fmt.Errorf("library %s imports itself", name)
		}
		return e, nil
	}
	src, err := libFS.ReadFile("lib/" + name)
	if err != nil || strings.Contains(name, "/") {
		return nil, fmt.Errorf("unknown library %q: the libraries available are %s", name, strings.Join(Libraries(), ", "))
	}
	ev.libs[name] = nil
	f, err := Parse(name, src)
	if err != nil {
		return nil, err
	}
	ev.files = append(ev.files, name)
	e, err := ev.fileEnv(f, nil)
	if err != nil {
		return nil, err
	}
	e.what = "library " + name
	ev.libs[name] = e
	return e, nil
}

// finishControls numbers the controls reachable from the outputs in the
// order they appear in the source (Faust's own UI sorts them by label).
// Like the real compiler, it refuses a reachable slider whose range is
// reversed or whose init value lies outside it; a control that does not
// reach the output is not checked (Faust never sees it either).
func (ev *evaluator) finishControls(out []*Sig) ([]Control, error) {
	used := make(map[*Sig]bool)
	seen := make(map[*Sig]bool)
	seenRec := make(map[*Rec]bool)
	stack := slices.Clone(out)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s] {
			continue
		}
		seen[s] = true
		if s.Op == OpControl {
			used[s] = true
		}
		stack = append(stack, s.Args...)
		if s.Rec != nil && !seenRec[s.Rec] {
			seenRec[s.Rec] = true
			stack = append(stack, s.Rec.Defs...)
		}
	}
	var entries []*ctlEntry
	for _, c := range ev.controls {
		if used[c.sig] {
			entries = append(entries, c)
		}
	}
	slices.SortStableFunc(entries, func(a, b *ctlEntry) int {
		if a.file != b.file {
			return a.file - b.file
		}
		if a.at.Line != b.at.Line {
			return a.at.Line - b.at.Line
		}
		return a.at.Col - b.at.Col
	})
	ctls := make([]Control, len(entries))
	for i, c := range entries {
		k := c.c
		switch {
		case !(k.Min <= k.Max):
			return nil, ev.errorf(ev.files[c.file], c.at, "%s %q: min %g is greater than max %g", k.Kind, k.Label, k.Min, k.Max)
		case !(k.Min <= k.Init && k.Init <= k.Max):
			return nil, ev.errorf(ev.files[c.file], c.at, "%s %q: init %g is outside its range [%g, %g]", k.Kind, k.Label, k.Init, k.Min, k.Max)
		}
		c.sig.Param = i
		ctls[i] = c.c
	}
	return ctls, nil
}
