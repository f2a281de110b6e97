package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/transform"
)

type rebuildOpts struct {
	dbFlags
	Partial bool
	Out     io.Writer
}

func newRebuildCmd() *cobra.Command {
	o := &rebuildOpts{}
	c := &cobra.Command{
		Use:   "rebuild --db FILE",
		Short: "Recreate the database from the lake and its manifest",
		Long: `The lake (Parquet files and one manifest entry per ingested file) is the truth; the
database is a cache of it. rebuild writes a new database beside the old one, replays every
manifest entry in order, then replaces the old file. Use it after a crash that left the
database unreadable, or after an upgrade that changed the schema. The KPI marts are made again by
the next transform.

A lake that lacks some of the files (entries deleted, or files loaded with another --lake) is
refused and nothing is changed: rebuilding from it would lose them. --partial rebuilds anyway.`,
		Example: `  aftersales rebuild --db data/aftersales.duckdb`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.Out = c.OutOrStdout()
			return runRebuild(ctxOf(c), o)
		},
	}
	o.dbFlags.add(c)
	c.Flags().BoolVar(&o.Partial, "partial", false, "rebuild even though the manifest lacks some file_ids (their files are then not in the new database)")
	return c
}

func runRebuild(ctx context.Context, o *rebuildOpts) error {
	lake := o.lakeDir()
	if _, err := os.Stat(ingest.ManifestDir(lake)); err != nil {
		return failed("no lake manifest at %s: nothing to rebuild from (give --lake if the lake is elsewhere)", ingest.ManifestDir(lake))
	}
	// A manifest with holes (entries deleted, or files loaded with another --lake), or one that
	// ends before the current database does, would give a database without those files and
	// replace the current one with it. (The current database is read if it opens; after a
	// crash it may not, and then only the holes are known.)
	gaps, last, err := ingest.ManifestCoverage(lake)
	if err != nil {
		return failed("reading the manifest in %s: %v", lake, err)
	}
	var have int64 = -1
	cur, err := db.Open(o.DB, true)
	switch {
	case err == nil:
		// held open (read-only) until the new file has replaced it: no writer can start on
		// the old file meanwhile, whose commits the replacement would drop
		defer cur.Close()
		if cur.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) FROM ingest_files`).Scan(&have) != nil {
			have = -1
		}
		if have >= last {
			// the lake's own database: a batch it committed just before a crash is still a
			// pending entry, settled as the next ingest would
			if err := ingest.SettlePending(ctx, cur, lake); err != nil {
				return failed("%v", err)
			}
			if gaps, last, err = ingest.ManifestCoverage(lake); err != nil {
				return failed("reading the manifest in %s: %v", lake, err)
			}
		}
	case errors.Is(err, db.ErrInUse):
		return failed("%v", err) // an ingest or transform is writing it: rebuilding now would drop its work
	}
	if have > last {
		gaps = append(gaps, [2]int64{last + 1, have})
	}
	if len(gaps) > 0 && !o.Partial {
		var ids []string
		for _, g := range gaps {
			if g[0] == g[1] {
				ids = append(ids, fmt.Sprint(g[0]))
			} else {
				ids = append(ids, fmt.Sprintf("%d–%d", g[0], g[1]))
			}
		}
		return failed("the manifest in %s has no entries for file_id %s, which %s holds or held (their entries were deleted, or they were loaded with another --lake): "+
			"a database rebuilt from it would lack those files. Nothing was changed. Give --lake the lake that holds them, or rebuild without them with --partial",
			lake, strings.Join(ids, ", "), o.DB)
	}
	// a --db that names another file (a workbook, an export): rebuilding would replace it
	if what := db.NotDuckDB(o.DB); what != nil {
		return failed("%s is not a DuckDB database but %v: rebuild would replace it with a database. Nothing was changed; give --db the database file (data/aftersales.duckdb unless said otherwise)", o.DB, what)
	}
	tmp := o.DB + ".rebuild"
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	d, err := db.Open(tmp, false)
	if err != nil {
		return failed("%v", err)
	}
	var progress func(done, total int)
	if isTerminal() {
		// (one step per manifest entry: a batch of up to 2,048 files)
		var bar *progressbar.ProgressBar
		progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetDescription(msg.T(lang, "rebuild")), progressbar.OptionSetWriter(os.Stderr),
					progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionSetElapsedTime(true))
			}
			bar.Set(done)
		}
	}
	n, err := ingest.Rebuild(ctx, d, lake, progress)
	if err == nil {
		err = afterRebuild(ctx, d, lake)
	}
	cerr := d.Close()
	if err != nil || cerr != nil {
		os.Remove(tmp)
		os.Remove(tmp + ".wal")
		if err == nil {
			err = cerr
		}
		return failed("rebuilding from %s: %v", lake, err)
	}
	if runtime.GOOS == "windows" && cur != nil {
		// Windows replaces no file that is open, even read-only: let go of the old one first.
		// A writer that opens it in the moment between holds it open in turn, and the rename
		// below then fails with nothing changed.
		cur.Close()
	}
	os.Remove(o.DB + ".wal")
	if err := os.Rename(tmp, o.DB); err != nil {
		os.Remove(tmp)
		if runtime.GOOS == "windows" && errors.Is(err, fs.ErrPermission) {
			return failed("%s is open in another process (another aftersales reading it?): wait for it to finish and run rebuild again; nothing was changed", o.DB)
		}
		return failed("replacing %s: %v", o.DB, err)
	}
	fmt.Fprintln(o.Out, msg.T(lang, "rebuilt %s from the %d files in the manifest of %s", o.DB, n, lake))
	fmt.Fprintln(o.Out, msg.T(lang, "the KPI marts are rebuilt by the next transform: aftersales transform --db %s", o.DB))
	// a batch an ingest was loading when it failed or was killed: not replayed (whether its
	// commit happened is not in the lake); the next ingest removes its entry
	if pending, _ := ingest.PendingEntries(lake); len(pending) > 0 {
		fmt.Fprintln(o.Out, msg.T(lang, "left out: %d batch(es) of an ingest that was interrupted while loading them (%s); ingest those files again",
			len(pending), strings.Join(pending, ", ")))
	}
	for _, p := range transform.PendingSnapshots(lake) {
		fmt.Fprintln(o.Out, msg.T(lang, "left out: %s, a payroll close or reopen that was interrupted at its commit; check that month with `aftersales payroll` and close or reopen it again", p))
	}
	return nil
}

// afterRebuild restores what lives beside the raw tables: closed payroll months and their events.
func afterRebuild(ctx context.Context, d *sql.DB, lake string) error {
	_, err := transform.RestorePayroll(ctx, d, lake)
	return err
}
