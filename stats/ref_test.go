package stats

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
)

// num is a float64 that also accepts the strings "NaN", "Inf", "-Inf".
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(s, 64)
		*n = num(f)
		return err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*n = num(f)
	return err
}

func load(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func floats(x []num) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func relClose(got, want, rel, abs float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if want == 0 {
		return math.Abs(got) <= abs
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func TestKruskalWallisScipy(t *testing.T) {
	var f struct {
		Cases []struct {
			Name     string
			Groups   [][]num
			Expected struct {
				H, P  num
				DF    int
				Error *string
			}
		}
	}
	load(t, "kruskal.json", &f)
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range f.Cases {
		groups := make([][]float64, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = floats(g)
		}
		got, err := KruskalWallis(groups)
		if c.Expected.Error != nil {
			if !errors.Is(err, ErrAllTied) || !math.IsNaN(got.H) || !math.IsNaN(got.P) {
				t.Errorf("%s: got %+v, %v; want NaN with ErrAllTied", c.Name, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		e := c.Expected
		// H = 0 exactly in scipy can come out as ±1e-15 here.
		if !relClose(got.H, float64(e.H), 1e-9, 1e-12) || !relClose(got.P, float64(e.P), 1e-8, 1e-300) || got.DF != e.DF {
			t.Errorf("%s: got H=%.17g p=%.17g df=%d, want H=%.17g p=%.17g df=%d", c.Name, got.H, got.P, got.DF, e.H, e.P, e.DF)
		}
	}
}

func TestSpearmanScipy(t *testing.T) {
	var f struct {
		Cases []struct {
			Name     string
			X, Y     []num
			Expected struct {
				Rho, P num
				N      int
			}
		}
	}
	load(t, "spearman.json", &f)
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range f.Cases {
		got, err := Spearman(floats(c.X), floats(c.Y))
		e := c.Expected
		if math.IsNaN(float64(e.Rho)) {
			if !errors.Is(err, ErrConstant) || !math.IsNaN(got.Rho) || !math.IsNaN(got.P) {
				t.Errorf("%s: got %+v, %v; want NaN with ErrConstant", c.Name, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if !relClose(got.Rho, float64(e.Rho), 1e-9, 1e-15) || !relClose(got.P, float64(e.P), 1e-8, 1e-300) || got.N != e.N {
			t.Errorf("%s: got ρ=%.17g p=%.17g n=%d, want ρ=%.17g p=%.17g n=%d", c.Name, got.Rho, got.P, got.N, e.Rho, e.P, e.N)
		}
	}
}

func TestResampleMeans(t *testing.T) {
	var f struct {
		Cases []struct {
			Name          string
			Values        []num
			Indices       [][]int
			ExpectedMeans []num `json:"expected_means"`
		}
	}
	load(t, "bootstrap.json", &f)
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range f.Cases {
		got := ResampleMeans(nil, floats(c.Values), c.Indices)
		for b, want := range c.ExpectedMeans {
			if !relClose(got[b], float64(want), 1e-14, 1e-300) {
				t.Errorf("%s: mean %d = %.17g, want %.17g", c.Name, b, got[b], want)
			}
		}
	}
}

func TestCliffReference(t *testing.T) {
	var f struct {
		Cases []struct {
			Name     string
			A, B     []num
			Expected struct {
				Delta     num
				Magnitude string
			}
		}
	}
	load(t, "cliff.json", &f)
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range f.Cases {
		a, b := floats(c.A), floats(c.B)
		d := CliffDelta(a, b)
		sa, sb := slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
		if d2 := cliffBothSorted(sa, sb); d2 != d {
			t.Errorf("%s: merge count %v != binary-search count %v", c.Name, d2, d)
		}
		if d != float64(c.Expected.Delta) || CliffMagnitude(d).String() != c.Expected.Magnitude {
			t.Errorf("%s: got δ=%v (%v), want %v (%s)", c.Name, d, CliffMagnitude(d), c.Expected.Delta, c.Expected.Magnitude)
		}
	}
}

type skCase struct {
	Name     string
	Names    []string
	Columns  [][]num
	Expected map[string]json.RawMessage
}

func columns(c skCase) [][]float64 {
	out := make([][]float64, len(c.Columns))
	for i, col := range c.Columns {
		out[i] = floats(col)
	}
	return out
}

var branches = map[string]SKBranch{"development": Development, "master": Master}

func TestNPSKNamedCases(t *testing.T) {
	var f struct{ Cases []skCase }
	load(t, "npsk.json", &f)
	if len(f.Cases) != 19 {
		t.Fatalf("%d cases, want 19", len(f.Cases))
	}
	for _, c := range f.Cases {
		for bname, br := range branches {
			var e struct{ Ranks map[string]int }
			if err := json.Unmarshal(c.Expected[bname], &e); err != nil || len(e.Ranks) == 0 {
				t.Fatalf("%s/%s: bad expected block: %v", c.Name, bname, err)
			}
			got, err := ScottKnottESD(columns(c), SKOptions{Version: NonParametric, Branch: br})
			if err != nil {
				t.Fatalf("%s/%s: %v", c.Name, bname, err)
			}
			for i, name := range c.Names {
				if got[i] != e.Ranks[name] {
					t.Errorf("%s/%s: ranks %v (order %v), want %v", c.Name, bname, got, c.Names, e.Ranks)
					break
				}
			}
		}
	}
}

func TestNPSKFuzz(t *testing.T) {
	var f struct{ Cases []skCase }
	load(t, "npsk_fuzz.json", &f)
	if len(f.Cases) != 400 {
		t.Fatalf("%d cases, want 400", len(f.Cases))
	}
	for _, c := range f.Cases {
		for bname, br := range branches {
			var e struct{ Ranks []int }
			if err := json.Unmarshal(c.Expected[bname], &e); err != nil || len(e.Ranks) != len(c.Names) {
				t.Fatalf("%s/%s: bad expected block: %v", c.Name, bname, err)
			}
			got, err := ScottKnottESD(columns(c), SKOptions{Version: NonParametric, Branch: br})
			if err != nil {
				t.Fatalf("%s/%s: %v", c.Name, bname, err)
			}
			if !slices.Equal(got, e.Ranks) {
				t.Errorf("%s/%s: ranks %v, want %v", c.Name, bname, got, e.Ranks)
			}
		}
	}
}

// TestSKAgainstR compares both versions and both branches with the output
// of the ScottKnottESD R package itself. R's group vector is in median
// order for "np" (its names are in mean order, a known R mislabelling, so
// they are not used) and in mean order for "p" (where names are right).
func TestSKAgainstR(t *testing.T) {
	var cross struct {
		Cases []struct {
			Name, File string
			R          map[string]struct {
				Group []int
				Names []string
			}
		}
	}
	load(t, "npsk_r_crosscheck.json", &cross)
	data := map[string]skCase{}
	for _, file := range []string{"npsk.json", "npsk_fuzz.json"} {
		var f struct{ Cases []skCase }
		load(t, file, &f)
		for _, c := range f.Cases {
			data[file+"/"+c.Name] = c
		}
	}
	if len(cross.Cases) != 419 {
		t.Fatalf("%d R cases, want 419", len(cross.Cases))
	}
	checked := 0
	for _, rc := range cross.Cases {
		c, ok := data[rc.File+"/"+rc.Name]
		if !ok {
			t.Fatalf("R case %s/%s has no data", rc.File, rc.Name)
		}
		cols := columns(c)
		for key, r := range rc.R {
			var opt SKOptions
			switch key {
			case "master_np":
				opt = SKOptions{NonParametric, Master}
			case "development_np":
				opt = SKOptions{NonParametric, Development}
			case "master_p":
				opt = SKOptions{Parametric, Master}
			case "development_p":
				opt = SKOptions{Parametric, Development}
			default:
				t.Fatalf("unknown R result %q", key)
			}
			got, err := ScottKnottESD(cols, opt)
			if err != nil {
				t.Fatalf("%s/%s: %v", rc.Name, key, err)
			}
			var want []int
			if opt.Version == Parametric {
				want = make([]int, len(cols))
				for i, name := range r.Names {
					want[slices.Index(c.Names, name)] = r.Group[i]
				}
			} else {
				want = byMedianPosition(cols, r.Group)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s/%s: ranks %v, R says %v", rc.Name, key, got, want)
			}
			checked++
		}
	}
	if checked != 4*419 {
		t.Errorf("checked %d results, want %d", checked, 4*419)
	}
}

// byMedianPosition maps groups listed by decreasing median (later column
// first on ties) back to column order. Written independently of
// ScottKnottESD's ordering code.
func byMedianPosition(cols [][]float64, groupByPos []int) []int {
	type tm struct {
		col int
		med float64
	}
	var ts []tm
	for i, c := range cols {
		s := slices.Sorted(slices.Values(c))
		m := s[len(s)/2]
		if len(s)%2 == 0 {
			m = (s[len(s)/2-1] + s[len(s)/2]) / 2
		}
		ts = append(ts, tm{i, m})
	}
	slices.SortFunc(ts, func(a, b tm) int {
		if a.med != b.med {
			if a.med > b.med {
				return -1
			}
			return 1
		}
		return b.col - a.col
	})
	out := make([]int, len(cols))
	for p, x := range ts {
		out[x.col] = groupByPos[p]
	}
	return out
}
