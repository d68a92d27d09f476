package main

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/loss"
	"github.com/soundmatch/soundmatch/match"
	"github.com/soundmatch/soundmatch/synth"
)

// benchRow is one line of "soundmatch bench --json".
type benchRow struct {
	Program   string   `json:"program"`
	Loss      string   `json:"loss"`
	MsPerIter *float64 `json:"ms_per_iter"` // null when no iteration could be timed
}

func newBenchCmd() *cobra.Command {
	var (
		asJSON   bool
		iters    int
		warmup   int
		programs []string
		losses   []string
		seed     uint64
	)
	cmd := &cobra.Command{
		Use:   "bench [--json] [--iters N]",
		Short: "Time one optimization iteration for every program × loss",
		Long: `bench measures, for every built-in program and every registered loss, the
wall time of one full optimization iteration: rendering 1 s at 44.1 kHz
with the derivative with respect to every slider, the loss and its
gradient, the chain rule to the sliders and the RMSProp update. It runs
--warmup iterations first, then --iters timed ones, on one core
(GOMAXPROCS=1 while it runs), and reports the median in milliseconds.

The trial is the seeded draw of --seed (target and start as in 'soundmatch
match --seed'). Restrict the grid with --program and --loss.`,
		Example: `  soundmatch bench
  soundmatch bench --json --iters 50
  soundmatch bench --program add-sinesaw --loss l1-spec --loss jtfs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if iters < 1 {
				return userErrf("--iters %d: want at least 1 (20 or more for a stable median)", iters)
			}
			if warmup < 0 {
				return userErrf("--warmup %d: want 0 or more", warmup)
			}
			if len(programs) == 0 {
				programs = synth.Builtins()
			}
			if len(losses) == 0 {
				losses = loss.Names()
			}
			for _, l := range losses {
				if _, ok := loss.Lookup(l); !ok {
					return userErrf("unknown loss %q (accepted: %s)", l, strings.Join(loss.Names(), ", "))
				}
			}
			progs := make([]*synth.Program, len(programs))
			for i, name := range programs {
				p, err := synth.Load(name, 44100)
				if err != nil {
					return userErr(err)
				}
				progs[i] = p
			}
			prev := runtime.GOMAXPROCS(1)
			defer runtime.GOMAXPROCS(prev)
			w := cmd.OutOrStdout()
			if !asJSON {
				fmt.Fprintf(w, "%-14s %-14s %12s   (median of %d iterations after %d warm-up, 1 core)\n", "program", "loss", "ms/iter", iters, warmup)
			}
			rows := []benchRow{}
			for _, prog := range progs {
				tv, sv := match.DrawTrial(prog.Params(), seed)
				target := make([]float64, 44100)
				prog.Render(tv, target, nil)
				for _, l := range losses {
					if err := cmd.Context().Err(); err != nil {
						return err
					}
					cfg := match.DefaultConfig()
					cfg.Loss = l
					times, err := match.IterationTimes(prog, target, sv, cfg, warmup, iters)
					if err != nil {
						return fmt.Errorf("%s × %s: %v", prog.Name(), l, err)
					}
					ms := benchMedianMs(times)
					row := benchRow{Program: prog.Name(), Loss: l}
					if !math.IsNaN(ms) {
						row.MsPerIter = &ms
					}
					rows = append(rows, row)
					if !asJSON {
						note := ""
						if len(times) < iters {
							note = fmt.Sprintf("   (stopped after %d: non-finite loss)", len(times))
						}
						fmt.Fprintf(w, "%-14s %-14s %12.3f%s\n", row.Program, row.Loss, ms, note)
					}
				}
			}
			if asJSON {
				js, err := json.MarshalIndent(rows, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s\n", js)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, `print [{"program","loss","ms_per_iter"}] on stdout`)
	fl.IntVar(&iters, "iters", 20, "timed iterations per pair")
	fl.IntVar(&warmup, "warmup", 3, "untimed iterations first")
	fl.StringArrayVar(&programs, "program", nil, "only this built-in program or .dsp file (repeatable)")
	fl.StringArrayVar(&losses, "loss", nil, "only this loss (repeatable)")
	fl.Uint64Var(&seed, "seed", 1, "seed of the trial's target and start")
	return cmd
}

func init() { rootCmd.AddCommand(newBenchCmd()) }

// benchMedianMs is the median of times in milliseconds (NaN for none).
func benchMedianMs(times []time.Duration) float64 {
	if len(times) == 0 {
		return math.NaN()
	}
	s := slices.Clone(times)
	slices.Sort(s)
	m := len(s) / 2
	med := float64(s[m])
	if len(s)%2 == 0 {
		med = (float64(s[m-1]) + float64(s[m])) / 2
	}
	return med / 1e6
}
