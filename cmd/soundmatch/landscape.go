package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/figure"
	"github.com/soundmatch/soundmatch/landscape"
	"github.com/soundmatch/soundmatch/synth"
)

func init() {
	var (
		lossName string
		targets  []string
		sets     []string
		xName    string
		yName    string
		grid     int
		out      string
		csvOut   string
		trajs    []string
		workers  int
		rate     float64
	)
	cmd := &cobra.Command{
		Use:   "landscape PROGRAM --loss NAME [-t name=value]... [flags]",
		Short: "Map a loss over a grid of two sliders",
		Long: `landscape renders the target sound of PROGRAM at the -t slider values
(sliders not given sit at their initial values), then evaluates the loss
over a grid of two sliders (--x and --y, default the first two) while every
other slider stays at its target value. It draws a heatmap with the target
marked (a 1-D curve for one-parameter programs or when --y is "none") and,
with --trajectory, overlays the paths of 'soundmatch match' runs read from
their trajectory.csv files.

The CSV (--csv) has one row per grid point: each parameter's value, then
"loss". Grid points are evaluated in parallel on --workers cores.`,
		Example: `  soundmatch landscape add-sinesaw --loss l1-spec -t saw_freq=440 -t sine_freq=220 -o land.png
  soundmatch landscape bp-noise --loss dtw-envelope -t lp_cut=500 -t hp_cut=60 --grid 32 --csv land.csv -o land.svg
  soundmatch match add-sinesaw --loss l1-spec -t saw_freq=440 -t sine_freq=220 --out run1
  soundmatch landscape add-sinesaw --loss l1-spec -t saw_freq=440 -t sine_freq=220 --trajectory run1/trajectory.csv -o land.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			prog, err := synth.Load(args[0], rate)
			if err != nil {
				return userErr(err)
			}
			params := prog.Params()
			target, err := landscapeTargets(prog, targets)
			if err != nil {
				return userErr(err)
			}
			settings, err := parseSettings("--set", sets)
			if err != nil {
				return userErr(err)
			}
			xi, yi, err := landscapeAxes(params, xName, yName)
			if err != nil {
				return userErr(err)
			}
			if grid < 2 || grid > 4096 {
				return userErrf("--grid %d: want 2 to 4096 points per axis", grid)
			}
			if out == "" && csvOut == "" {
				return userErrf("nothing to write: give -o FILE.png|.svg and/or --csv FILE")
			}
			if out != "" && !strings.HasSuffix(out, ".png") && !strings.HasSuffix(out, ".svg") {
				return userErrf("-o %s: want a .png or .svg file", out)
			}
			if err := checkOutputPaths("-o", out, "--csv", csvOut); err != nil {
				return err
			}
			var paths []figure.Path
			for _, tr := range trajs {
				p, err := readTrajectory(tr, params, xi, yi)
				if err != nil {
					return userErr(err)
				}
				paths = append(paths, p)
			}
			res, err := landscape.Compute(cmd.Context(), prog, target, landscape.Config{
				Loss: lossName, LossSettings: settings, X: xi, Y: yi, Grid: grid, Workers: workers,
			})
			if err != nil {
				return userErr(err)
			}
			if csvOut != "" {
				if err := writeLandscapeCSV(csvOut, res); err != nil {
					return err
				}
			}
			if out != "" {
				l := figure.Landscape{
					Title:   fmt.Sprintf("%s: %s landscape", res.Program, res.Loss),
					XLabel:  params[xi].Name,
					X:       res.XValues,
					Y:       res.YValues,
					Z:       res.Values,
					TargetX: target[xi],
					TargetY: math.NaN(),
					Paths:   paths,
				}
				if yi >= 0 {
					l.YLabel = params[yi].Name
					l.TargetY = target[yi]
				}
				if err := figure.SaveLandscape(l, out); err != nil {
					return err
				}
			}
			mx := fmt.Sprintf("%s=%g", params[xi].Name, res.XValues[res.MinX])
			if yi >= 0 {
				mx += fmt.Sprintf(" %s=%g", params[yi].Name, res.YValues[res.MinY])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "minimum at %s (loss %.6g)\n", mx, res.Values[res.MinY][res.MinX])
			for _, f := range []string{out, csvOut} {
				if f != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", f)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&lossName, "loss", "l1-spec", "loss to map (see 'soundmatch losses')")
	f.StringArrayVarP(&targets, "target-param", "t", nil, "target slider value name=value (repeatable; others at their initial value)")
	f.StringArrayVar(&sets, "set", nil, "loss setting key=value (repeatable)")
	f.StringVar(&xName, "x", "", "slider on the x axis (default: the first)")
	f.StringVar(&yName, "y", "", `slider on the y axis (default: the second; "none" for a 1-D slice)`)
	f.IntVar(&grid, "grid", 64, "grid points per axis")
	f.StringVarP(&out, "output", "o", "", "picture to write (.png or .svg)")
	f.StringVar(&csvOut, "csv", "", "CSV file to write (one row per grid point)")
	f.StringArrayVar(&trajs, "trajectory", nil, "trajectory.csv of a 'soundmatch match' run to overlay (repeatable)")
	f.IntVar(&workers, "workers", 0, "parallel workers (default: all cores)")
	f.Float64Var(&rate, "rate", 44100, "sample rate in Hz")
	rootCmd.AddCommand(cmd)
}

// landscapeTargets resolves -t name=value against the program's sliders;
// sliders not named sit at their initial value.
func landscapeTargets(prog *synth.Program, kvs []string) ([]float64, error) {
	params := prog.Params()
	v := make([]float64, len(params))
	for i, p := range params {
		v[i] = p.Init
	}
	if err := applySliders(prog, "-t", kvs, v); err != nil {
		return nil, err
	}
	return v, nil
}

func landscapeAxes(params []synth.Param, xName, yName string) (int, int, error) {
	xi, yi := 0, 1
	if xName != "" {
		if xi = paramIndex(params, xName); xi < 0 {
			return 0, 0, fmt.Errorf("--x %s: no such parameter (accepted: %s)", xName, paramRanges(params))
		}
	}
	switch {
	case yName == "none" || len(params) < 2:
		yi = -1
	case yName != "":
		if yi = paramIndex(params, yName); yi < 0 {
			return 0, 0, fmt.Errorf("--y %s: no such parameter (accepted: %s, none)", yName, paramRanges(params))
		}
	case xi == 1:
		yi = 0
	}
	if yi == xi {
		return 0, 0, fmt.Errorf("--x and --y both name %s: pick two different sliders", params[xi].Name)
	}
	return xi, yi, nil
}

// readTrajectory reads the x and y slider columns of a match trajectory.csv.
func readTrajectory(path string, params []synth.Param, xi, yi int) (figure.Path, error) {
	f, err := os.Open(path)
	if err != nil {
		return figure.Path{}, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return figure.Path{}, fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) < 2 {
		return figure.Path{}, fmt.Errorf("%s: no trajectory rows", path)
	}
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		return -1
	}
	cx, cy := col(params[xi].Name), -1
	if yi >= 0 {
		cy = col(params[yi].Name)
	}
	if cx < 0 || (yi >= 0 && cy < 0) {
		return figure.Path{}, fmt.Errorf("%s: not a trajectory of this program (columns %s)", path, strings.Join(rows[0], ","))
	}
	p := figure.Path{Name: path}
	for i, r := range rows[1:] {
		x, err := strconv.ParseFloat(r[cx], 64)
		if err != nil {
			return figure.Path{}, fmt.Errorf("%s: row %d: %v", path, i+2, err)
		}
		y := 0.0
		if cy >= 0 {
			if y, err = strconv.ParseFloat(r[cy], 64); err != nil {
				return figure.Path{}, fmt.Errorf("%s: row %d: %v", path, i+2, err)
			}
		}
		p.X = append(p.X, x)
		p.Y = append(p.Y, y)
	}
	return p, nil
}

func writeLandscapeCSV(path string, r *landscape.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	head := make([]string, 0, len(r.Params)+1)
	for _, p := range r.Params {
		head = append(head, p.Name)
	}
	w.Write(append(head, "loss"))
	rec := make([]string, len(head)+1)
	for iy, row := range r.Values {
		for ix, y := range row {
			for k := range r.Params {
				v := r.Target[k]
				if k == r.X {
					v = r.XValues[ix]
				} else if k == r.Y {
					v = r.YValues[iy]
				}
				rec[k] = strconv.FormatFloat(v, 'g', -1, 64)
			}
			rec[len(head)] = strconv.FormatFloat(y, 'g', -1, 64)
			w.Write(rec)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %v", path, err)
	}
	return f.Close()
}
