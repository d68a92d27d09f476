package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/audio"
	"github.com/soundmatch/soundmatch/synth"
)

func init() {
	var (
		sets    []string
		seconds float64
		rate    int
		out     string
	)
	cmd := &cobra.Command{
		Use:   "render PROGRAM [-p name=value]... [--seconds 1] [--rate 44100] -o OUT",
		Short: "Render a synthesizer program to a sound file",
		Long: `render compiles PROGRAM and renders it from zero state with the given
slider values, then writes the sound to OUT.

PROGRAM is a built-in program (see 'soundmatch programs') or a Faust file
ending in .dsp (the language subset is described in docs/faust.md). A
program that does not compile is reported as file:line:col: message.

Every slider starts at its init value; -p name=value (repeatable) sets one.
Values must lie within the slider's [min, max]; they are used exactly as
given (not snapped to the slider's step), as the optimizer uses them.

OUT ends in .wav (mono 32-bit float WAV at --rate) or .f64 (raw
little-endian float64 samples, no header). The program's sample rate
(ma.SR) is --rate; the length is round(--seconds × --rate) samples.`,
		Example: `  soundmatch render bp-noise -o bp-noise.wav
  soundmatch render add-sinesaw -p saw_freq=441 -p sine_freq=55 -o out.wav
  soundmatch render my-synth.dsp -p cutoff=1200 --seconds 2 --rate 48000 -o my-synth.f64`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return userErrf("render: -o OUT is required (a .wav or .f64 file)")
			}
			ext := strings.ToLower(filepath.Ext(out))
			if ext != ".wav" && ext != ".f64" {
				return userErrf("render: output %q: want a file ending in .wav or .f64", out)
			}
			if err := checkOutputPath("-o", out); err != nil {
				return err
			}
			if rate < 1 || rate > 1000000 {
				return userErrf("render: --rate %d: want 1 to 1000000 Hz", rate)
			}
			if !(seconds > 0) || seconds > 3600 {
				return userErrf("render: --seconds %v: want more than 0 and at most 3600", seconds)
			}
			n := int(math.Round(seconds * float64(rate)))
			if n < 1 {
				return userErrf("render: --seconds %v at --rate %d gives no samples", seconds, rate)
			}
			prog, err := synth.Load(args[0], float64(rate))
			if err != nil {
				return userErr(err)
			}
			values, err := sliderValues(prog, sets)
			if err != nil {
				return userErr(err)
			}
			y := make([]float64, n)
			prog.Render(values, y, nil)
			bad := 0
			for _, v := range y {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					bad++
				}
			}
			if bad > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "soundmatch: warning: %s produced %d non-finite samples\n", prog.Name(), bad)
			}
			if err := audio.WriteFile(out, y, rate); err != nil {
				return err
			}
			var desc []string
			for k, p := range prog.Params() {
				desc = append(desc, fmt.Sprintf("%s=%s", p.Name, strconv.FormatFloat(values[k], 'g', -1, 64)))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d samples at %d Hz (%s %s)\n", out, n, rate, prog.Name(), strings.Join(desc, " "))
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&sets, "param", "p", nil, "set a slider: name=value (repeatable)")
	cmd.Flags().Float64Var(&seconds, "seconds", 1, "length of the rendering in seconds")
	cmd.Flags().IntVar(&rate, "rate", 44100, "sample rate in Hz (the program's ma.SR)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file: .wav (32-bit float) or .f64 (raw float64)")
	rootCmd.AddCommand(cmd)
}

// sliderValues starts from every slider's init value and applies the -p
// name=value settings (applySliders: unknown names and out-of-range values
// are errors listing what the program accepts).
func sliderValues(prog *synth.Program, sets []string) ([]float64, error) {
	params := prog.Params()
	values := make([]float64, len(params))
	for k, p := range params {
		values[k] = p.Init
	}
	if err := applySliders(prog, "-p", sets, values); err != nil {
		return nil, err
	}
	return values, nil
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
