package dashboards

import (
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/internal/workbook"
)

// indexPage: stores × months navigation; per store the freshness (as-of date, last ingest) and
// the data-quality warnings.
func (b *builder) indexPage() error {
	l := b.o.Lang
	pg := &page{Title: T(l, "index_title"), Subtitle: fmt.Sprintf("%d %s · %s", len(b.stores), T(l, "stores"), b.o.Now.Format("2006-01-02"))}
	if b.o.Store == "" {
		for _, m := range b.allMonth {
			if f := "benchmark-" + m + ".html"; b.rendered[f] {
				pg.Nav = append(pg.Nav, link{Text: T(l, "benchmark") + " " + m, Href: f})
			}
		}
		if len(pg.Nav) > 6 {
			pg.Nav = pg.Nav[len(pg.Nav)-6:]
		}
	}
	// grid
	months := b.allMonth
	if len(months) > 13 && b.o.Month == "" {
		months = months[len(months)-13:]
	}
	head := []string{T(l, "store")}
	head = append(head, months...)
	t := &table{Head: head}
	anyPartial := false
	for _, s := range b.stores {
		row := []cellv{{Text: s.label()}}
		have := map[string]monthInfo{}
		for _, m := range b.months[s.id] {
			have[m.month] = m
		}
		for _, m := range months {
			mi, ok := have[m]
			if !ok {
				row = append(row, cellv{Text: ""})
				continue
			}
			txt := Fmt(float64(mi.orders), "count", l)
			tip := ""
			if mi.provisional {
				tip = T(l, "provisional")
			}
			if mi.partial != "" {
				// a month the data does not cover yet: marked, with up to when it does
				txt += "*"
				tip = workbook.PartialMonth(l, mi.partial)
				anyPartial = true
			}
			href := storeFile("store", s.id, m)
			if !b.rendered[href] {
				href = ""
			}
			row = append(row, cellv{Text: txt, Class: "num", Tip: tip, Href: href})
		}
		t.Rows = append(t.Rows, row)
	}
	if len(b.stores) > 1 {
		// the group's total per month (head office reads it first)
		sum := map[string]int64{}
		for _, s := range b.stores {
			for _, m := range b.months[s.id] {
				sum[m.month] += m.orders
			}
		}
		row := []cellv{{Text: T(l, "total"), Class: "total"}}
		for _, m := range months {
			c := cellv{Class: "num total"}
			if n, ok := sum[m]; ok {
				c.Text = Fmt(float64(n), "count", l)
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	note := linksNote(l)
	if anyPartial {
		note += T(l, "partial_star")
	}
	pg.Sections = append(pg.Sections, section{Title: T(l, "orders"), Note: note, Table: t, Wide: true})
	// links per store (the latest rendered month first)
	lt := &table{Head: []string{T(l, "store"), T(l, "month"), T(l, "store_review"), T(l, "techs"), T(l, "parts")}}
	for _, s := range b.stores {
		ms := b.months[s.id]
		for i := len(ms) - 1; i >= 0; i-- {
			f := storeFile("store", s.id, ms[i].month)
			if !b.rendered[f] {
				continue
			}
			lt.Rows = append(lt.Rows, []cellv{{Text: s.label()}, {Text: ms[i].month}, {Text: T(l, "store_review"), Href: f},
				{Text: T(l, "techs"), Href: storeFile("techs", s.id, ms[i].month)}, {Text: T(l, "parts"), Href: storeFile("parts", s.id, ms[i].month)}})
		}
	}
	// freshness and data quality
	dq, err := workbook.Named(b.ctx, b.db, "data_quality", nil)
	if err != nil {
		return err
	}
	qt := &table{Head: []string{T(l, "store"), T(l, "dq_check"), T(l, "dq_severity"), T(l, "dq_count"), T(l, "dq_amount"), T(l, "dq_example")}}
	for _, r := range dq.Rows {
		sid := str(r[dq.Col("store_id")])
		if b.o.Store != "" && sid != b.o.Store {
			continue
		}
		check, sev := str(r[dq.Col("check")]), str(r[dq.Col("severity")])
		cls := ""
		if sev == "warn" {
			cls = "warn"
		}
		amount := cellv{Class: "num"}
		if v := r[dq.Col("amount")]; v != nil {
			amount = numCell(v, "money", l)
		}
		count := numCell(r[dq.Col("count")], "count", l)
		if check == "freshness" {
			count = cellv{Class: "num"} // the mart writes 0: not a count
		}
		name, tip := dqCheck(l, check)
		qt.Rows = append(qt.Rows, []cellv{{Text: sid}, {Text: name, Class: cls, Tip: tip}, {Text: T(l, "dq_"+sev)},
			count, amount, {Text: dqExample(l, check, str(r[dq.Col("example")]))}})
	}
	pg.Sections = append(pg.Sections, section{Title: T(l, "freshness") + " · " + T(l, "dq"), Table: qt, Wide: true})
	pg.Sections = append(pg.Sections, section{Title: T(l, "store_review") + " · " + T(l, "techs") + " · " + T(l, "parts"), Table: lt, Wide: true})
	return b.render("index.html", pg)
}

func linksNote(l string) string {
	if l == "en" {
		return "Orders per store-month; the table below links every page."
	}
	return "各门店各月台次；下表链接到每个页面。"
}

// dqCheck: a check's name in the page's language and its tooltip: the canonical name (as in
// mart_data_quality) and what to do.
func dqCheck(l, check string) (name, tip string) {
	name, what := workbook.Check(l, check)
	if what == "" {
		return name, ""
	}
	return name, check + ": " + what
}

// dqExample: the freshness example ("as of …; last ingest …", written by the mart) in Chinese.
func dqExample(l, check, ex string) string {
	if l == "en" || check != "freshness" {
		return ex
	}
	return strings.NewReplacer("as of ", "数据截至 ", "; last ingest ", "；最近导入 ").Replace(ex)
}
