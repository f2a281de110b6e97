package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/filename"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/workbook"
)

type reportOpts struct {
	dbFlags
	Store, Month, XLSX, Lang string
	AllStores                bool
	OutDir                   string
	Benchmark                bool // --benchmark: head office's benchmark workbook of --month
}

func init() { extraCommands = append(extraCommands, newReportCmd) }

// demoReports writes the report and payroll workbooks of each store's latest final month.
func demoReports(ctx context.Context, o *demoOpts, f *dbFlags) error {
	fmt.Fprintln(o.W, msg.T(lang, "writing Excel reports and payroll sheets…"))
	d, err := openDB(f, true)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, `SELECT store_id, max(month) FROM mart_store_month WHERE orders > 0 AND ftfr_provisional = false GROUP BY store_id ORDER BY store_id`)
	if err != nil {
		return failed("%v", err)
	}
	type sm struct{ store, month string }
	var list []sm
	for rows.Next() {
		var s sm
		if err := rows.Scan(&s.store, &s.month); err != nil {
			rows.Close()
			return failed("%v", err)
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return failed("%v", err)
	}
	rows.Close()
	dir := filepath.Join(o.Out, "reports")
	for _, s := range list {
		rp := filepath.Join(dir, reportFile(s.store, s.month))
		pp := filepath.Join(dir, payrollFile(s.store, s.month))
		if err := mkdirFor(rp); err != nil {
			return err
		}
		if err := workbook.Report(ctx, d, s.store, s.month, o.Lang, rp); err != nil {
			return failed("writing %s: %v", rp, err)
		}
		if err := workbook.Payroll(ctx, d, s.store, s.month, o.Lang, pp); err != nil {
			return failed("writing %s: %v", pp, err)
		}
	}
	if len(list) > 0 {
		month := list[0].month
		for _, s := range list {
			month = max(month, s.month)
		}
		bp := filepath.Join(dir, benchmarkFile(month))
		if err := workbook.Benchmark(ctx, d, month, o.Lang, bp); err != nil {
			return failed("writing %s: %v", bp, err)
		}
	}
	demoOutputs = append(demoOutputs, func(o *demoOpts) string {
		return msg.T(lang, "reports   %s   (monthly report 月报 and payroll 工资表 per store, group benchmark 集团对标)", dir)
	})
	return nil
}

// The names of the workbooks aftersales writes into a folder (--all-stores, the demo) or, for a
// report without --xlsx, into the current one; ingest leaves files so named aside (ownOutput).
func reportFile(store, month string) string {
	return fmt.Sprintf("月报-%s-%s.xlsx", filename.Part(store), month)
}
func payrollFile(store, month string) string {
	return fmt.Sprintf("工资表-%s-%s.xlsx", filename.Part(store), month)
}
func benchmarkFile(month string) string { return fmt.Sprintf("集团对标-%s.xlsx", month) }

func newReportCmd() *cobra.Command {
	o := &reportOpts{}
	c := &cobra.Command{
		Use:   "report --db FILE --store ID --month YYYY-MM [--xlsx FILE] [--lang zh|en] | --all-stores --month YYYY-MM --out-dir DIR | --benchmark --month YYYY-MM [--xlsx FILE]",
		Short: "The monthly business report workbook (业务月报表) of a store-month",
		Long: `Writes the monthly report: KPI sheet with targets, misses coloured, 环比, 同比 and 本年累计; a 13-month
trend with native Excel charts; technicians; advisors; comebacks; complaints (customers masked);
parts (ABC, dead stock, suggested orders). The numbers are the dashboard's: both read the same
named queries. --all-stores writes the report of every store with orders in --month into
--out-dir (月报-<store>-<month>.xlsx), for head office, with the group benchmark workbook
(集团对标-<month>.xlsx). --benchmark writes that workbook alone: every store × KPI, coloured
from worst to best by each KPI's direction, misses of a target in red; each KPI's ranking with the
group's median, quartiles, target, 环比 and 同比; every store's 本年累计; and the group's medians of 13
months.`,
		Example: `  aftersales report --store S001 --month 2026-09 --xlsx 月报-S001-2026-09.xlsx
  aftersales report --store S001 --month 2026-09 --xlsx report.xlsx --lang en
  aftersales report --all-stores --month 2026-09 --out-dir reports/2026-09
  aftersales report --benchmark --month 2026-09 --xlsx 集团对标-2026-09.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.Lang = lang
			if o.Month != "" {
				if err := monthFlag("--month", &o.Month); err != nil {
					return err
				}
			}
			if o.AllStores {
				return runReportAll(ctxOf(c), o, c.OutOrStdout())
			}
			if o.Benchmark {
				return runReportBenchmark(ctxOf(c), o, c.OutOrStdout())
			}
			if o.Store == "" || o.Month == "" {
				return usage("report needs --store and --month\nRun `aftersales report --help` for usage.")
			}
			if o.XLSX == "" {
				o.XLSX = reportFile(o.Store, o.Month)
			}
			d, err := openTransformed(ctxOf(c), &o.dbFlags, o.Store)
			if err != nil {
				return err
			}
			defer d.Close()
			if err := workbook.Report(ctxOf(c), d, o.Store, o.Month, o.Lang, o.XLSX); err != nil {
				return failed("writing %s: %v", o.XLSX, err)
			}
			abs, _ := filepath.Abs(o.XLSX)
			fmt.Fprintln(c.OutOrStdout(), msg.T(lang, "wrote %s", abs))
			return nil
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Store, "store", "", "store id (required)")
	c.Flags().StringVar(&o.Month, "month", "", "month YYYY-MM (required)")
	c.Flags().StringVar(&o.XLSX, "xlsx", "", "the workbook to write (default 月报-<store>-<month>.xlsx, with --benchmark 集团对标-<month>.xlsx, in the current folder)")
	c.Flags().BoolVar(&o.AllStores, "all-stores", false, "write the report of every store with orders in --month into --out-dir (head office)")
	c.Flags().StringVar(&o.OutDir, "out-dir", "", "with --all-stores: the folder for the workbooks")
	c.Flags().BoolVar(&o.Benchmark, "benchmark", false, "write head office's benchmark workbook (集团对标) of --month")
	return c
}

// runReportBenchmark writes the group benchmark workbook of a month.
func runReportBenchmark(ctx context.Context, o *reportOpts, w io.Writer) error {
	switch {
	case o.Store != "":
		return usage("--benchmark compares every store: leave out --store")
	case o.Month == "":
		return usage("--benchmark needs --month")
	}
	if o.XLSX == "" {
		o.XLSX = benchmarkFile(o.Month)
	}
	d, err := openTransformed(ctx, &o.dbFlags, "")
	if err != nil {
		return err
	}
	defer d.Close()
	if err := workbook.Benchmark(ctx, d, o.Month, o.Lang, o.XLSX); err != nil {
		return failed("writing %s: %v", o.XLSX, err)
	}
	abs, _ := filepath.Abs(o.XLSX)
	fmt.Fprintln(w, msg.T(lang, "wrote %s", abs))
	return nil
}

// runReportAll writes the monthly report of every store with customer orders in the month.
func runReportAll(ctx context.Context, o *reportOpts, w io.Writer) error {
	switch {
	case o.Store != "" || o.XLSX != "":
		return usage("--all-stores writes every store's report into --out-dir: leave out --store and --xlsx")
	case o.Month == "":
		return usage("--all-stores needs --month YYYY-MM")
	case o.OutDir == "":
		return usage("--all-stores needs --out-dir DIR")
	}
	d, err := openTransformed(ctx, &o.dbFlags, "")
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, `SELECT store_id FROM mart_store_month WHERE month = ? AND orders > 0 ORDER BY store_id`, o.Month)
	if err != nil {
		return failed("reading mart_store_month (run `aftersales transform` first): %v", err)
	}
	var stores []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return failed("%v", err)
		}
		stores = append(stores, s)
	}
	rows.Close()
	if len(stores) == 0 {
		return failed("no store has customer orders in %s: check --month, or run `aftersales transform` after loading it", o.Month)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return failed("cannot create %s: %v", o.OutDir, err)
	}
	err = inParallel(len(stores), "monthly reports", func(i int) error {
		p := filepath.Join(o.OutDir, reportFile(stores[i], o.Month))
		if err := workbook.Report(ctx, d, stores[i], o.Month, o.Lang, p); err != nil {
			return failed("writing %s: %v", p, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	bp := filepath.Join(o.OutDir, benchmarkFile(o.Month))
	if err := workbook.Benchmark(ctx, d, o.Month, o.Lang, bp); err != nil {
		return failed("writing %s: %v", bp, err)
	}
	fmt.Fprintln(w, msg.T(lang, "wrote %d monthly reports for %s to %s, and the group benchmark %s", len(stores), o.Month, o.OutDir, filepath.Base(bp)))
	return nil
}
