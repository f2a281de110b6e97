package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/gen"
	"github.com/aftersales/aftersales/internal/msg"
)

type demoOpts struct {
	Out    string
	Sample string
	Lang   string
	W      io.Writer
}

func init() { extraCommands = append(extraCommands, newDemoCmd) }

func newDemoCmd() *cobra.Command {
	o := &demoOpts{}
	c := &cobra.Command{
		Use:   "demo [--out DIR]",
		Short: "On an empty machine: make sample data, ingest, transform, write dashboards and reports",
		Long: `demo makes a small sample (3 stores × 13 months) in data/sample if it is not there, loads it
into DIR/aftersales.duckdb, builds every KPI, writes the dashboards and Excel reports into DIR,
and prints what to open.`,
		Example: `  aftersales demo
  aftersales demo --out /tmp/demo --lang en`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.W, o.Lang = c.OutOrStdout(), lang
			return runDemo(ctxOf(c), o)
		},
	}
	c.Flags().StringVar(&o.Out, "out", filepath.Join("out", "demo"), "folder for the database, lake, dashboards and reports")
	c.Flags().StringVar(&o.Sample, "sample", filepath.Join("data", "sample"), "sample data folder (made if absent)")
	return c
}

// demoStages are the steps after ingest, in order.
var demoStages = []func(ctx context.Context, o *demoOpts, f *dbFlags) error{demoTransform, demoDashboards, demoReports}

func runDemo(ctx context.Context, o *demoOpts) error {
	if _, err := os.Stat(o.Sample); err != nil {
		fmt.Fprintln(o.W, msg.T(lang, "making sample data in %s (3 stores × 13 months)…", o.Sample))
		st, err := gen.Run(gen.Options{Stores: 3, Months: 13, Seed: 1, Out: o.Sample, Dirty: true})
		if err != nil {
			return failed("making sample data: %v", err)
		}
		fmt.Fprintln(o.W, msg.T(lang, "  %d files, %d rows", st.Files, st.Rows))
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return failed("creating %s: %v", o.Out, err)
	}
	f := &dbFlags{DB: filepath.Join(o.Out, "aftersales.duckdb")}
	fmt.Fprintln(o.W, msg.T(lang, "ingesting %s into %s…", o.Sample, f.DB))
	err := runIngest(ctx, &ingestOpts{dbFlags: *f, Paths: []string{o.Sample}, Out: o.W, Quiet: true, Totals: true, Progress: isTerminal()})
	if err != nil {
		return err
	}
	for _, st := range demoStages {
		if err := st(ctx, o, f); err != nil {
			return err
		}
	}
	fmt.Fprintln(o.W, msg.T(lang, "\ndone. Open:\n  database  %s   (aftersales status --db %s · aftersales query --db %s --list)", f.DB, f.DB, f.DB))
	for _, l := range demoOutputs {
		fmt.Fprintln(o.W, " ", l(o))
	}
	return nil
}

// demoOutputs print what to open, one line each.
var demoOutputs []func(o *demoOpts) string
