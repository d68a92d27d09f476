// Command soundmatch renders Faust synthesizer programs, matches their
// parameters to target sounds by gradient descent, runs seeded studies of
// losses × programs, and reports which loss works best for which synth.
//
// Each subcommand lives in its own file and registers itself on rootCmd in
// an init function, so commands can be added without touching this file.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:   "soundmatch",
	Short: "Differentiable sound matching of Faust synthesizer programs",
	Long: `soundmatch renders synthesizer programs written in Faust, compares their
sound with a target through a differentiable loss, and turns the synth's
knobs by gradient descent until the sound matches. Studies cross several
programs with several losses over hundreds of seeded trials, score them
(P-Loss, multi-scale spectral distance, blinded listening tests) and rank
the losses per synth.`,
	Example: `  soundmatch programs
  soundmatch match add-sinesaw --loss l1-spec -t saw_freq=440 --out run1
  soundmatch study run paper --db paper.db
  soundmatch report --db paper.db --out report`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

// usageError marks an error caused by the user's input (bad flag, bad file,
// bad program); main exits with status 2 for it.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// userErr wraps err so that main reports it with exit status 2.
func userErr(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// userErrf formats a user error (exit status 2).
func userErrf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func init() {
	// Subcommands inherit the root's flag error function.
	rootCmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// main prefixes "soundmatch: ", so name the subcommand without the root.
		if c == rootCmd {
			return userErrf("%v (see 'soundmatch --help')", err)
		}
		name := strings.TrimPrefix(c.CommandPath(), rootCmd.Name()+" ")
		return userErrf("%s: %v (see '%s --help')", name, err, c.CommandPath())
	})
}

func main() {
	markArgErrors(rootCmd)
	err := rootCmd.Execute()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "soundmatch:", err)
	var ue usageError
	// cobra reports an unknown subcommand of the root with a plain error
	// and no hook to change it; its wording is stable across versions.
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command ") {
		os.Exit(2)
	}
	os.Exit(1)
}

// markArgErrors makes cobra's positional-argument checks (wrong number of
// arguments, unknown subcommand) user errors, so they exit with status 2
// like every other mistake in the command line.
func markArgErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			err := check(cmd, args)
			var ue usageError
			if err != nil && !errors.As(err, &ue) {
				return userErrf("%s: %v (see '%s --help')", cmd.CommandPath(), err, cmd.CommandPath())
			}
			return err
		}
	}
	for _, sub := range c.Commands() {
		markArgErrors(sub)
	}
}
