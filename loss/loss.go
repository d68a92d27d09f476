// Package loss holds the differentiable distances between a rendered sound
// and a target sound, and a registry of them by name.
//
// A loss is a plan: it is built once for a target (precomputing the target's
// representation and every work buffer) and then evaluated many times, with
// no allocation per evaluation.
//
// Registered losses: l1-spec, simse-spec and dtw-envelope (METHOD §5), mss
// (METHOD §6, also the evaluation score MSS), mrstft and mel-l1 (the usual
// audio-library losses) and the scattering losses of scattering.go. Each
// Eval returns the exact gradient, computed in reverse mode through the
// adjoints of package dsp; every setting has a name and a default equal to
// METHOD ('soundmatch losses' lists them). PLoss and PLossU score
// parameters (METHOD §6).
//
// Products that feed a sum are rounded on their own, float64(a*b): arm64
// and amd64 v3 builds would otherwise fuse them into multiply-adds and
// return other last bits than amd64, and a study's results must be the
// same on every machine.
package loss

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Loss compares a sound with the target it was built for.
type Loss interface {
	// Eval returns L(x, target); when grad is non-nil it also writes dL/dx
	// into grad. x and grad must have the length of the target.
	Eval(x, grad []float64) float64
}

// Setting is one tunable of a loss, with its default written as text
// (the form users give on the command line and in study configs).
type Setting struct {
	Name    string
	Default string
	Doc     string
}

// Settings are the resolved settings of one loss: every declared setting
// with either its default or the user's override.
type Settings map[string]string

// Float returns a setting as a float64.
func (s Settings) Float(name string) (float64, error) {
	v, err := strconv.ParseFloat(s[name], 64)
	if err != nil {
		return 0, fmt.Errorf("setting %s=%q: want a number", name, s[name])
	}
	return v, nil
}

// Int returns a setting as an int.
func (s Settings) Int(name string) (int, error) {
	v, err := strconv.Atoi(s[name])
	if err != nil {
		return 0, fmt.Errorf("setting %s=%q: want an integer", name, s[name])
	}
	return v, nil
}

// Bool returns a setting as a bool (true/false, 1/0).
func (s Settings) Bool(name string) (bool, error) {
	v, err := strconv.ParseBool(s[name])
	if err != nil {
		return false, fmt.Errorf("setting %s=%q: want true or false", name, s[name])
	}
	return v, nil
}

// Spec describes a registered loss.
type Spec struct {
	Name     string
	Doc      string
	Settings []Setting
	// New builds the loss for target with resolved settings. It must
	// copy target if it keeps it.
	New func(target []float64, s Settings) (Loss, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]Spec{}
)

// Register adds a loss to the registry. It panics on a duplicate name,
// which is a programming error.
func Register(s Spec) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[s.Name]; dup {
		panic("loss: duplicate registration of " + s.Name)
	}
	registry[s.Name] = s
}

// Lookup returns the spec of a registered loss.
func Lookup(name string) (Spec, bool) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := registry[name]
	return s, ok
}

// Names returns the registered loss names in sorted order.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve merges overrides into the defaults of spec, rejecting unknown
// setting names with a message that lists the accepted ones.
func (spec Spec) Resolve(overrides map[string]string) (Settings, error) {
	s := make(Settings, len(spec.Settings))
	for _, st := range spec.Settings {
		s[st.Name] = st.Default
	}
	for k, v := range overrides {
		if _, ok := s[k]; !ok {
			names := make([]string, len(spec.Settings))
			for i, st := range spec.Settings {
				names[i] = st.Name
			}
			if len(names) == 0 {
				return nil, fmt.Errorf("loss %s: unknown setting %q (it has no settings)", spec.Name, k)
			}
			return nil, fmt.Errorf("loss %s: unknown setting %q (accepted: %s)", spec.Name, k, strings.Join(names, ", "))
		}
		s[k] = v
	}
	return s, nil
}

// New builds the named loss for target, with overrides applied on top of
// the defaults.
func New(name string, target []float64, overrides map[string]string) (Loss, error) {
	spec, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown loss %q (accepted: %s)", name, strings.Join(Names(), ", "))
	}
	s, err := spec.Resolve(overrides)
	if err != nil {
		return nil, err
	}
	if len(target) == 0 {
		return nil, fmt.Errorf("loss %s: empty target", name)
	}
	return spec.New(target, s)
}
