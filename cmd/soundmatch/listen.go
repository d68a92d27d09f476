package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/soundmatch/soundmatch/listen"
	"github.com/soundmatch/soundmatch/store"
)

var listenFlags struct {
	db      string
	raters  []string
	perPair int
	addr    string
	seed    uint64
	dsp     []string
}

var listenCmd = &cobra.Command{
	Use:   "listen --db FILE --raters NAME,NAME [--per-pair 40] [--addr 127.0.0.1:8080] [--seed N]",
	Short: "Serve the blinded listening test of a study",
	Long: `listen serves the blinded listening test of a study as a web
page, and prints one line per rater: the name and the rater's personal link.

The first time it runs on a database it draws the items: for every
(program, loss) pair, --per-pair finished trials (status ok or diverged) at
random with --seed, and stores them, so a restart serves exactly the same
items; each rater gets every item in their own random order, also stored. A
pair with fewer finished trials contributes all of them (listed on stderr).

Each rater's page plays the target and then the output of an item, both
rendered on demand from the stored target and final parameters with one
common gain (the louder peaks at 0.9, so neither clips and their loudness
relation is kept), and asks for a score from 1 (no similarity) to 5 (near
identical). Keys 1-5 choose, Enter saves, P plays both. The page shows
progress (item k of n) and a rater who comes back resumes at their first
unrated item; a new score for an item replaces the old one, and every
submission is kept in the database's history.

Blinding: links carry a random 192-bit token and items are numbered by
their position in the rater's order; nothing the browser receives names the
program, the loss, the trial or its seed.

Running again on the same database continues the same test: raters already
known keep their links (new names get new ones); leave out --raters to list
every rater's link; --seed and --per-pair, if given, must match the stored
draw. The server listens on 127.0.0.1 (this machine only) unless --addr
opens it to a network on purpose; it runs until Ctrl-C and then finishes
the requests in flight. Every rating is committed at once, so stopping
loses nothing.

Ratings go into 'soundmatch report'; 'soundmatch listen export' writes them
as CSV.`,
	Example: `  # Start the test for two raters and send each their line:
  soundmatch listen --db study.db --raters alice,bob
  alice http://127.0.0.1:8080/r/3q0L…/
  bob http://127.0.0.1:8080/r/Zx8a…/

  # Serve it to a lab network, port 9000, 20 trials per pair, seed 7:
  soundmatch listen --db study.db --raters alice,bob --addr 0.0.0.0:9000 --per-pair 20 --seed 7

  # Later: add a third rater, keep the others' links:
  soundmatch listen --db study.db --raters alice,bob,carol

  # A study with a program of your own needs its .dsp file:
  soundmatch listen --db study.db --raters alice --dsp synths/fm.dsp

  # Write the ratings out:
  soundmatch listen export --db study.db --csv ratings.csv`,
	Args: listenNoArgs,
	RunE: runListen,
}

var listenExportFlags struct {
	db      string
	csv     string
	history bool
}

var listenExportCmd = &cobra.Command{
	Use:   "export --db FILE --csv OUT",
	Short: "Write the listening-test ratings as CSV",
	Long: `export writes the ratings of the listening test in the database as CSV,
one row per rating, with the header

  rater,program,loss,trial,score,time,position,latest

trial is the trial index within its (program, loss) pair, score 1-5, time
the moment of submission (RFC 3339, UTC), position where the item came in
that rater's order. By default only each rater's latest score per item is
written (latest is always true); --history writes every submission,
including scores a rater later replaced (latest false). OUT "-" writes to
standard output.`,
	Example: `  soundmatch listen export --db study.db --csv ratings.csv
  soundmatch listen export --db study.db --csv - --history | head`,
	Args: listenNoArgs,
	RunE: runListenExport,
}

func init() {
	f := listenCmd.Flags()
	f.StringVar(&listenFlags.db, "db", "", "study database (required; made by 'soundmatch study run')")
	f.StringSliceVar(&listenFlags.raters, "raters", nil, "comma-separated rater names (required the first time; default: every known rater)")
	f.IntVar(&listenFlags.perPair, "per-pair", 0, "finished trials drawn per (program, loss) pair (default: the study's evaluation.listen_trials, 40 in the paper study)")
	f.StringVar(&listenFlags.addr, "addr", "127.0.0.1:8080", "address to listen on, host:port (port 0 picks a free one)")
	f.Uint64Var(&listenFlags.seed, "seed", 0, "seed of the draw of items and orders (default: the study's evaluation.seed)")
	f.StringArrayVar(&listenFlags.dsp, "dsp", nil, "Faust file of a study program that is not built in (repeatable)")

	e := listenExportCmd.Flags()
	e.StringVar(&listenExportFlags.db, "db", "", "study database (required)")
	e.StringVar(&listenExportFlags.csv, "csv", "", `CSV file to write (required; "-" for standard output)`)
	e.BoolVar(&listenExportFlags.history, "history", false, "write every submission, not only the latest score per rater and item")

	listenCmd.AddCommand(listenExportCmd)
	rootCmd.AddCommand(listenCmd)
}

// listenNoArgs refuses arguments as a user error (exit status 2).
func listenNoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return userErrf("%s: unknown command or argument %q (see 'soundmatch %s --help')", cmd.CommandPath(), args[0], strings.TrimPrefix(cmd.CommandPath(), "soundmatch "))
	}
	return nil
}

// openExistingDB opens a database that must already exist: listening to a
// study that was never run is a mistake, not a new empty file, and a file
// that is not an SQLite database (an empty one included) is refused rather
// than filled with tables.
func openExistingDB(path string) (*store.DB, error) {
	db, err := store.OpenExisting(path)
	if err != nil {
		return nil, userErrf("--db %v", err)
	}
	return db, nil
}

func runListen(cmd *cobra.Command, _ []string) error {
	if listenFlags.db == "" {
		return userErrf("listen: --db FILE is required (see 'soundmatch listen --help')")
	}
	if listenFlags.perPair < 0 {
		return userErrf("--per-pair %d: want 1 or more", listenFlags.perPair)
	}
	var names []string
	for _, n := range listenFlags.raters {
		if err := store.CheckRaterName(n); err != nil {
			return userErrf("--raters: %v", err)
		}
		names = append(names, n)
	}
	db, err := openExistingDB(listenFlags.db)
	if err != nil {
		return err
	}
	defer db.Close()

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prep, err := listen.Prepare(ctx, db, listen.Setup{
		Seed:    listenFlags.seed,
		SeedSet: cmd.Flags().Changed("seed"),
		PerPair: listenFlags.perPair,
		Raters:  names,
	})
	if err != nil {
		return userErr(err)
	}
	sounds, err := listen.NewStudySounds(ctx, db, listenFlags.dsp)
	if err != nil {
		return userErr(err)
	}
	logger := log.New(cmd.ErrOrStderr(), "", log.LstdFlags)
	app, err := listen.New(db, sounds, logger)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", listenFlags.addr)
	if err != nil {
		return userErrf("--addr %s: %v", listenFlags.addr, err)
	}
	base := "http://" + publicHostPort(ln.Addr().(*net.TCPAddr))

	stderr := cmd.ErrOrStderr()
	if prep.Created {
		fmt.Fprintf(stderr, "drew %d items (%d per pair, seed %d) into %s\n", prep.Items, prep.PerPair, prep.Seed, db.Path)
		if prep.Stored < prep.Planned {
			fmt.Fprintf(stderr, "note: the study holds %d of its %d planned trials; the items are drawn from those finished now and stay fixed\n", prep.Stored, prep.Planned)
		}
		for _, s := range prep.Short {
			fmt.Fprintf(stderr, "note: %s, fewer than %d: all of them are used\n", s, prep.PerPair)
		}
	} else {
		fmt.Fprintf(stderr, "continuing the listening test in %s: %d items (%d per pair, seed %d)\n", db.Path, prep.Items, prep.PerPair, prep.Seed)
	}
	out := cmd.OutOrStdout()
	for _, r := range prep.Raters {
		fmt.Fprintf(out, "%s %s/r/%s/\n", r.Name, base, r.Token)
	}
	fmt.Fprintf(stderr, "serving on %s; press Ctrl-C to stop\n", base)

	srv := &http.Server{
		Handler:           app,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          logger,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "stopping: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("stopping the server: %v", err)
	}
	return nil
}

// publicHostPort is the host:port to put in the raters' links: the address
// listened on, or this machine's name when listening on every interface.
func publicHostPort(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(a.Port))
}

func runListenExport(cmd *cobra.Command, _ []string) error {
	if listenExportFlags.db == "" || listenExportFlags.csv == "" {
		return userErrf("listen export: --db FILE and --csv OUT are required (see 'soundmatch listen export --help')")
	}
	db, err := openExistingDB(listenExportFlags.db)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := cmd.Context()
	if _, err := db.ListenSession(ctx); err != nil {
		if errors.Is(err, store.ErrNoListenSession) {
			return userErrf("%s: %v (start one with 'soundmatch listen --db %s --raters NAME,NAME')", db.Path, err, db.Path)
		}
		return err
	}
	recs, err := db.RatingRecords(ctx, listenExportFlags.history)
	if err != nil {
		return err
	}
	var w io.Writer = cmd.OutOrStdout()
	var file *os.File
	if listenExportFlags.csv != "-" {
		file, err = os.Create(listenExportFlags.csv)
		if err != nil {
			return userErrf("--csv %s: %v", listenExportFlags.csv, errors.Unwrap(err))
		}
		w = file
	}
	if err := listen.WriteCSV(w, recs); err != nil {
		if file != nil {
			file.Close()
		}
		return fmt.Errorf("%s: %v", listenExportFlags.csv, err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("%s: %v", listenExportFlags.csv, err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d ratings to %s\n", len(recs), strings.TrimSpace(listenExportFlags.csv))
	}
	return nil
}
