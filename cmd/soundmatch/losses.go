package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/loss"
)

func init() {
	cmd := &cobra.Command{
		Use:   "losses [NAME]...",
		Short: "List the losses and their settings",
		Long: `losses lists the differentiable losses that match, study and loss accept,
each with a one-line description and its settings: name, default value and
meaning. The defaults reproduce the study's method; change a setting with
--set name=value on match, loss and diagnose, or in a study config.

With NAME arguments only those losses are shown.`,
		Example: `  soundmatch losses
  soundmatch losses dtw-envelope mss`,
		RunE: func(cmd *cobra.Command, args []string) error {
			names := args
			if len(names) == 0 {
				names = loss.Names()
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for i, name := range names {
				spec, ok := loss.Lookup(name)
				if !ok {
					return userErrf("losses: unknown loss %q (accepted: %s)", name, strings.Join(loss.Names(), ", "))
				}
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "%s\n    %s\n", spec.Name, spec.Doc)
				if len(spec.Settings) == 0 {
					fmt.Fprintln(w, "    (no settings)")
					continue
				}
				for _, st := range spec.Settings {
					fmt.Fprintf(w, "    %s\t= %s\t%s\n", st.Name, st.Default, st.Doc)
				}
			}
			return w.Flush()
		},
	}
	rootCmd.AddCommand(cmd)
}
