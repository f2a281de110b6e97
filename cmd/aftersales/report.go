package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/filename"
	"github.com/aftersales/aftersales/internal/workbook"
)

type reportOpts struct {
	dbFlags
	Store, Month, XLSX, Lang string
}

func init() { extraCommands = append(extraCommands, newReportCmd) }

// demoReports writes the report and payroll workbooks of each store's latest final month.
func demoReports(ctx context.Context, o *demoOpts, f *dbFlags) error {
	fmt.Fprintln(o.W, "writing Excel reports and payroll sheets…")
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
		rp := filepath.Join(dir, fmt.Sprintf("月报-%s-%s.xlsx", filename.Part(s.store), s.month))
		pp := filepath.Join(dir, fmt.Sprintf("工资表-%s-%s.xlsx", filename.Part(s.store), s.month))
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
	demoOutputs = append(demoOutputs, func(o *demoOpts) string {
		return fmt.Sprintf("reports   %s   (monthly report 月报 and payroll 工资表 per store)", dir)
	})
	return nil
}

func newReportCmd() *cobra.Command {
	o := &reportOpts{}
	c := &cobra.Command{
		Use:   "report --db FILE --store ID --month YYYY-MM --xlsx FILE [--lang zh|en]",
		Short: "The monthly business report workbook (业务月报表) of a store-month",
		Long: `Writes the monthly report: KPI sheet with targets, misses coloured, 环比 and 同比; a 13-month
trend with native Excel charts; technicians; advisors; comebacks; complaints (customers masked);
parts (ABC, dead stock, suggested orders). The numbers are the dashboard's: both read the same
named queries.`,
		Example: `  aftersales report --store S001 --month 2026-09 --xlsx 月报-S001-2026-09.xlsx
  aftersales report --store S001 --month 2026-09 --xlsx report.xlsx --lang en`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.Store == "" || o.Month == "" || o.XLSX == "" {
				return usage("report needs --store, --month and --xlsx\nRun `aftersales report --help` for usage.")
			}
			if !monthRe.MatchString(o.Month) {
				return usage("--month %q is not YYYY-MM", o.Month)
			}
			if o.Lang != "zh" && o.Lang != "en" {
				return usage("--lang must be zh or en")
			}
			d, err := openDB(&o.dbFlags, true)
			if err != nil {
				return err
			}
			defer d.Close()
			noteNotTransformed(ctxOf(c), d, o.Store)
			if err := workbook.Report(ctxOf(c), d, o.Store, o.Month, o.Lang, o.XLSX); err != nil {
				return failed("writing %s: %v", o.XLSX, err)
			}
			abs, _ := filepath.Abs(o.XLSX)
			fmt.Fprintf(c.OutOrStdout(), "wrote %s\n", abs)
			return nil
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Store, "store", "", "store id (required)")
	c.Flags().StringVar(&o.Month, "month", "", "month YYYY-MM (required)")
	c.Flags().StringVar(&o.XLSX, "xlsx", "", "the workbook to write (required)")
	c.Flags().StringVar(&o.Lang, "lang", "zh", "language: zh or en")
	return c
}
