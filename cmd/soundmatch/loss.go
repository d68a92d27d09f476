package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/audio"
	"github.com/soundmatch/soundmatch/loss"
)

// Flags of "soundmatch loss" (package level so tests can reset them).
var (
	lossName    string
	lossSets    []string
	lossGradOut string
)

var lossCmd = &cobra.Command{
	Use:   "loss --loss NAME [--set key=value]... [--grad-out G.f64] X TARGET",
	Short: "Evaluate a loss between two sounds, and optionally its gradient",
	Long: `loss evaluates the differentiable loss NAME between the sound X and the
sound TARGET and prints its value, with 17 significant digits, as the last
word of standard output:

  l1-spec 0.012345678901234567

X and TARGET are .wav files (integer PCM or float, mono or stereo, mixed
down to mono) or .f64 files (raw little-endian float64 samples). They must
have the same number of samples, at least one, all finite; when both are
WAV files their sample rates must agree. The losses and their settings are
listed by 'soundmatch losses'; every setting defaults to the study's method
and can be changed with --set name=value (repeatable). A loss with a
sample_rate setting (mel-l1) takes the rate of the WAV files unless
--set sample_rate=... is given.

With --grad-out G, the gradient dL/dX (one value per sample of X) is
written to G as raw little-endian float64, whatever G's extension.

Mistakes (an unknown loss or setting, a bad value, unreadable, empty or
non-finite sounds, sounds of different lengths) are reported on one line
and the exit status is 2.`,
	Example: `  soundmatch loss --loss l1-spec out.wav target.wav
  soundmatch loss --loss dtw-envelope --set divergence=true --grad-out grad.f64 out.f64 target.f64
  soundmatch loss --loss mss --set scales=256,512,1024 out.wav target.wav`,
	Args: func(cmd *cobra.Command, args []string) error {
		if len(args) != 2 {
			return userErrf("loss: want two sound files X and TARGET, got %d argument(s) (see 'soundmatch loss --help')", len(args))
		}
		return nil
	},
	RunE: runLoss,
}

func init() {
	f := lossCmd.Flags()
	f.StringVar(&lossName, "loss", "", "loss to evaluate (required; see 'soundmatch losses')")
	f.StringArrayVar(&lossSets, "set", nil, "loss setting name=value (repeatable)")
	f.StringVar(&lossGradOut, "grad-out", "", "write dL/dX to this file as raw little-endian float64")
	rootCmd.AddCommand(lossCmd)
}

func runLoss(cmd *cobra.Command, args []string) error {
	if lossName == "" {
		return userErrf("loss: --loss NAME is required (accepted: %s)", strings.Join(loss.Names(), ", "))
	}
	spec, ok := loss.Lookup(lossName)
	if !ok {
		return userErrf("loss: unknown loss %q (accepted: %s)", lossName, strings.Join(loss.Names(), ", "))
	}
	settings, err := parseSettings("--set", lossSets)
	if err != nil {
		return userErrf("loss: %v", err)
	}
	if err := checkOutputPath("--grad-out", lossGradOut); err != nil {
		return err
	}
	xPath, tPath := args[0], args[1]
	x, xRate, err := readLossSound(xPath)
	if err != nil {
		return err
	}
	t, tRate, err := readLossSound(tPath)
	if err != nil {
		return err
	}
	if len(x) != len(t) {
		return userErrf("loss: %s has %d samples but %s has %d: the sounds must have the same length", xPath, len(x), tPath, len(t))
	}
	if xRate != 0 && tRate != 0 && xRate != tRate {
		return userErrf("loss: %s is at %d Hz but %s is at %d Hz: the sounds must have the same sample rate", xPath, xRate, tPath, tRate)
	}
	if _, has := settings["sample_rate"]; !has {
		for _, st := range spec.Settings {
			if st.Name == "sample_rate" {
				if r := max(xRate, tRate); r > 0 {
					settings["sample_rate"] = strconv.Itoa(r)
				}
			}
		}
	}
	l, err := loss.New(lossName, t, settings)
	if err != nil {
		return userErrf("%v (X %s, TARGET %s: %d samples each)", err, xPath, tPath, len(t))
	}
	var grad []float64
	if lossGradOut != "" {
		grad = make([]float64, len(x))
	}
	v := l.Eval(x, grad)
	if grad != nil {
		buf := make([]byte, 8*len(grad))
		for i, g := range grad {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(g))
		}
		if err := os.WriteFile(lossGradOut, buf, 0o644); err != nil {
			return userErrf("loss: --grad-out: %v", err)
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s %.17g\n", lossName, v)
	return nil
}

// readLossSound reads a sound operand, refusing empty sounds; errors name
// the file.
func readLossSound(path string) ([]float64, int, error) {
	x, rate, err := audio.ReadFile(path)
	if err != nil {
		return nil, 0, userErrf("loss: %v", err)
	}
	if len(x) == 0 {
		return nil, 0, userErrf("loss: %s: no samples (want a sound of at least one sample)", path)
	}
	return x, rate, nil
}
