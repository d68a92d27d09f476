package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/synth"
)

func init() {
	cmd := &cobra.Command{
		Use:   "programs [PROGRAM]",
		Short: "List the built-in programs, or one program's parameters",
		Long: `programs without an argument lists the built-in synthesizer programs
(embedded in the binary) with their parameters.

programs PROGRAM compiles PROGRAM (a built-in name or a .dsp file) and
lists its parameters, in declaration order, with their init, min, max and
step: the range the optimizer explores and 'soundmatch render -p' accepts.
A program that does not compile is reported as file:line:col: message.`,
		Example: `  soundmatch programs
  soundmatch programs bp-noise
  soundmatch programs my-synth.dsp`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			if len(args) == 0 {
				fmt.Fprintln(w, "program\tparameters")
				for _, name := range synth.Builtins() {
					prog, err := synth.Load(name, 44100)
					if err != nil {
						return err
					}
					var ps []string
					for _, p := range prog.Params() {
						ps = append(ps, fmt.Sprintf("%s [%s, %s]", p.Name, fmtNum(p.Min), fmtNum(p.Max)))
					}
					fmt.Fprintf(w, "%s\t%s\n", name, strings.Join(ps, ", "))
				}
				return w.Flush()
			}
			prog, err := synth.Load(args[0], 44100)
			if err != nil {
				return userErr(err)
			}
			if len(prog.Params()) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s has no parameters\n", prog.Name())
				return nil
			}
			fmt.Fprintln(w, "parameter\tinit\tmin\tmax\tstep")
			for _, p := range prog.Params() {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Name, fmtNum(p.Init), fmtNum(p.Min), fmtNum(p.Max), fmtNum(p.Step))
			}
			return w.Flush()
		},
	}
	rootCmd.AddCommand(cmd)
}
