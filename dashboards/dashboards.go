// Package dashboards writes the HTML dashboards: index, store monthly review, technicians,
// parts and the head-office benchmark. Pages are rendered through our own html/template (all
// text escaped); chart options are built with go-echarts and marshalled with encoding/json,
// which escapes <, >, & and U+2028/2029, so no data string can end the script or run as code.
// ECharts is vendored (assets/, from the npm package) and embedded: pages open from disk with
// no network. Customer names and phones are masked before they reach a page.
package dashboards

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftersales/aftersales/internal/filename"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/par"
	"github.com/aftersales/aftersales/internal/parse"
	"github.com/aftersales/aftersales/internal/workbook"
)

//go:embed assets/echarts.min.js
var echartsJS string

//go:embed assets/ECHARTS-LICENSE
var echartsLicense string

//go:embed assets/ECHARTS-NOTICE
var echartsNotice string

// Options of a dashboards run.
type Options struct {
	Out        string
	Month      string // one month for every page; empty: every month with data
	Store      string // one store; empty: all
	Lang       string // zh (default) or en
	SingleFile bool   // inline ECharts in every page
	IncludePay bool   // show pay on the technicians page (confidential)
	Now        time.Time
	// Progress, when set, is told after each store-month's pages (from the page workers).
	Progress func(done, total int)
}

// Stats of a run.
type Stats struct {
	Pages int
	Bytes int64
}

type builder struct {
	ctx       context.Context
	db        *sql.DB
	o         Options
	st        Stats
	settings  string
	stores    []storeInfo
	allStores []string               // every store with a page-worthy month, before --store
	months    map[string][]monthInfo // store → months with orders
	allMonth  []string
	rendered  map[string]bool // page file names written
	mu        sync.Mutex
}

type storeInfo struct{ id, name, region string }

// label is the store as pages name it: its id and name, or the id alone when no stores file gave
// a name (the name is the id then: "S001 S001" read as a mistake).
func (s storeInfo) label() string {
	if s.name == "" || s.name == s.id {
		return s.id
	}
	return s.id + " " + s.name
}

type monthInfo struct {
	month       string
	orders      int64
	provisional bool
	// partial: the store's latest work order (as_of) opened before the month's last day — a
	// month still running, or whose last exports are not loaded: its figures cover fewer days
	partial string
}

// subtitle is the line under a store page's title: the region, and for a month the data does not
// cover to its end, up to when it does.
func (b *builder) subtitle(s storeInfo, m monthInfo) string {
	if m.partial == "" {
		return s.region
	}
	note := workbook.PartialMonth(b.o.Lang, m.partial)
	if s.region == "" {
		return note
	}
	return s.region + " · " + note
}

// Build writes every page.
func Build(ctx context.Context, db *sql.DB, o Options) (Stats, error) {
	if o.Lang == "" {
		o.Lang = "zh"
	}
	b := &builder{ctx: ctx, db: db, o: o, months: map[string][]monthInfo{}, rendered: map[string]bool{}}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return b.st, msg.Errorf("cannot create %s: %w", o.Out, err)
	}
	if !o.SingleFile {
		if err := b.writeFile(filepath.Join("assets", "echarts.min.js"), []byte(echartsJS)); err != nil {
			return b.st, err
		}
		b.writeFile(filepath.Join("assets", "ECHARTS-LICENSE"), []byte(echartsLicense))
		b.writeFile(filepath.Join("assets", "ECHARTS-NOTICE"), []byte(echartsNotice))
	}
	if err := b.loadIndex(); err != nil {
		return b.st, err
	}
	if len(b.stores) == 0 && o.Store != "" && len(b.allStores) > 0 {
		return b.st, msg.Errorf("store %s has no month with closed customer orders (stores with data: %s): check --store", o.Store, listSome(b.allStores))
	}
	if len(b.stores) == 0 {
		return b.st, msg.Errorf("no store has a month with closed customer orders: ingest data and run `aftersales transform` first")
	}
	if o.Month != "" && !slices.Contains(b.allMonth, o.Month) {
		return b.st, msg.Errorf("no page for month %s: no store has closed customer orders in it (months with data: %s … %s): check --month",
			o.Month, b.allMonth[0], b.allMonth[len(b.allMonth)-1])
	}
	// pages per store-month (a worker per processor, par.Workers: each page is a few read
	// queries and a render), then benchmarks, then the index (which links what exists)
	type job struct {
		s storeInfo
		m monthInfo
	}
	var todo []job
	for _, s := range b.stores {
		for _, m := range b.months[s.id] {
			if o.Month == "" || m.month == o.Month {
				todo = append(todo, job{s, m})
			}
		}
	}
	jobs := make(chan job)
	workers := par.Workers(8)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	var done atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				for _, page := range []func(storeInfo, monthInfo) error{b.storePage, b.techPage, b.partsPage} {
					if err := page(j.s, j.m); err != nil {
						errs <- err
						for range jobs {
						}
						return
					}
				}
				if n := done.Add(1); o.Progress != nil {
					o.Progress(int(n), len(todo))
				}
			}
		}()
	}
	for _, j := range todo {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return b.st, err
	default:
	}
	if o.Store == "" {
		for _, m := range b.allMonth {
			if o.Month != "" && m != o.Month {
				continue
			}
			if err := b.benchmarkPage(m); err != nil {
				return b.st, err
			}
		}
	}
	return b.st, b.indexPage()
}

func (b *builder) loadIndex() error {
	r, err := workbook.Named(b.ctx, b.db, "dash_store_months", nil)
	if err != nil {
		return fmt.Errorf("%w (run `aftersales transform` first)", err)
	}
	seen, all := map[string]bool{}, map[string]bool{} // stores kept (--store), stores at all
	months := map[string]bool{}
	for _, row := range r.Rows {
		id := str(row[r.Col("store_id")])
		if !all[id] {
			all[id] = true
			b.allStores = append(b.allStores, id)
		}
		if b.o.Store != "" && id != b.o.Store {
			continue
		}
		if !seen[id] {
			seen[id] = true
			b.stores = append(b.stores, storeInfo{id, str(row[r.Col("store_name")]), str(row[r.Col("region")])})
		}
		m := str(row[r.Col("month")])
		months[m] = true
		mi := monthInfo{month: m, orders: toInt(row[r.Col("orders")]), provisional: row[r.Col("ftfr_provisional")] == true}
		// (Named gives timestamps as "2006-01-02 15:04" text)
		if t, err := time.Parse("2006-01-02 15:04", str(row[r.Col("as_of")])); err == nil {
			if parse.MonthPartial(t, m) {
				mi.partial = t.Format("2006-01-02 15:04")
			}
		}
		b.months[id] = append(b.months[id], mi)
	}
	for m := range months {
		b.allMonth = append(b.allMonth, m)
	}
	sort.Strings(b.allMonth)
	if s, err := workbook.Named(b.ctx, b.db, "settings_in_force", nil); err == nil && len(s.Rows) > 0 {
		b.settings = settingsText(str(s.Rows[0][s.Col("settings_json")]), b.o.Lang)
	}
	return nil
}

// listSome lists up to 10 ids ("S001, S002, … (50 in all)").
func listSome(ids []string) string {
	if len(ids) <= 10 {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:10], ", ") + fmt.Sprintf(", … (%d in all)", len(ids))
}

// settingsText summarises the settings in force for a page footer.
func settingsText(js, lang string) string {
	var c struct {
		Defaults map[string]any    `json:"defaults"`
		Targets  map[string]string `json:"targets"`
		Stores   map[string]any    `json:"stores"`
	}
	if json.Unmarshal([]byte(js), &c) != nil {
		return ""
	}
	keys := []string{"comeback_window_days", "on_time_grace_minutes", "hours_per_day", "pool_rate", "comeback_deduction", "ss_divisor", "dead_stock_days"}
	var parts []string
	for _, k := range keys {
		if v, ok := c.Defaults[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	var tk []string
	for k := range c.Targets {
		tk = append(tk, k)
	}
	sort.Strings(tk)
	for _, k := range tk {
		parts = append(parts, fmt.Sprintf("target.%s=%s", k, c.Targets[k]))
	}
	if len(c.Stores) > 0 {
		var ids []string
		for id := range c.Stores {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		parts = append(parts, T(lang, "overrides")+": "+strings.Join(ids, ", "))
	}
	return strings.Join(parts, " · ")
}

// writeFile writes below Out through a temporary file and a rename, so an unwritable or full
// disk leaves an earlier page intact.
func (b *builder) writeFile(rel string, data []byte) error {
	p := filepath.Join(b.o.Out, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return msg.Errorf("cannot create %s: %w", filepath.Dir(p), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".page-*.tmp")
	if err != nil {
		return msg.Errorf("cannot write in %s: %w", filepath.Dir(p), err)
	}
	// a temporary file is private (0600); the page is for whoever may read the folder
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", p, err)
	}
	b.mu.Lock()
	b.st.Bytes += int64(len(data))
	b.mu.Unlock()
	return nil
}

func (b *builder) render(file string, p *page) error {
	p.Lang = b.o.Lang
	p.Settings = b.settings
	p.Generated = b.o.Now.Format("2006-01-02 15:04")
	if b.o.SingleFile {
		p.InlineJS = template.JS(echartsJS)
	} else {
		p.ScriptSrc = "assets/echarts.min.js"
	}
	markEmptyCharts(p)
	var sb strings.Builder
	if err := pageTmpl.Execute(&sb, p); err != nil {
		return fmt.Errorf("rendering %s: %w", file, err)
	}
	if err := b.writeFile(file, []byte(sb.String())); err != nil {
		return err
	}
	b.mu.Lock()
	b.rendered[file] = true
	b.st.Pages++
	b.mu.Unlock()
	return nil
}

// storeFile names a store's page: the store id as filename.Part, which keeps the page in its
// folder and gives every store its own (before, every character but ASCII letters and digits
// became '_', so 上海店 and 北京店 wrote one file, the second store's figures over the first's).
func storeFile(kind, store, month string) string {
	return fmt.Sprintf("%s-%s-%s.html", kind, filename.Part(store), month)
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	}
	return 0, false
}
