package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/par"
	"github.com/aftersales/aftersales/internal/parse"
	"github.com/aftersales/aftersales/transform"
)

// monthFlag reads a month flag in place as YYYY-MM, in any form a month column of the input takes
// (2026-09, 2026/9, 2026.9, 2026年9月, or a date: parse.Month), so that a clerk may type it as the
// exports write it; what is not a month is a usage error naming the flag and the forms that work.
// (Whether the flag may be left out is the verb's to say: call it on a value given.)
func monthFlag(flag string, m *string) error {
	v, err := parse.Month(*m)
	if err != nil {
		return usage("%s %q is not a month: write 2026-09 (2026/9 and 2026年9月 work too)", flag, *m)
	}
	*m = v
	return nil
}

// dbFlags are the flags every verb that touches the database shares.
type dbFlags struct {
	DB   string
	Lake string
}

func (f *dbFlags) add(c *cobra.Command) {
	def := os.Getenv("AFTERSALES_DB")
	if def == "" {
		def = filepath.Join("data", "aftersales.duckdb")
	}
	c.Flags().StringVar(&f.DB, "db", def, "database file: $AFTERSALES_DB when set, else data/aftersales.duckdb")
	c.Flags().StringVar(&f.Lake, "lake", "", "Parquet lake folder (default: lake/ beside the database)")
}

// lakeDir is --lake or <directory of --db>/lake.
func (f *dbFlags) lakeDir() string {
	if f.Lake != "" {
		return f.Lake
	}
	return filepath.Join(filepath.Dir(f.DB), "lake")
}

// openExisting opens a database that must exist already, writable: transform and payroll
// --close on a mistyped --db would otherwise create an empty database and report zero rows.
func openExisting(f *dbFlags) (*sql.DB, error) {
	if err := mustExist(f); err != nil {
		return nil, err
	}
	return openDB(f, false)
}

// openForTransform opens a database that must exist already for a transform (db.OpenForTransform:
// its larger memory limit).
func openForTransform(f *dbFlags) (*sql.DB, error) {
	if err := mustExist(f); err != nil {
		return nil, err
	}
	d, err := db.OpenForTransform(f.DB)
	if err != nil {
		return nil, failed("%v", err)
	}
	return d, nil
}

func mustExist(f *dbFlags) error {
	if _, err := os.Stat(f.DB); errors.Is(err, os.ErrNotExist) {
		return failed("database %s does not exist yet: check --db (or $AFTERSALES_DB), or run `aftersales ingest --db %s FILES` first", f.DB, f.DB)
	}
	return nil
}

func openDB(f *dbFlags, readOnly bool) (*sql.DB, error) {
	d, err := db.Open(f.DB, readOnly)
	if err != nil {
		return nil, failed("%v", err)
	}
	return d, nil
}

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// isTerminal reports whether stdout is a terminal (progress bars only then).
func isTerminal() bool { return term.IsTerminal(int(os.Stdout.Fd())) }

func ctxOf(c *cobra.Command) context.Context {
	if c.Context() != nil {
		return c.Context()
	}
	return context.Background()
}

func mkdirFor(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return failed("cannot create the folder of %s: %v", path, err)
	}
	return nil
}

// diskFull reports whether err comes of a full disk: Go's ENOSPC, or DuckDB's text of it.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "No space left on device")
}

// openTransformed opens a database read-only for a reader of the marts (checkTransformed).
func openTransformed(ctx context.Context, f *dbFlags, store string) (*sql.DB, error) {
	d, err := openDB(f, true)
	if err != nil {
		return nil, err
	}
	if err := checkTransformed(ctx, d, f, store); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// checkTransformed fails when no transform has run on the database yet (the marts the pages and
// workbooks read do not exist: without it the user got DuckDB's "Table with name mart_store_month
// does not exist!"), and says on stderr when files were loaded since the last transform: the
// pages, workbooks or tables about to be written show the marts as that transform left them.
func checkTransformed(ctx context.Context, d *sql.DB, f *dbFlags, store string) error {
	n, first, ran, err := transform.LoadedSinceLastRun(ctx, d, store)
	if err == nil && !ran {
		return failed("no transform has run on %s yet, so there are no KPIs to show: run `aftersales transform --db %s` first", f.DB, f.DB)
	}
	if err != nil || n == 0 {
		return nil
	}
	if n > 1 {
		fmt.Fprintln(os.Stderr, msg.T(lang, "note: %d files loaded since the last transform (%s and others) are not in these figures yet: run `aftersales transform` to include them", n, termSafe(first, false)))
		return nil
	}
	fmt.Fprintln(os.Stderr, msg.T(lang, "note: 1 file loaded since the last transform (%s) is not in these figures yet: run `aftersales transform` to include them", termSafe(first, false)))
	return nil
}

// inParallel runs do(0) … do(n-1) in a worker per processor (par.Workers, at most 8: writing a
// workbook is Go's work, excelize and zip) and returns the error of the smallest i that failed,
// as a run one after another would report. On a terminal a progress bar named what counts them
// (500 stores' workbooks take a minute or two).
func inParallel(n int, what string, do func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var bar *progressbar.ProgressBar
	if isTerminal() && n > 1 {
		bar = progressbar.NewOptions(n, progressbar.OptionSetDescription(msg.T(lang, what)), progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		defer bar.Finish()
	}
	var wg sync.WaitGroup
	for range par.Workers(8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = do(i)
				if bar != nil {
					bar.Add(1) // (the bar locks itself)
				}
			}
		}()
	}
	for i := range n {
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

// fileURL is the file:// address of an absolute path, to click in a terminal or paste into a
// browser: file:///home/…/index.html, and on Windows file:///C:/Users/…/index.html (not
// "file://C:\Users\…", which browsers read as a host named C). Characters that would end or
// break the address (space, %, #, ?) are escaped; Chinese folder names stay readable.
func fileURL(abs string) string { return fileURLOf(filepath.ToSlash(abs)) }

func fileURLOf(slashed string) string {
	p := strings.NewReplacer("%", "%25", " ", "%20", "#", "%23", "?", "%3F").Replace(slashed)
	switch {
	case strings.HasPrefix(p, "//"): // a UNC path, //server/share/…: file://server/share/…
		return "file:" + p
	case strings.HasPrefix(p, "/"):
		return "file://" + p
	default: // a drive letter, C:/…
		return "file:///" + p
	}
}
