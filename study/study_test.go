package study

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soundmatch/soundmatch/store"
)

const tinyConfig = `
seed = 7
trials = 6
iterations = 5
programs = ["noise-am", "bp-noise"]
[[losses]]
name = "fake-a"
[[losses]]
name = "fake-b"
[[losses]]
name = "fake-c"
settings = { w = 2.5 }
[optimizer]
lr = 0.1
`

func tiny(t testing.TB) *Config {
	t.Helper()
	c, err := Parse("tiny.toml", []byte(tinyConfig))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openDB(t testing.TB, dir, name string) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// exportNoTiming exports db as CSV without its timing columns.
func exportNoTiming(t testing.TB, db *store.DB) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := ExportCSV(context.Background(), db, &buf); err != nil {
		t.Fatal(err)
	}
	return stripTiming(buf.String())
}

func stripTiming(csv string) string {
	lines := strings.Split(csv, "\n")
	for i, l := range lines {
		if j := strings.LastIndex(l, ","); j >= 0 {
			lines[i] = l[:j] // wall_ms is the last column
		}
	}
	return strings.Join(lines, "\n")
}

func run(t testing.TB, db *store.DB, cfg *Config, opt Options) Summary {
	t.Helper()
	if opt.Runner == nil {
		opt.Runner = &fakeRunner{cfg: cfg}
	}
	s, err := Run(context.Background(), db, cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTrialSeedStable(t *testing.T) {
	// Values from an independent implementation (Python hashlib) of the
	// documented derivation: SHA-256 of "soundmatch trial seed v1\0",
	// seed (LE uint64), program, "\0", loss, "\0", index (LE uint64).
	for _, c := range []struct {
		seed          uint64
		program, loss string
		i             int
		want          uint64
	}{
		{1, "bp-noise", "", 0, 12840093681560621726},
		{1, "bp-noise", "", 299, 245683358095517756},
		{42, "mine", "jtfs", 7, 10296558846135138866},
	} {
		if got := TrialSeed(c.seed, c.program, c.loss, c.i); got != c.want {
			t.Errorf("TrialSeed(%d, %q, %q, %d) = %d, want %d", c.seed, c.program, c.loss, c.i, got, c.want)
		}
	}
}

func TestPlanShards(t *testing.T) {
	cfg := tiny(t)
	plan := cfg.Plan()
	if len(plan) != 6*2*3 {
		t.Fatalf("plan has %d trials, want 36", len(plan))
	}
	for _, n := range []int{1, 2, 3, 5, 7, 36, 50} {
		seen := map[store.Key]int{}
		for k := range n {
			for _, tk := range (Shard{k, n}).Select(plan) {
				seen[store.Key{Program: tk.Program.Name, Loss: tk.Loss.Label, Index: tk.Index}]++
			}
		}
		if len(seen) != len(plan) {
			t.Errorf("%d shards cover %d of %d trials", n, len(seen), len(plan))
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("%d shards: %v in %d shards", n, k, c)
			}
		}
	}
	for _, bad := range []string{"2/2", "-1/2", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

func TestPairedDesign(t *testing.T) {
	ctx := context.Background()
	for _, paired := range []bool{true, false} {
		cfg := tiny(t)
		cfg.Paired = paired
		db := openDB(t, t.TempDir(), "s.db")
		run(t, db, cfg, Options{Workers: 2})
		trials, err := db.Trials(ctx, store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		type pi struct {
			p string
			i int
		}
		draws := map[pi][]store.Trial{}
		for _, tr := range trials {
			draws[pi{tr.Program, tr.Index}] = append(draws[pi{tr.Program, tr.Index}], tr)
		}
		distinct := map[uint64]bool{}
		for k, trs := range draws {
			if len(trs) != 3 {
				t.Fatalf("%v: %d losses", k, len(trs))
			}
			for _, tr := range trs[1:] {
				same := tr.Seed == trs[0].Seed && reflect.DeepEqual(tr.Target, trs[0].Target) && reflect.DeepEqual(tr.Start, trs[0].Start)
				if same != paired {
					t.Errorf("paired=%v: %s/%d: %s and %s have same draw = %v", paired, k.p, k.i, trs[0].Loss, tr.Loss, same)
				}
			}
			for _, tr := range trs {
				distinct[tr.Seed] = true
			}
		}
		want := 12
		if !paired {
			want = 36
		}
		if len(distinct) != want {
			t.Errorf("paired=%v: %d distinct seeds, want %d", paired, len(distinct), want)
		}
	}
}

// TestDeterminism: the exported CSV (timing aside) is the same for one
// worker, two workers finishing out of order, and two shards merged.
func TestDeterminism(t *testing.T) {
	dir := t.TempDir()
	cfg := tiny(t)
	one := openDB(t, dir, "one.db")
	run(t, one, cfg, Options{Workers: 1})
	want := exportNoTiming(t, one)
	if n := strings.Count(want, "\n"); n != 37 {
		t.Fatalf("export has %d lines, want 37:\n%s", n, want)
	}

	two := openDB(t, dir, "two.db")
	run(t, two, cfg, Options{Workers: 2, Runner: &fakeRunner{cfg: cfg, jitter: 3 * time.Millisecond}})
	if got := exportNoTiming(t, two); got != want {
		t.Errorf("--workers 2 export differs from --workers 1:\n%s\nvs\n%s", got, want)
	}

	for k := range 2 {
		s := openDB(t, dir, "shard"+strconv.Itoa(k)+".db")
		sum := run(t, s, cfg, Options{Workers: 2, Shard: Shard{k, 2}})
		if sum.Ran != 18 {
			t.Errorf("shard %d/2 ran %d trials, want 18", k, sum.Ran)
		}
	}
	merged := openDB(t, dir, "merged.db")
	if _, err := Merge(context.Background(), merged, []string{filepath.Join(dir, "shard1.db"), filepath.Join(dir, "shard0.db")}); err != nil {
		t.Fatal(err)
	}
	if got := exportNoTiming(t, merged); got != want {
		t.Errorf("merged shards export differs from a single run:\n%s\nvs\n%s", got, want)
	}
	st, err := ReadStatus(context.Background(), merged)
	if err != nil {
		t.Fatal(err)
	}
	if st.Planned != 36 || st.Done != 36 || st.Remaining() != 0 || st.Shard != "" {
		t.Errorf("status of merged db: %+v", st)
	}
	// A rerun on a complete database does nothing.
	if sum := run(t, one, cfg, Options{Workers: 2}); sum.Ran != 0 || sum.Skipped != 36 {
		t.Errorf("rerun of a finished study: %+v", sum)
	}
}

func TestResumeAfterCancel(t *testing.T) {
	dir := t.TempDir()
	cfg := tiny(t)
	ref := openDB(t, dir, "ref.db")
	run(t, ref, cfg, Options{Workers: 2})

	db := openDB(t, dir, "s.db")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Run(ctx, db, cfg, Options{Workers: 2, Runner: &fakeRunner{cfg: cfg, delay: time.Millisecond}, Progress: func(p Progress) {
		if p.Done == 10 {
			cancel()
		}
	}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("cancelled run: err = %v, want ErrInterrupted", err)
	}
	st, _ := ReadStatus(context.Background(), db)
	if st.Done < 10 || st.Done >= 36 {
		t.Fatalf("after cancel: %d trials stored", st.Done)
	}
	sum := run(t, db, cfg, Options{Workers: 2})
	if sum.Skipped != st.Done || sum.Ran != 36-st.Done {
		t.Errorf("resume: %+v after %d stored", sum, st.Done)
	}
	if got, want := exportNoTiming(t, db), exportNoTiming(t, ref); got != want {
		t.Errorf("resumed study differs from an uninterrupted one")
	}
}

func TestFailedTrialsRecorded(t *testing.T) {
	ctx := context.Background()
	cfg := tiny(t)
	db := openDB(t, t.TempDir(), "s.db")
	r := &fakeRunner{cfg: cfg,
		nan:  func(tk Task) bool { return tk.Index == 2 && tk.Loss.Label == "fake-a" },
		fail: func(tk Task) bool { return tk.Index == 4 && tk.Program.Name == "bp-noise" && tk.Loss.Label == "fake-b" },
	}
	sum := run(t, db, cfg, Options{Workers: 2, Runner: r})
	if sum.Ran != 36 || sum.Failed != 3 {
		t.Fatalf("summary %+v, want 36 run, 3 failed", sum)
	}
	failed, err := db.Trials(ctx, store.Filter{Status: []string{store.StatusFailed}})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, tr := range failed {
		reasons[tr.Key().String()] = tr.Reason
	}
	want := map[string]string{
		"bp-noise/fake-a/2": "final loss is NaN",
		"noise-am/fake-a/2": "final loss is NaN",
		"bp-noise/fake-b/4": "synthesizer exploded at trial 4",
	}
	if !reflect.DeepEqual(reasons, want) {
		t.Errorf("failed trials %v, want %v", reasons, want)
	}
	var buf bytes.Buffer
	if _, err := ExportCSV(ctx, db, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "bp-noise,fake-a,2,") || !strings.Contains(buf.String(), ",failed,final loss is NaN,5,,") {
		t.Errorf("failed trial not exported with empty loss:\n%s", buf.String())
	}
}

func TestConfigMismatchRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := tiny(t)
	db := openDB(t, dir, "s.db")
	run(t, db, cfg, Options{Workers: 1})
	other := tiny(t)
	other.Trials = 10
	other.Losses[2].Settings = map[string]string{"w": "3"}
	_, err := Run(context.Background(), db, other, Options{Runner: &fakeRunner{cfg: other}})
	if err == nil {
		t.Fatal("a database of another config was accepted")
	}
	for _, want := range []string{"s.db", "another study config", "trials: 6 (database) vs 10 (given)", "losses[2].settings.w: 2.5 (database) vs 3 (given)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// Writing a default explicitly is the same study.
	same := tiny(t)
	same.Losses[0].Settings = map[string]string{"w": "1"}
	if _, err := Run(context.Background(), db, same, Options{Runner: &fakeRunner{cfg: same}}); err != nil {
		t.Errorf("explicit default setting refused: %v", err)
	}

	// Merging databases of different studies.
	odb := openDB(t, dir, "other.db")
	run(t, odb, other, Options{Runner: &fakeRunner{cfg: other}})
	out := openDB(t, dir, "out.db")
	_, err = Merge(context.Background(), out, []string{filepath.Join(dir, "s.db"), filepath.Join(dir, "other.db")})
	if err == nil || !strings.Contains(err.Error(), "different studies") || !strings.Contains(err.Error(), "trials: 6") {
		t.Errorf("merge of different studies: err = %v", err)
	}
	if st, err := ReadStatus(context.Background(), out); err == nil {
		t.Errorf("refused merge wrote a study into the output: %+v", st)
	}
}

func TestMergeRefusesDisagreeingDuplicates(t *testing.T) {
	dir := t.TempDir()
	cfg := tiny(t)
	a := openDB(t, dir, "a.db")
	run(t, a, cfg, Options{Workers: 2})
	// Same config, but a runner that computes something else for one trial
	// (as a different build of the maths would).
	b := openDB(t, dir, "b.db")
	run(t, b, cfg, Options{Workers: 2, Runner: &fakeRunner{cfg: cfg, nan: func(tk Task) bool { return tk.Index == 3 && tk.Program.Name == "noise-am" && tk.Loss.Label == "fake-c" }}})
	out := openDB(t, dir, "out.db")
	_, err := Merge(context.Background(), out, []string{filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")})
	if err == nil || !strings.Contains(err.Error(), "noise-am/fake-c/3") {
		t.Fatalf("merge with a disagreeing duplicate: err = %v", err)
	}
	if got, want := exportNoTiming(t, out), exportNoTiming(t, a); got != want {
		t.Errorf("output after the refused input is not the first input alone")
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"trials = \"many\"", "bad.toml:1:"},
		{"trails = 3", `bad.toml:1:1: unknown field "trails"`},
		{"trials = 0", "trials = 0: want at least 1"},
		{"programs = []", "no programs"},
		{"programs = [\"bp-noise\", \"bp-noise\"]", `program "bp-noise" appears twice`},
		{"programs = [\"bp-nosie\"]", `unknown program "bp-nosie"`},
		{"programs = [\"missing.dsp\"]", "missing.dsp"},
		{"[[losses]]\nname = \"fake-a\"\n[[losses]]\nname = \"fake-a\"", "give the copies different labels"},
		{"[optimizer]\nlr = -1", "optimizer lr"},
		{"[[losses]]\nname = \"fake-a\"\nsettings = { w = [1] }", "setting w"},
	} {
		_, err := Parse("bad.toml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): err = %v, want it to contain %q", c.src, err, c.want)
		}
	}
	cfg, err := Parse("ok.toml", []byte("[[losses]]\nname = \"nope\""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Identity(); err == nil || !strings.Contains(err.Error(), `unknown loss "nope"`) {
		t.Errorf("unknown loss: err = %v", err)
	}
	cfg, _ = Parse("ok.toml", []byte("[[losses]]\nname = \"fake-a\"\nsettings = { q = 1 }"))
	if _, err := cfg.Identity(); err == nil || !strings.Contains(err.Error(), `unknown setting "q"`) {
		t.Errorf("unknown setting: err = %v", err)
	}
}

func TestPaperConfig(t *testing.T) {
	p := Paper()
	fromText, err := Parse("paper.toml", []byte(PaperText()))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.Canonical(nil)
	b, _ := fromText.Canonical(nil)
	if a != b {
		t.Errorf("PaperText does not parse to Paper():\n%s\nvs\n%s", b, a)
	}
	if len(p.Plan()) != 4*5*300 || p.Iterations != 200 || p.Optimizer.LR != 0.045 || !p.Paired {
		t.Errorf("paper config is not METHOD's: %+v", p)
	}
	back, err := ParseCanonical(a)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := back.Canonical(nil); c != a {
		t.Errorf("canonical text does not round-trip")
	}
}

// The crash test runs a study in a child process (this test binary,
// re-entered through TestMain), kills it with SIGKILL mid-run, reruns the
// same command, and compares with an uninterrupted run.

const (
	helperEnv  = "SOUNDMATCH_STUDY_HELPER_DB"
	helperReal = "SOUNDMATCH_STUDY_HELPER_REAL"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		os.Exit(helperMain(path))
	}
	os.Exit(m.Run())
}

// helperMain runs a study in the child process: the fake runner (slowed
// down so it can be killed mid-run), or with helperReal set the real one.
func helperMain(path string) int {
	src := tinyConfig
	if os.Getenv(helperReal) != "" {
		src = realConfig
	}
	cfg, err := Parse("tiny.toml", []byte(src))
	if err != nil {
		return 3
	}
	// Trials are slowed down so the parent can kill the child mid-run
	// even on a loaded machine.
	var r Runner = &fakeRunner{cfg: cfg, delay: 40 * time.Millisecond, jitter: 20 * time.Millisecond}
	if os.Getenv(helperReal) != "" {
		real, err := NewMatchRunner(cfg)
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			return 3
		}
		r = slowRunner{real, 60 * time.Millisecond}
	}
	db, err := store.Open(path)
	if err != nil {
		return 3
	}
	defer db.Close()
	_, err = Run(context.Background(), db, cfg, Options{Workers: 2, Runner: r})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

// slowRunner delays every trial of a runner.
type slowRunner struct {
	Runner
	delay time.Duration
}

func (s slowRunner) NewWorker() (Worker, error) {
	w, err := s.Runner.NewWorker()
	return slowWorker{w, s.delay}, err
}

type slowWorker struct {
	Worker
	delay time.Duration
}

func (s slowWorker) Run(ctx context.Context, t Task) (*store.Trial, error) {
	time.Sleep(s.delay)
	return s.Worker.Run(ctx, t)
}

func TestKill9Resume(t *testing.T) {
	cfg := tiny(t)
	testKill9(t, cfg, &fakeRunner{cfg: cfg}, false, 8)
}

// TestKill9ResumeReal is the same with the real synth, losses and match.
func TestKill9ResumeReal(t *testing.T) {
	cfg, r := realTiny(t)
	testKill9(t, cfg, r, true, 3)
}

// testKill9 starts the helper study, kills it with SIGKILL twice after it
// stored at least step more trials, lets a third run finish, and compares
// with an uninterrupted in-process run.
func testKill9(t *testing.T, cfg *Config, r Runner, real bool, step int) {
	dir := t.TempDir()
	ref := openDB(t, dir, "ref.db")
	run(t, ref, cfg, Options{Workers: 2, Runner: r})
	total := len(cfg.Plan())

	path := filepath.Join(dir, "crash.db")
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+path)
		if real {
			cmd.Env = append(cmd.Env, helperReal+"=1")
		}
		return cmd
	}
	stored := func() int {
		db, err := store.Open(path)
		if err != nil {
			return 0
		}
		defer db.Close()
		done, err := db.Done(context.Background())
		if err != nil {
			return 0
		}
		return len(done)
	}
	for kill := range 2 {
		before := stored()
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for stored() < before+step && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		cmd.Process.Kill() // SIGKILL: no deferred code, no clean shutdown
		cmd.Wait()
		n := stored()
		t.Logf("kill %d: %d of %d trials stored", kill+1, n, total)
		if n >= total {
			t.Fatalf("the child finished before it was killed; slow it down")
		}
		if n < before+step {
			t.Fatalf("the child stored only %d trials in 30 s", n-before)
		}
	}
	out, err := child().CombinedOutput()
	if err != nil {
		t.Fatalf("rerun after kill -9: %v\n%s", err, out)
	}
	db := openDB(t, dir, "crash.db")
	if got, want := exportNoTiming(t, db), exportNoTiming(t, ref); got != want {
		t.Errorf("study resumed after kill -9 differs from an uninterrupted run:\n%s\nvs\n%s", got, want)
	}
}

// TestFullDiskStopsCleanly fills the database (max_page_count stands in
// for a full disk) in the middle of a study: the run stops with an error
// that says so, the trials stored before are intact, and once there is
// room again the same run completes to the uninterrupted result.
func TestFullDiskStopsCleanly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := tiny(t)
	ref := openDB(t, dir, "ref.db")
	run(t, ref, cfg, Options{Workers: 2})

	db := openDB(t, dir, "s.db")
	db.SQL.SetMaxOpenConns(1) // the pragma is per connection
	cctx, cancel := context.WithCancel(ctx)
	Run(cctx, db, cfg, Options{Workers: 2, Runner: &fakeRunner{cfg: cfg}, Progress: func(p Progress) {
		if p.Done == 10 {
			cancel()
		}
	}})
	before, err := db.Trials(ctx, store.Filter{Trajectory: true})
	if err != nil || len(before) < 10 {
		t.Fatalf("%d trials before the disk fills (%v)", len(before), err)
	}
	var pages int
	db.SQL.QueryRow(`PRAGMA page_count`).Scan(&pages)
	if _, err := db.SQL.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	r := &fakeRunner{cfg: cfg}
	r.trajPad = 5000 // big rows, so the page limit is hit at once
	_, err = Run(ctx, db, cfg, Options{Workers: 2, Runner: r})
	if err == nil || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("run on a full disk: err = %v", err)
	}
	after, err := db.Trials(ctx, store.Filter{Trajectory: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("%d trials after the failed write, %d before", len(after), len(before))
	}
	for i := range before {
		if !reflect.DeepEqual(stripTimes(before[i]), stripTimes(after[i])) {
			t.Errorf("trial %s changed", before[i].Key())
		}
	}
	if _, err := db.SQL.Exec(`PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	run(t, db, cfg, Options{Workers: 2})
	if got, want := exportNoTiming(t, db), exportNoTiming(t, ref); got != want {
		t.Errorf("study completed after the full disk differs from an uninterrupted one")
	}
}

func stripTimes(t store.Trial) store.Trial {
	t.FinishedAt = time.Time{}
	return t
}

// TestOtherBuildRefused: a portable study (every arm a gradient optimizer)
// records "portable"; one with a CMA-ES arm records the architecture, and
// a database of such a study computed on another architecture is another
// study (its last bits differ).
func TestOtherBuildRefused(t *testing.T) {
	ctx := context.Background()
	cfg := tiny(t)
	text, err := cfg.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "build = '"+Portable+"'") {
		t.Fatalf("canonical text of a gradient-only study is not portable:\n%s", text)
	}
	cfg.Losses[0].Optimizer = &Optimizer{Name: "cmaes"}
	text, err = cfg.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "build = '"+BuildArch()+"'") || !strings.Contains(BuildArch(), runtime.GOARCH) {
		t.Fatalf("canonical text of a CMA-ES study does not record the architecture %q:\n%s", BuildArch(), text)
	}
	db := openDB(t, t.TempDir(), "s.db")
	other := strings.Replace(text, "build = '"+BuildArch()+"'", "build = 'arm64 GOARM64=v8.0'", 1)
	if err := db.SaveConfig(ctx, other, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, db, cfg, Options{Runner: &fakeRunner{cfg: cfg}})
	if err == nil || !strings.Contains(err.Error(), "build: arm64 GOARM64=v8.0 (database) vs "+BuildArch()+" (given)") {
		t.Errorf("database of another build: err = %v", err)
	}
}

// TestBuildsRecorded: each database lists the builds that computed its
// trials, a resumed run by another build adds itself, and merge unions the
// lists, so status can warn about mixed code.
func TestBuildsRecorded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := tiny(t)
	a := openDB(t, dir, "a.db")
	cctx, cancel := context.WithCancel(ctx)
	Run(cctx, a, cfg, Options{Workers: 1, Runner: &fakeRunner{cfg: cfg}, Build: "build-1", Progress: func(p Progress) {
		if p.Done == 5 {
			cancel()
		}
	}})
	run(t, a, cfg, Options{Workers: 1, Build: "build-2"})
	run(t, a, cfg, Options{Workers: 1, Build: "build-3"}) // nothing left to run: not recorded
	st, err := ReadStatus(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Builds, []string{"build-1", "build-2"}) {
		t.Errorf("builds of a resumed study: %v", st.Builds)
	}
	b := openDB(t, dir, "b.db")
	run(t, b, cfg, Options{Workers: 1, Build: "build-4"})
	out := openDB(t, dir, "out.db")
	if _, err := Merge(ctx, out, []string{filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := Builds(ctx, out); !reflect.DeepEqual(got, []string{"build-1", "build-2", "build-4"}) {
		t.Errorf("builds after merge: %v", got)
	}
	if fp := ExecutableFingerprint(); len(fp) != 16 {
		t.Errorf("ExecutableFingerprint() = %q", fp)
	}
}

// TestBadLossSettingRefusedBeforeStoring: a setting value a loss refuses
// must stop the study up front, not be stored as one failed trial per
// (program, trial) under a config the user then has to throw away.
func TestBadLossSettingRefusedBeforeStoring(t *testing.T) {
	for _, bad := range []struct{ name, key, value string }{
		{"fake-b", "w", "abc"},
		{"l1-spec", "hop", "abc"},
	} {
		dir := t.TempDir()
		cfg := tiny(t)
		cfg.Losses[1].Name = bad.name
		cfg.Losses[1].Settings = map[string]string{bad.key: bad.value}
		db := openDB(t, dir, "s.db")
		_, err := Run(context.Background(), db, cfg, Options{Workers: 1, Runner: &fakeRunner{cfg: cfg}})
		if err == nil || !strings.Contains(err.Error(), bad.value) || !strings.Contains(err.Error(), cfg.Losses[1].Label) {
			t.Errorf("%s %s=%s: err = %v, want a refusal naming the arm and the value", bad.name, bad.key, bad.value, err)
		}
		if st, err := ReadStatus(context.Background(), db); err == nil {
			t.Errorf("%s %s=%s: the refused study was stored: %+v", bad.name, bad.key, bad.value, st)
		}
	}
}
