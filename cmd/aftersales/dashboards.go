package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/dashboards"
	"github.com/aftersales/aftersales/internal/msg"
)

type dashOpts struct {
	dbFlags
	dashboards.Options
}

func init() { extraCommands = append(extraCommands, newDashboardsCmd) }

func demoDashboards(ctx context.Context, o *demoOpts, f *dbFlags) error {
	fmt.Fprintln(o.W, msg.T(lang, "writing dashboards…"))
	out := filepath.Join(o.Out, "dashboards")
	if err := runDashboards(ctx, &dashOpts{dbFlags: *f, Options: dashboards.Options{Out: out, Lang: o.Lang}}, o.W); err != nil {
		return err
	}
	demoOutputs = append([]func(o *demoOpts) string{func(o *demoOpts) string {
		abs, _ := filepath.Abs(filepath.Join(out, "index.html"))
		return msg.T(lang, "dashboards %s", fileURL(abs))
	}}, demoOutputs...)
	return nil
}

func newDashboardsCmd() *cobra.Command {
	o := &dashOpts{}
	c := &cobra.Command{
		Use:   "dashboards --db FILE --out DIR [--month M] [--store ID] [--lang zh|en] [--single-file] [--include-pay]",
		Short: "HTML dashboards: store monthly review, technicians, parts, head-office benchmark",
		Long: `Writes index.html and, per store-month, the monthly review, technicians and parts pages, and per
month the head-office benchmark. Pages open from disk with no network (ECharts is embedded).
--single-file inlines ECharts in every page (to mail or send by WeChat). Customer names and
phones are masked; pay appears only with --include-pay.`,
		Example: `  aftersales dashboards --out out/dashboards
  aftersales dashboards --out /tmp/d --month 2026-09 --store S001 --single-file
  aftersales dashboards --out /tmp/d --lang en`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.Out == "" {
				return usage("dashboards needs --out DIR")
			}
			if o.Month != "" {
				if err := monthFlag("--month", &o.Month); err != nil {
					return err
				}
			}
			o.Lang = lang
			return runDashboards(ctxOf(c), o, c.OutOrStdout())
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Out, "out", "", "output folder (required)")
	c.Flags().StringVar(&o.Month, "month", "", "only this month (default: every month with data)")
	c.Flags().StringVar(&o.Store, "store", "", "only this store (no benchmark pages)")
	c.Flags().BoolVar(&o.SingleFile, "single-file", false, "inline ECharts in every page (self-contained, ≈1 MB each)")
	c.Flags().BoolVar(&o.IncludePay, "include-pay", false, "show pay on the technicians pages (confidential)")
	return c
}

func runDashboards(ctx context.Context, o *dashOpts, w interface{ Write([]byte) (int, error) }) error {
	d, err := openTransformed(ctx, &o.dbFlags, o.Store)
	if err != nil {
		return err
	}
	defer d.Close()
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	start := time.Now()
	var bar *progressbar.ProgressBar
	var mu sync.Mutex
	if isTerminal() && o.Progress == nil {
		o.Progress = func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetDescription(msg.T(lang, "dashboards")), progressbar.OptionSetWriter(os.Stderr),
					progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}
	}
	st, err := dashboards.Build(ctx, d, o.Options)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return failed("dashboards: %v", err)
	}
	abs, _ := filepath.Abs(filepath.Join(o.Out, "index.html"))
	fmt.Fprintln(w, msg.T(lang, "wrote %d pages (%.1f MB) in %.1fs; open %s", st.Pages, float64(st.Bytes)/1e6, time.Since(start).Seconds(), fileURL(abs)))
	return nil
}
