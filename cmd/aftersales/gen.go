package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/gen"
	"github.com/aftersales/aftersales/internal/msg"
)

func newGenCmd() *cobra.Command {
	o := gen.Options{}
	clean := false
	c := &cobra.Command{
		Use:   "gen --stores N --months N --seed N --out DIR",
		Short: "Make deterministic synthetic DMS exports for every input kind",
		Long: `gen writes realistic sample exports: per store a folder with technicians.xlsx, parts.csv and
per month work_orders, order_jobs, parts_movements, callbacks (CSV: UTF-8 with English headers
for even stores, GBK with Chinese headers for odd ones) and attendance (XLSX with a title row),
plus stores.xlsx. A small share of rows is dirty on purpose (bad VINs, mangled phones, summary
and blank rows) unless --clean. The same seed gives byte-identical files.`,
		Example: `  aftersales gen --stores 3 --months 13 --seed 1 --out data/sample
  aftersales gen --stores 50 --months 24 --seed 7 --out /tmp/bench`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.Out == "" {
				return usage("gen needs --out DIR")
			}
			if o.Stores <= 0 || o.Months <= 0 {
				return usage("--stores and --months must be at least 1")
			}
			if err := monthFlag("--end-month", &o.EndMonth); err != nil {
				return err
			}
			o.Dirty = !clean
			start := time.Now()
			st, err := gen.Run(o)
			if err != nil {
				return failed("generating: %v", err)
			}
			fmt.Fprintln(c.OutOrStdout(), msg.T(lang, "wrote %d files, %d rows, %.1f MB to %s in %.1fs", st.Files, st.Rows, float64(st.Bytes)/1e6, o.Out, time.Since(start).Seconds()))
			return nil
		},
	}
	c.Flags().IntVar(&o.Stores, "stores", 3, "number of stores")
	c.Flags().IntVar(&o.Months, "months", 13, "number of months")
	c.Flags().Uint64Var(&o.Seed, "seed", 1, "random seed (same seed, same files)")
	c.Flags().StringVar(&o.Out, "out", "", "output folder")
	c.Flags().StringVar(&o.EndMonth, "end-month", "2026-10", "last month generated (YYYY-MM)")
	c.Flags().IntVar(&o.MinOrders, "min-orders", 1000, "fewest orders in a store-month")
	c.Flags().IntVar(&o.MaxOrders, "max-orders", 2000, "most orders in a store-month")
	c.Flags().IntVar(&o.Parts, "parts", 2000, "part numbers in the catalogue")
	c.Flags().BoolVar(&clean, "clean", false, "no dirty rows")
	return c
}
