package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/transform"
)

type transformOpts struct {
	dbFlags
	Config string
	Full   bool
	Out    io.Writer
}

func init() { extraCommands = append(extraCommands, newTransformCmd) }

func demoTransform(ctx context.Context, o *demoOpts, f *dbFlags) error {
	fmt.Fprintln(o.W, msg.T(lang, "building the KPI marts…"))
	return runTransform(ctx, &transformOpts{dbFlags: *f, Config: defaultConfigPath(), Out: o.W})
}

// defaultConfigPath is data/settings.yaml when it exists (run from the repository), else none.
func defaultConfigPath() string {
	p := filepath.Join("data", "settings.yaml")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

func newTransformCmd() *cobra.Command {
	o := &transformOpts{}
	c := &cobra.Command{
		Use:   "transform --db FILE [--config FILE] [--full]",
		Short: "Bring every KPI mart up to date with what is loaded and run the data tests",
		Long: `Builds the stg_, int_ and mart_ tables (CONTRACT §3) in one transaction: if a model or a
data test fails, the previous marts stay as they were and the command exits 1 naming the test,
the table and sample rows. Data-quality findings never fail it; they go to mart_data_quality.
Settings come from --config (default data/settings.yaml when present, else built-in defaults)
and are recorded in transform_runs.

By default a run is incremental when the last run used the same settings and models: only the
store-months that files loaded since can change are recomputed (from the earliest changed
month; a new or changed order also reaches back to the month of an earlier order of the same
car delivered within the comeback window before it), then the group benchmark and data
quality. The marts are the same as after a full rebuild. --full rebuilds everything from all
loaded rows.`,
		Example: `  aftersales transform --db data/aftersales.duckdb
  aftersales transform --db data/aftersales.duckdb --config my-settings.yaml
  aftersales transform --db data/aftersales.duckdb --full`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.Out = c.OutOrStdout()
			if !c.Flags().Changed("config") {
				o.Config = defaultConfigPath()
			}
			// in a worker process that is run again if DuckDB crashes (supervise); under
			// --cpuprofile here, where the profile is taken
			if f := c.Flag("cpuprofile"); f == nil || f.Value.String() == "" {
				if code, ok := supervise("transform"); ok {
					os.Exit(code)
				}
			}
			testCrash()
			return runTransform(ctxOf(c), o)
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Config, "config", "", "settings file (default data/settings.yaml)")
	c.Flags().BoolVar(&o.Full, "full", false, "rebuild every mart from all loaded rows (default: incremental when possible)")
	return c
}

func runTransform(ctx context.Context, o *transformOpts) error {
	cfg, err := transform.LoadConfig(o.Config)
	if err != nil {
		return usage("%v", err)
	}
	d, err := openForTransform(&o.dbFlags)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := ingest.EnsureSchema(ctx, d); err != nil {
		return failed("%v", err)
	}
	r := &transform.Runner{DB: d, Config: cfg, Log: logger(), Full: o.Full, Lang: lang}
	var bar *progressbar.ProgressBar
	if isTerminal() {
		// a full rebuild of 500 stores takes minutes: show which model runs
		r.Progress = func(done, total int, name string) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish(), progressbar.OptionSetElapsedTime(true))
			}
			bar.Describe(msg.T(lang, "transform %s", strings.TrimSuffix(name, ".sql")))
			bar.Set(done)
		}
	}
	res, err := r.Run(ctx)
	if bar != nil {
		bar.Finish() // cleared: the summary (or the error) is written where it was
	}
	if err != nil {
		return failed("transform: %v (the previous marts are unchanged)", err)
	}
	var names []string
	for n := range res.Tables {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(o.Out, msg.T(lang, "transform run %d: %d models, %d data tests passed in %.1fs", res.RunID, res.Models, res.Tests, res.Duration.Seconds()))
	fmt.Fprintf(o.Out, "  %s\n", res.SummaryIn(lang))
	for _, n := range names {
		fmt.Fprintln(o.Out, msg.T(lang, "  %-22s %d rows", n, res.Tables[n]))
	}
	noteUnknownSettingStores(ctx, d, cfg, o.Config)
	return nil
}

// noteUnknownSettingStores names the stores under `stores:` in the settings that no loaded data
// carries (no stores row, no technician, no closed order): their settings apply to nothing, most
// often because the id is mistyped (s001 for S001). A note, not an error: a store's settings
// may be written before its first exports are loaded.
func noteUnknownSettingStores(ctx context.Context, d *sql.DB, cfg *transform.Config, path string) {
	ids := cfg.StoreIDs()
	if len(ids) == 0 {
		return
	}
	rows, err := d.QueryContext(ctx, `SELECT store_id FROM raw_stores UNION SELECT store_id FROM raw_technicians
		UNION SELECT store_id FROM mart_store_month ORDER BY store_id`)
	if err != nil {
		return
	}
	defer rows.Close()
	known := map[string]bool{}
	var list []string
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			known[id] = true
			list = append(list, id)
		}
	}
	if rows.Err() != nil || len(list) == 0 {
		return
	}
	var unknown []string
	for _, id := range ids {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return
	}
	if len(list) > 12 {
		list = append(list[:12], fmt.Sprintf("… (%d)", len(known)))
	}
	fmt.Fprintln(os.Stderr, msg.T(lang, "note: the settings (%s) give store %s settings of its own, but no loaded data carries that store (stores with data: %s): those settings apply to nothing — check the store id under stores:",
		termSafe(path, false), termSafe(strings.Join(unknown, ", "), false), strings.Join(list, ", ")))
}
