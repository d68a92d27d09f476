package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/figure"
	"github.com/soundmatch/soundmatch/landscape"
	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/synth"
)

func init() {
	var (
		losses  string
		sets    []string
		points  int
		steps   int
		seed    uint64
		out     string
		workers int
		rate    float64
	)
	cmd := &cobra.Command{
		Use:   "diagnose PROGRAM --loss NAME[,NAME...] [--points 200]",
		Short: "Measure how well a loss's gradient leads toward the target",
		Long: `diagnose draws --points random (target, point) pairs for PROGRAM the way
trials are drawn (seeded), and for each loss reports:

  toward     fraction of points where the negative gradient (in the unitless
             u space the optimizer works in) has a positive cosine with the
             direction to the target
  mean_cos   mean of that cosine (1 = straight at the target)
  zero_grad  fraction of points where the gradient vanishes
  monotone   mean fraction of --steps equal steps along the straight line
             to the target on which the loss decreases
  lines      fraction of those lines on which it decreases all the way
  |dL/du_k|  median gradient magnitude per parameter

A loss whose gradient points toward the target at most points, on monotone
lines, is easy for gradient descent; values near 0.5 mean the landscape is
full of local minima. Give several losses, comma-separated, to compare them
on the same points. The cosine distributions are drawn to -o.`,
		Example: `  soundmatch diagnose add-sinesaw --loss l1-spec,dtw-envelope,scattering --points 100
  soundmatch diagnose bp-noise --loss l1-spec --points 200 -o bp-noise-diag.svg`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutputPath("-o", out); err != nil {
				return err
			}
			prog, err := synth.Load(args[0], rate)
			if err != nil {
				return userErr(err)
			}
			settings, err := parseSettings("--set", sets)
			if err != nil {
				return userErr(err)
			}
			if points < 1 || points > 1000000 {
				return userErrf("--points %d: want 1 to 1000000", points)
			}
			if steps < 2 {
				return userErrf("--steps %d: want at least 2", steps)
			}
			names := strings.Split(losses, ",")
			perLoss, err := settingsPerLoss(names, settings)
			if err != nil {
				return userErr(err)
			}
			var samples []figure.Sample
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', tabwriter.AlignRight)
			head := "loss\ttoward\tmean_cos\tzero_grad\tmonotone\tlines\t"
			for _, p := range prog.Params() {
				head += "|dL/du " + p.Name + "|\t"
			}
			fmt.Fprintln(tw, head)
			for i, name := range names {
				d, err := landscape.Diagnose(cmd.Context(), prog, landscape.DiagnoseConfig{
					Loss: name, LossSettings: perLoss[i], Points: points, LineSteps: steps, Seed: seed, Workers: workers,
				})
				if err != nil {
					return userErr(err)
				}
				row := fmt.Sprintf("%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t", d.Loss, d.TowardTarget, d.MeanCosine, d.ZeroGradient, d.MeanMonotone, d.LinesMonotone)
				for _, g := range d.MedianGrad {
					row += fmt.Sprintf("%.3g\t", g)
				}
				fmt.Fprintln(tw, row)
				cos := make([]float64, len(d.Probes))
				for i, p := range d.Probes {
					cos[i] = p.Cosine
				}
				samples = append(samples, figure.Sample{Name: d.Loss, Values: cos})
			}
			tw.Flush()
			if out != "" {
				title := fmt.Sprintf("%s: gradient direction at %d random points", prog.Name(), points)
				if err := figure.SaveCosines(title, samples, out); err != nil {
					return userErr(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&losses, "loss", "l1-spec", "loss or comma-separated losses to diagnose")
	f.StringArrayVar(&sets, "set", nil, "loss setting key=value, applied to every loss that has it (repeatable)")
	f.IntVar(&points, "points", 200, "random points")
	f.IntVar(&steps, "steps", 16, "steps on the line from each point to its target")
	f.Uint64Var(&seed, "seed", 1, "seed of the first point (point i uses seed+i)")
	f.StringVarP(&out, "output", "o", "diagnose.png", `picture of the cosine distributions (.png or .svg; "" for none)`)
	f.IntVar(&workers, "workers", 0, "parallel workers (default: all cores)")
	f.Float64Var(&rate, "rate", 44100, "sample rate in Hz")
	rootCmd.AddCommand(cmd)
}

// settingsPerLoss gives each loss the --set keys it declares; a key that
// no named loss declares is an error.
func settingsPerLoss(names []string, set map[string]string) ([]map[string]string, error) {
	out := make([]map[string]string, len(names))
	used := map[string]bool{}
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
		spec, ok := loss.Lookup(names[i])
		if !ok {
			return nil, fmt.Errorf("unknown loss %q (accepted: %s)", names[i], strings.Join(loss.Names(), ", "))
		}
		out[i] = map[string]string{}
		for _, st := range spec.Settings {
			if v, ok := set[st.Name]; ok {
				out[i][st.Name] = v
				used[st.Name] = true
			}
		}
	}
	for k := range set {
		if !used[k] {
			return nil, fmt.Errorf("--set %s: none of the losses %s has that setting (see 'soundmatch losses')", k, strings.Join(names, ", "))
		}
	}
	return out, nil
}
