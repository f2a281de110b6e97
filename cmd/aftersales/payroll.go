package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/workbook"
	"github.com/aftersales/aftersales/transform"
)

type payrollOpts struct {
	dbFlags
	Store, Month, XLSX, Reason, Lang string
	Close, Reopen                    bool
	AllStores                        bool
	OutDir                           string
	Out                              io.Writer
}

var monthRe = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

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
month (payroll_adjustments). --reopen needs --reason and is recorded.`,
		Example: `  aftersales payroll --store S001 --month 2026-09 --xlsx 工资表-S001-2026-09.xlsx
  aftersales payroll --store S001 --month 2026-09 --close
  aftersales payroll --store S001 --month 2026-09 --reopen --reason "attendance corrected"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.Out = c.OutOrStdout()
			return runPayroll(ctxOf(c), o)
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Store, "store", "", "store id (required)")
	c.Flags().StringVar(&o.Month, "month", "", "month YYYY-MM (required)")
	c.Flags().StringVar(&o.XLSX, "xlsx", "", "write the payroll workbook here")
	c.Flags().BoolVar(&o.Close, "close", false, "close (freeze) the month")
	c.Flags().BoolVar(&o.Reopen, "reopen", false, "reopen a closed month (needs --reason)")
	c.Flags().StringVar(&o.Reason, "reason", "", "why the month is closed or reopened (recorded)")
	c.Flags().StringVar(&o.Lang, "lang", "zh", "language of the printed table and the workbook: zh or en")
	c.Flags().BoolVar(&o.AllStores, "all-stores", false, "write the workbook of every store for --month into --out-dir (head office)")
	c.Flags().StringVar(&o.OutDir, "out-dir", "", "with --all-stores: the folder for the workbooks")
	return c
}

// runPayrollAll writes every store's payroll workbook of one month.
func runPayrollAll(ctx context.Context, o *payrollOpts) error {
	if o.OutDir == "" {
		return usage("--all-stores needs --out-dir DIR")
	}
	d, err := openDB(&o.dbFlags, true)
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
	// two workers: writing a workbook is Go's work (excelize, zip)
	errs := make([]error, len(all))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := filepath.Join(o.OutDir, fmt.Sprintf("工资表-%s-%s.xlsx", all[i].Store, o.Month))
				if err := mkdirFor(p); err != nil {
					errs[i] = err
				} else if err := workbook.WritePayroll(all[i], o.Lang, p); err != nil {
					errs[i] = failed("writing %s: %v", p, err)
				}
			}
		}()
	}
	for i := range all {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs { // the first store's error, as a sequential run would report
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(o.Out, "wrote %d payroll workbooks for %s to %s\n", len(all), o.Month, o.OutDir)
	return nil
}

func runPayroll(ctx context.Context, o *payrollOpts) error {
	if o.AllStores {
		if o.Month == "" || !monthRe.MatchString(o.Month) {
			return usage("--all-stores needs --month YYYY-MM")
		}
		return runPayrollAll(ctx, o)
	}
	if o.Store == "" || o.Month == "" {
		return usage("payroll needs --store and --month\nRun `aftersales payroll --help` for usage.")
	}
	if !monthRe.MatchString(o.Month) {
		return usage("--month %q is not YYYY-MM", o.Month)
	}
	if o.Close && o.Reopen {
		return usage("--close and --reopen exclude each other")
	}
	if o.Reopen && o.Reason == "" {
		return usage("--reopen needs --reason \"why\"")
	}
	if o.Lang != "zh" && o.Lang != "en" {
		return usage("--lang must be zh or en")
	}
	writing := o.Close || o.Reopen
	open := func() (*sql.DB, error) { return openDB(&o.dbFlags, true) }
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
		n, err := transform.ClosePayroll(ctx, d, o.lakeDir(), o.Store, o.Month, o.Reason, now)
		if err != nil {
			return failed("%v", err)
		}
		fmt.Fprintf(o.Out, "closed payroll %s %s: %d rows frozen\n", o.Store, o.Month, n)
	case o.Reopen:
		if err := transform.ReopenPayroll(ctx, d, o.lakeDir(), o.Store, o.Month, o.Reason, now); err != nil {
			return failed("%v", err)
		}
		fmt.Fprintf(o.Out, "reopened payroll %s %s (%s); run `aftersales transform` to recompute it\n", o.Store, o.Month, o.Reason)
	}
	if err := printPayroll(ctx, o, d); err != nil {
		return err
	}
	if o.XLSX != "" {
		if err := workbook.Payroll(ctx, d, o.Store, o.Month, o.Lang, o.XLSX); err != nil {
			return failed("writing %s: %v", o.XLSX, err)
		}
		abs, _ := filepath.Abs(o.XLSX)
		fmt.Fprintf(o.Out, "wrote %s\n", abs)
	}
	return nil
}

func printPayroll(ctx context.Context, o *payrollOpts, d dbQuerier) error {
	// the columns named in --lang (zh by default: the payroll clerk's own words, as in the
	// workbook), grades and the status too
	lang := o.Lang
	col := func(expr, key string) string { return expr + " AS " + strconv.Quote(workbook.L(lang, key)) }
	grade, status := "grade", "CASE WHEN closed THEN 'closed' ELSE 'open' END"
	if lang != "en" {
		grade = "CASE grade"
		for _, g := range []string{"lead", "deputy", "assistant", "trainee", "apprentice"} {
			grade += " WHEN '" + g + "' THEN '" + workbook.Enum(lang, g) + "'"
		}
		grade += " ELSE grade END"
		status = "CASE WHEN closed THEN '已关账' ELSE '未关账' END"
	}
	text, _, err := d2text(ctx, d, `SELECT `+strings.Join([]string{col("team_id", "team"), col("tech_id", "tech_id"), col("tech_name", "tech_name"),
		col(grade, "grade"), col("coefficient", "coef"), col("ratio::DECIMAL(6,4)", "ratio"), col("pool", "pool"), col("share", "share_paid"),
		col("topup", "topup"), col("comebacks", "comebacks"), col("deduction", "deduction"), col("pay", "pay"), col(status, "status")}, ", ")+`
		FROM mart_payroll WHERE store_id = ? AND month = ? ORDER BY team_id, tech_id`, o.Store, o.Month)
	if err != nil {
		return failed("reading mart_payroll (run `aftersales transform` first): %v", err)
	}
	if text == "" {
		return failed("no payroll rows for store %s month %s: check the store id and month, and run `aftersales transform`", o.Store, o.Month)
	}
	fmt.Fprint(o.Out, text)
	rows, err := d.QueryContext(ctx, `SELECT tech_id, coalesce(tech_name, ''), closed_pay::VARCHAR, recomputed_pay::VARCHAR, difference::VARCHAR, why
		FROM payroll_differences WHERE store_id = ? AND month = ? ORDER BY tech_id`, o.Store, o.Month)
	if err != nil {
		return nil // a database from before the difference tables: nothing to show
	}
	defer rows.Close()
	t := &textTable{}
	t.add([]string{workbook.L(lang, "tech_id"), workbook.L(lang, "tech_name"), workbook.L(lang, "closed_pay"), workbook.L(lang, "recomputed_pay"),
		workbook.L(lang, "difference"), workbook.L(lang, "why")})
	n := 0
	for rows.Next() {
		var id, name, cp, rp, diff, why string
		if err := rows.Scan(&id, &name, &cp, &rp, &diff, &why); err != nil {
			return failed("reading payroll_differences: %v", err)
		}
		t.add([]string{id, name, cp, rp, diff, workbook.Why(lang, why)})
		n++
	}
	if err := rows.Err(); err != nil {
		return failed("reading payroll_differences: %v", err)
	}
	if n > 0 {
		if lang == "en" {
			fmt.Fprint(o.Out, "\nthe month is closed, and the current data would pay differently (proposed adjustments in payroll_adjustments):\n")
		} else {
			fmt.Fprint(o.Out, "\n本月已关账；按现有数据重算，以下技师的应发工资不同（建议的调整见 payroll_adjustments，记入下一个未关账月份）：\n")
		}
		var b strings.Builder
		t.write(&b)
		fmt.Fprint(o.Out, b.String())
	}
	return nil
}
