package report

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/soundmatch/soundmatch/figure"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// pictureJob draws one picture (in one or more formats).
type pictureJob struct {
	kind    string // "violin" or "curves"
	program string
	eval    Evaluation
	loss    string   // curves only
	files   []string // names relative to the report directory
	run     func() error
}

// fileName keeps a name usable in a file name on every system.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// pictureJobs lists the pictures of the report; their names are needed by
// report.md even when pictures are not drawn.
func (r *Report) pictureJobs(dir string) []pictureJob {
	var jobs []pictureJob
	for _, c := range r.Cells {
		if len(c.Groups) < 2 {
			continue
		}
		base := fmt.Sprintf("violin_%s_%s", fileName(c.Program), c.Eval.file())
		files := []string{base + ".png", base + ".svg"}
		jobs = append(jobs, pictureJob{kind: "violin", program: c.Program, eval: c.Eval, files: files,
			run: func() error { return violinPicture(c, dir, files) }})
	}
	for _, cv := range r.Curves {
		files := []string{fmt.Sprintf("curve_%s_%s.png", fileName(cv.Program), fileName(cv.Loss))}
		jobs = append(jobs, pictureJob{kind: "curves", program: cv.Program, loss: cv.Loss, files: files,
			run: func() error { return curvePicture(cv, dir, files[0]) }})
	}
	return jobs
}

// runJobs draws the pictures on all cores; the first error (in job order) wins.
func runJobs(jobs []pictureJob) error {
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = jobs[i].run()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// rankColor is the fill of rank r (1-based).
func rankColor(r int) color.Color {
	if r < 1 {
		return color.Gray{Y: 200}
	}
	c := plotutil.SoftColors[(r-1)%len(plotutil.SoftColors)]
	return c
}

// swatch is a legend entry: a filled square.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.c, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

func violinPicture(c *Cell, dir string, files []string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s (bootstrap of the %s)", c.Program, c.Eval, c.Eval.statistic())
	p.Y.Label.Text = c.Eval.statistic() + " " + c.Eval.String() + " (higher = better)"
	names := make([]string, len(c.Groups))
	maxRank := 0
	for i, g := range c.Groups {
		names[i] = g.Loss
		maxRank = max(maxRank, g.Rank)
		// 1/mean is +Inf for a resample of zeros only (every trial a
		// perfect match); such values have no place on the axis.
		finite := make([]float64, 0, len(g.Boot))
		for _, b := range g.Boot {
			if !math.IsInf(b, 0) {
				finite = append(finite, b)
			}
		}
		if len(finite) == 0 {
			continue
		}
		v, err := figure.NewViolin(finite, float64(i), rankColor(g.Rank))
		if err != nil {
			return fmt.Errorf("report: %s %s %s: %v", c.Program, c.Eval, g.Loss, err)
		}
		p.Add(v)
	}
	// Head room for the legend above the tallest violin.
	p.Y.Max += float64(0.25 * (p.Y.Max - p.Y.Min))
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.Add(plotter.NewGrid())
	for rk := 1; rk <= maxRank; rk++ {
		p.Legend.Add(fmt.Sprintf("rank %d", rk), swatch{rankColor(rk)})
	}
	p.Legend.Top = true
	w := vg.Length(max(4, 1+len(names))) * vg.Inch
	for _, f := range files {
		if err := figure.Save(p, filepath.Join(dir, f), w, 3.5*vg.Inch); err != nil {
			return fmt.Errorf("report: %v", err)
		}
	}
	return nil
}

func curvePicture(cv *Curve, dir, file string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s / %s: training loss", cv.Program, cv.Loss)
	p.X.Label.Text = "iteration"
	p.Y.Label.Text = "loss (median, 25%–75%)"
	line := func(y []float64) plotter.XYs {
		var pts plotter.XYs
		for i, v := range y {
			if v == v { // skip NaN
				pts = append(pts, plotter.XY{X: float64(i + 1), Y: v})
			}
		}
		return pts
	}
	med := line(cv.Median)
	if len(med) == 0 {
		return nil
	}
	for _, q := range [][]float64{cv.Q25, cv.Q75} {
		l, err := plotter.NewLine(line(q))
		if err != nil {
			return fmt.Errorf("report: curve %s/%s: %v", cv.Program, cv.Loss, err)
		}
		l.Color = color.Gray{Y: 150}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		p.Add(l)
	}
	l, err := plotter.NewLine(med)
	if err != nil {
		return fmt.Errorf("report: curve %s/%s: %v", cv.Program, cv.Loss, err)
	}
	l.Width = vg.Points(1.5)
	p.Add(l)
	if err := figure.Save(p, filepath.Join(dir, file), 4*vg.Inch, 3*vg.Inch); err != nil {
		return fmt.Errorf("report: %v", err)
	}
	return nil
}
