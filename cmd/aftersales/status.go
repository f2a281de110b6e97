package main

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
	"github.com/aftersales/aftersales/transform"
)

type statusOpts struct {
	dbFlags
	Config string // the settings file transform would read (default data/settings.yaml when present)
	Out    io.Writer
}

func init() { extraCommands = append(extraCommands, newStatusCmd) }

func newStatusCmd() *cobra.Command {
	o := &statusOpts{}
	c := &cobra.Command{
		Use:   "status --db FILE",
		Short: "What the database holds: stores, months, files loaded, the last transform, closed payroll months",
		Long: `Says in a few lines what a database holds and whether its KPIs are up to date: the stores
and the months of their work orders, the files loaded (and rejected), the last transform and the
files loaded since (not in the KPIs until the next transform), whether the settings file has changed
since, the payroll months closed, and the data-quality findings. For the latest month it names the stores whose data does not reach its
last day yet (their last exports not loaded, or the month still running). Read-only: it runs
beside any other verb.`,
		Example: `  aftersales status
  aftersales status --db data/aftersales.duckdb`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.Out = c.OutOrStdout()
			if !c.Flags().Changed("config") {
				o.Config = defaultConfigPath()
			}
			return runStatus(ctxOf(c), o)
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Config, "config", "", "the settings file transform is run with (default data/settings.yaml)")
	return c
}

func runStatus(ctx context.Context, o *statusOpts) error {
	st, err := os.Stat(o.DB)
	if err != nil {
		return failed("no database at %s: load exports with `aftersales ingest --db %s FILES…` first (or give --db)", o.DB, o.DB)
	}
	d, err := openDB(&o.dbFlags, true)
	if err != nil {
		return err
	}
	defer d.Close()
	t := &textTable{}
	line := func(label, format string, a ...any) { t.add([]string{msg.T(lang, label), msg.T(lang, format, a...)}) }

	line("database", "%s (%.0f MB)", o.DB, float64(st.Size())/1e6)
	entries, _ := filepath.Glob(filepath.Join(ingest.ManifestDir(o.lakeDir()), "*.json"))
	line("lake", "%s (manifest entries: %d)", o.lakeDir(), len(entries))

	var stores int
	var first, last sql.NullString
	var opened, latest sql.NullString
	if err := d.QueryRowContext(ctx, `SELECT count(DISTINCT store_id), min(store_id), max(store_id),
		strftime(min(opened_at), '%Y-%m'), strftime(max(opened_at), '%Y-%m-%d %H:%M') FROM raw_work_orders`).
		Scan(&stores, &first, &last, &opened, &latest); err != nil {
		return failed("reading raw_work_orders: %v (is %s an aftersales database?)", err, o.DB)
	}
	switch stores {
	case 0:
		line("stores", "none: no work order is loaded")
	case 1:
		line("stores", "1: %s", first.String)
	default:
		line("stores", "%d: %s … %s", stores, first.String, last.String)
	}
	if opened.Valid {
		line("work orders", "opened %s … %s", opened.String, latest.String)
	}

	// the latest month: which stores' data reaches its last day (their exports of it are all in),
	// by the rule the pages and workbooks mark a month with (parse.MonthPartial)
	if latest.Valid {
		month := latest.String[:7]
		var short []string
		complete := 0
		rows, err := d.QueryContext(ctx, `SELECT store_id, max(opened_at) FROM raw_work_orders GROUP BY store_id ORDER BY store_id`)
		if err == nil {
			for rows.Next() {
				var store string
				var asOf time.Time
				if rows.Scan(&store, &asOf) != nil {
					continue
				}
				if parse.MonthPartial(asOf, month) {
					short = append(short, msg.T(lang, "%s (to %s)", store, asOf.Format("2006-01-02 15:04")))
				} else {
					complete++
				}
			}
			rows.Close()
		}
		switch {
		case len(short) == 0:
			line("latest month", "%s: every store's data reaches its last day", month)
		case len(short) > 8:
			line("latest month", "%s: the data of %d store(s) reaches its last day, not yet of %d: %s …", month, complete, len(short), strings.Join(short[:8], ", "))
		default:
			line("latest month", "%s: the data of %d store(s) reaches its last day, not yet of: %s", month, complete, strings.Join(short, ", "))
		}
	}

	var loaded, rejected, dups, noted sql.NullInt64
	var rowsLoaded, rowsRejected, rowsSkipped sql.NullInt64
	var lastIngest sql.NullString
	d.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status = 'rejected'),
		count(*) FILTER (WHERE status = 'duplicate'), count(*) FILTER (WHERE status = 'loaded' AND message <> ''),
		sum(rows_loaded), sum(rows_rejected), sum(rows_skipped), strftime(max(ingested_at), '%Y-%m-%d %H:%M') FROM ingest_files`).
		Scan(&loaded, &rejected, &dups, &noted, &rowsLoaded, &rowsRejected, &rowsSkipped, &lastIngest)
	line("files", "%d loaded, %d rejected whole, %d duplicates; last ingest %s", loaded.Int64, rejected.Int64, dups.Int64, or(lastIngest, "—"))
	if noted.Int64 > 0 {
		// loaded files with a note: columns or sheets not read, headers or keys repeated
		line("", "%d loaded file(s) have a note (columns or sheets not read, headers or keys repeated): aftersales query ingest_summary", noted.Int64)
	}
	line("rows", "%d loaded, %d rejected (ingest_rejects), %d skipped", rowsLoaded.Int64, rowsRejected.Int64, rowsSkipped.Int64)

	var runID, tests sql.NullInt64
	var finished, message, summary, settings sql.NullString
	// (summary_json as '' where the last transform was by a version before the column: status
	// changes nothing in the database)
	summaryCol := "''"
	var has bool
	if d.QueryRowContext(ctx, `SELECT count(*) > 0 FROM duckdb_columns() WHERE table_name = 'transform_runs' AND column_name = 'summary_json'`).Scan(&has) == nil && has {
		summaryCol = "summary_json"
	}
	err = d.QueryRowContext(ctx, `SELECT run_id, strftime(finished_at, '%Y-%m-%d %H:%M'), message, tests, `+summaryCol+`, settings_json FROM transform_runs
		WHERE status = 'ok' ORDER BY run_id DESC LIMIT 1`).Scan(&runID, &finished, &message, &tests, &summary, &settings)
	switch {
	case err != nil:
		line("transform", "none yet: run `aftersales transform` to build the KPIs")
	default:
		// (what the run recomputed in status's language; message is in the run's, and all a run
		// recorded before summary_json has)
		words := transform.RunSummary(summary.String, lang)
		if words == "" {
			words = message.String
		}
		line("transform", "run %d at %s (%s), %d data tests passed", runID.Int64, finished.String, words, tests.Int64)
		if n, f, _, err := transform.LoadedSinceLastRun(ctx, d, ""); err == nil && n > 0 {
			line("not in the KPIs", "%d file(s) loaded since (%s…): run `aftersales transform`", n, f)
		} else if err == nil {
			line("", "the KPIs hold every file loaded")
		}
		// a target or setting edited since: the marts (and the dashboards' targets) do not show it
		// until the next transform, which then recomputes every mart
		settingsLine(o.Config, settings.String, line)
	}

	rows, err := d.QueryContext(ctx, `SELECT store_id, string_agg(DISTINCT month, ', ' ORDER BY month) FROM payroll_closed_rows GROUP BY store_id ORDER BY store_id`)
	var closed []string
	if err == nil {
		for rows.Next() {
			var s, months string
			if rows.Scan(&s, &months) == nil {
				closed = append(closed, s+" "+months)
			}
		}
		rows.Close()
	}
	switch {
	case len(closed) == 0:
		line("payroll closed", "no month")
	case len(closed) > 8:
		line("payroll closed", "%s; … %d stores in all (query payroll_closed_rows)", strings.Join(closed[:8], "; "), len(closed))
	default:
		line("payroll closed", "%s", strings.Join(closed, "; "))
	}

	var warn, info sql.NullInt64
	if d.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE severity = 'warn'), count(*) FILTER (WHERE severity = 'info') FROM mart_data_quality`).Scan(&warn, &info) == nil {
		line("data quality", "%d warnings, %d notes: aftersales query data_quality", warn.Int64, info.Int64)
	}
	return t.write(o.Out)
}

// settingsLine says whether the settings file (path; "" the built-in defaults) is what the last
// transform used (lastJSON).
func settingsLine(path, lastJSON string, line func(label, format string, a ...any)) {
	name := path
	if name == "" {
		name = msg.T(lang, "the built-in defaults")
	}
	cfg, err := transform.LoadConfig(path)
	switch {
	case err != nil:
		line("settings", "%v", err) // (the error names the file)
	case cfg.JSON() != lastJSON:
		line("settings", "%s: changed since the last transform; run `aftersales transform` (it recomputes every mart)", name)
	default:
		line("settings", "%s (what the last transform used)", name)
	}
}

func or(s sql.NullString, def string) string {
	if s.Valid && s.String != "" {
		return s.String
	}
	return def
}
