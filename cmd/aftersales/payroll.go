package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/workbook"
	"github.com/aftersales/aftersales/transform"
)

type payrollOpts struct {
	dbFlags
	Store, Month, XLSX, Reason, Lang string
	Close, Reopen, Force             bool
	AllStores                        bool
	OutDir                           string
	Out                              io.Writer
}

func init() {
	extraCommands = append(extraCommands, newPayrollCmd)
}

func newPayrollCmd() *cobra.Command {
	o := &payrollOpts{}
	c := &cobra.Command{
		Use:   "payroll --db FILE --store ID --month YYYY-MM [--xlsx FILE] [--close] [--reopen --reason TEXT]",
		Short: "The payroll sheet of a store-month (5.0 coefficient method); --close freezes it",
		Long: `Prints the payroll of one store-month from mart_payroll and, with --xlsx, writes the workbook
(工资表): a summary, one sheet per team where every derived cell is a live formula over the inputs
beside the amount actually paid, the comeback charges and the technicians' monthly statistics.

--close freezes the month: no later ingest or transform changes its rows. Data that would change
it show as a difference report (payroll_differences) with proposed adjustments for the next open
month (payroll_adjustments). --reopen needs --reason and is recorded.

A month is closed only on all of its data: --close refuses while exports of the store loaded (or
a month reopened) since the last transform are not in mart_payroll yet, and while the loaded data
does not reach the month's end (no attendance of the month, or no work order opened, completed
or delivered on or after its last day); --force closes such a month as it stands.`,
		Example: `  aftersales payroll --store S001 --month 2026-09 --xlsx 工资表-S001-2026-09.xlsx
  aftersales payroll --store S001 --month 2026-09 --close
  aftersales payroll --store S001 --month 2026-09 --reopen --reason "attendance corrected"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.Out, o.Lang = c.OutOrStdout(), lang
			return runPayroll(ctxOf(c), o)
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Store, "store", "", "store id (required)")
	c.Flags().StringVar(&o.Month, "month", "", "month YYYY-MM (required)")
	c.Flags().StringVar(&o.XLSX, "xlsx", "", "write the payroll workbook here")
	c.Flags().BoolVar(&o.Close, "close", false, "close (freeze) the month")
	c.Flags().BoolVar(&o.Reopen, "reopen", false, "reopen a closed month (needs --reason)")
	c.Flags().BoolVar(&o.Force, "force", false, "with --close: close a month whose loaded data does not reach its end (no attendance, or no work order on or after its last day)")
	c.Flags().StringVar(&o.Reason, "reason", "", "why the month is closed or reopened (recorded)")
	c.Flags().BoolVar(&o.AllStores, "all-stores", false, "write the workbook of every store for --month into --out-dir (head office)")
	c.Flags().StringVar(&o.OutDir, "out-dir", "", "with --all-stores: the folder for the workbooks")
	return c
}

// runPayrollAll writes every store's payroll workbook of one month.
func runPayrollAll(ctx context.Context, o *payrollOpts) error {
	if o.OutDir == "" {
		return usage("--all-stores needs --out-dir DIR")
	}
	d, err := openTransformed(ctx, &o.dbFlags, "")
	if err != nil {
		return err
	}
	defer d.Close()
	// every store's data is read first, one query per table; then the workbooks are written
	all, err := workbook.LoadPayroll(ctx, d, "", o.Month)
	if err != nil {
		return failed("%v", err)
	}
	if len(all) == 0 {
		return failed("no payroll for month %s", o.Month)
	}
	err = inParallel(len(all), "payroll workbooks", func(i int) error {
		p := filepath.Join(o.OutDir, payrollFile(all[i].Store, o.Month))
		if err := mkdirFor(p); err != nil {
			return err
		}
		if err := workbook.WritePayroll(all[i], o.Lang, p); err != nil {
			return failed("writing %s: %v", p, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(o.Out, msg.T(lang, "wrote %d payroll workbooks for %s to %s", len(all), o.Month, o.OutDir))
	return nil
}

func runPayroll(ctx context.Context, o *payrollOpts) error {
	if o.Month != "" {
		if err := monthFlag("--month", &o.Month); err != nil {
			return err
		}
	}
	if o.AllStores {
		if o.Month == "" {
			return usage("--all-stores needs --month YYYY-MM")
		}
		return runPayrollAll(ctx, o)
	}
	if o.Store == "" || o.Month == "" {
		return usage("payroll needs --store and --month\nRun `aftersales payroll --help` for usage.")
	}
	if o.Close && o.Reopen {
		return usage("--close and --reopen exclude each other")
	}
	if o.Reopen && o.Reason == "" {
		return usage("--reopen needs --reason \"why\"")
	}
	writing := o.Close || o.Reopen
	open := func() (*sql.DB, error) { return openTransformed(ctx, &o.dbFlags, o.Store) }
	if writing {
		open = func() (*sql.DB, error) { return openExisting(&o.dbFlags) }
	}
	d, err := open()
	if err != nil {
		return err
	}
	defer d.Close()
	now := time.Now()
	switch {
	case o.Close:
		// a closed month never changes: close what the clerk has checked, on all of its data
		stale, incomplete, err := transform.CloseReadiness(ctx, d, o.Store, o.Month, lang)
		if err != nil {
			return failed("%v", err)
		}
		if stale != "" {
			return failed("payroll %s %s not closed: %s: the payroll does not include that yet. Run `aftersales transform`, check the payroll, then close it", o.Store, o.Month, stale)
		}
		if incomplete != "" && !o.Force {
			return failed("payroll %s %s not closed: %s, so the month looks incomplete. Load the missing exports and run `aftersales transform`; or, if the data is complete as it is, close it with --force", o.Store, o.Month, incomplete)
		}
		n, err := transform.ClosePayroll(ctx, d, o.lakeDir(), o.Store, o.Month, o.Reason, now)
		if err != nil {
			return failed("%v", err)
		}
		fmt.Fprintln(o.Out, msg.T(lang, "closed payroll %s %s: %d rows frozen", o.Store, o.Month, n))
	case o.Reopen:
		if err := transform.ReopenPayroll(ctx, d, o.lakeDir(), o.Store, o.Month, o.Reason, now); err != nil {
			return failed("%v", err)
		}
		fmt.Fprintln(o.Out, msg.T(lang, "reopened payroll %s %s (%s); run `aftersales transform` to recompute it", o.Store, o.Month, o.Reason))
	}
	if err := printPayroll(ctx, o, d); err != nil {
		return err
	}
	if o.XLSX != "" {
		if err := workbook.Payroll(ctx, d, o.Store, o.Month, o.Lang, o.XLSX); err != nil {
			return failed("writing %s: %v", o.XLSX, err)
		}
		abs, _ := filepath.Abs(o.XLSX)
		fmt.Fprintln(o.Out, msg.T(lang, "wrote %s", abs))
	}
	return nil
}

func printPayroll(ctx context.Context, o *payrollOpts, d *sql.DB) error {
	// in --lang (zh by default: the payroll clerk's own words, the workbook's labels), with the
	// grades, the status and the reasons of differences named in it too
	lang := o.Lang
	grade := func(g string) string { return workbook.Enum(lang, g) }
	status := func(closed string) string {
		switch {
		case lang == "en" && closed == "true":
			return "closed"
		case lang == "en":
			return "open"
		case closed == "true":
			return "已关账"
		}
		return "未关账"
	}
	text, _, err := labelledText(ctx, d, lang,
		[]string{"team", "tech_id", "tech_name", "grade", "coef", "ratio", "pool", "share_paid", "topup", "comebacks", "deduction", "pay", "status"},
		map[int]func(string) string{3: grade, 12: status},
		`SELECT team_id, tech_id, tech_name, grade, coefficient, ratio::DECIMAL(6,4), pool, share, topup, comebacks, deduction, pay, closed
		FROM mart_payroll WHERE store_id = ? AND month = ? ORDER BY team_id, tech_id`, o.Store, o.Month)
	if err != nil {
		return failed("reading mart_payroll (run `aftersales transform` first): %v", err)
	}
	if text == "" {
		if err := workbook.NoTechnicians(ctx, d, o.Store); err != nil {
			return failed("%v", err)
		}
		if stores, months, ok := workbook.MartSpan(ctx, d, "mart_payroll"); ok {
			return failed("no payroll rows for store %s month %s (the payroll holds stores %s, months %s): check --store and --month, or run `aftersales transform` after loading that month", o.Store, o.Month, stores, months)
		}
		return failed("no payroll rows for store %s month %s: check the store id and month, and run `aftersales transform`", o.Store, o.Month)
	}
	fmt.Fprint(o.Out, text)
	diff, n, err := labelledText(ctx, d, lang, []string{"tech_id", "tech_name", "closed_pay", "recomputed_pay", "difference", "why"},
		map[int]func(string) string{5: func(why string) string { return workbook.Why(lang, why) }},
		`SELECT tech_id, tech_name, closed_pay, recomputed_pay, difference, why FROM payroll_differences WHERE store_id = ? AND month = ? ORDER BY tech_id`,
		o.Store, o.Month)
	if err == nil && n > 0 {
		if lang == "en" {
			fmt.Fprint(o.Out, "\nthe month is closed, and the current data would pay differently (proposed adjustments in payroll_adjustments):\n")
		} else {
			fmt.Fprint(o.Out, "\n本月已关账；按现有数据重算，以下技师的应发工资不同（建议的调整见 payroll_adjustments，记入下一个未关账月份）：\n")
		}
		fmt.Fprint(o.Out, diff)
	}
	return nil
}

// labelledText runs a query and renders it as an aligned text table, the columns headed by the
// workbook's labels of keys in lang and the cells of the columns in show rewritten for display;
// n is the number of rows.
func labelledText(ctx context.Context, d dbQuerier, lang string, keys []string, show map[int]func(string) string, q string, args ...any) (string, int, error) {
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	_, data, err := readAll(rows)
	if err != nil || len(data) == 0 {
		return "", 0, err
	}
	t := &textTable{}
	head := make([]string, len(keys))
	for i, k := range keys {
		head[i] = workbook.L(lang, k)
	}
	t.add(head)
	for _, r := range data {
		cells := textRow(r)
		for i, f := range show {
			cells[i] = f(cells[i])
		}
		t.add(cells)
	}
	var b strings.Builder
	t.write(&b)
	return b.String(), len(data), nil
}
