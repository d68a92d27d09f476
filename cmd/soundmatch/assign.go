package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/soundmatch/soundmatch/synth"
)

// The name=value flags shared by several commands: loss settings
// (--set key=value) and slider assignments (-t, -i: name=value).

// parseSettings parses repeated name=value flags into a map, the later of
// two equal names winning. Space around the name and the value is dropped.
// flag names the flag in error messages.
func parseSettings(flag string, kvs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%s %q: want name=value", flag, kv)
		}
		m[k] = strings.TrimSpace(v)
	}
	return m, nil
}

// applySliders sets values[k] from name=value flags naming prog's sliders.
// An unknown name, a missing '=', a value that is not a number or one
// outside the slider's [min, max] is an error that names the flag and lists
// what the program accepts.
func applySliders(prog *synth.Program, flag string, kvs []string, values []float64) error {
	params := prog.Params()
	for _, kv := range kvs {
		name, val, ok := strings.Cut(kv, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" {
			return fmt.Errorf("%s %q: want name=value (accepted: %s)", flag, kv, paramRanges(params))
		}
		k := paramIndex(params, name)
		if k < 0 {
			return fmt.Errorf("%s %s: %s has no slider %q (accepted: %s)", flag, kv, prog.Name(), name, paramRanges(params))
		}
		p := params[k]
		x, err := strconv.ParseFloat(val, 64)
		if err != nil && !isRangeErr(err) {
			return fmt.Errorf("%s %s: %q is not a number (want one in [%g, %g]; accepted: %s)", flag, kv, val, p.Min, p.Max, paramRanges(params))
		}
		if err != nil || math.IsNaN(x) || x < p.Min || x > p.Max {
			return fmt.Errorf("%s %s: out of range: want a number in [%g, %g] (accepted: %s)", flag, kv, p.Min, p.Max, paramRanges(params))
		}
		values[k] = x
	}
	return nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// paramIndex is the index of the slider called name, or -1.
func paramIndex(params []synth.Param, name string) int {
	for i, p := range params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// paramRanges lists sliders as "name in [min, max]" for error messages.
func paramRanges(params []synth.Param) string {
	if len(params) == 0 {
		return "no sliders"
	}
	s := make([]string, len(params))
	for i, p := range params {
		s[i] = fmt.Sprintf("%s in [%g, %g]", p.Name, p.Min, p.Max)
	}
	return strings.Join(s, ", ")
}
