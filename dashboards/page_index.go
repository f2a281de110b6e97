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
	for _, s := range b.stores {
		row := []cellv{{Text: s.id + " " + s.name}}
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
			href := storeFile("store", s.id, m)
			if !b.rendered[href] {
				href = ""
			}
			row = append(row, cellv{Text: txt, Class: "num", Tip: tip, Href: href})
		}
		t.Rows = append(t.Rows, row)
	}
	pg.Sections = append(pg.Sections, section{Title: T(l, "orders"), Note: linksNote(l), Table: t, Wide: true})
	// links per store (the latest rendered month first)
	lt := &table{Head: []string{T(l, "store"), T(l, "month"), T(l, "store_review"), T(l, "techs"), T(l, "parts")}}
	for _, s := range b.stores {
		ms := b.months[s.id]
		for i := len(ms) - 1; i >= 0; i-- {
			f := storeFile("store", s.id, ms[i].month)
			if !b.rendered[f] {
				continue
			}
			lt.Rows = append(lt.Rows, []cellv{{Text: s.id + " " + s.name}, {Text: ms[i].month}, {Text: T(l, "store_review"), Href: f},
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

// dqChecks: the data-quality checks' names in the page's language and what to do about each
// (the tooltip, after the check's canonical name from mart_data_quality).
var dqChecks = map[string][2][2]string{
	"freshness":          {{"数据截至", "最新工单的进厂时间与最近一次导入；比集团最新数据早31天以上为警告：导入该门店最近的工单"}, {"Freshness", "the latest work order and the last ingest; a warning when more than 31 days behind the group: ingest the store's latest work orders"}},
	"orphan_jobs":        {{"工时行无对应工单", "工时行的工单号在工单中找不到：导入这些工单所在月份的工单导出"}, {"Job lines without an order", "the job line's order number is not among the work orders: ingest the work orders of that month"}},
	"orphan_callbacks":   {{"回访无对应工单", "回访记录的工单号在工单中找不到：导入这些工单所在月份的工单导出"}, {"Callbacks without an order", "the callback's order number is not among the work orders: ingest the work orders of that month"}},
	"orphan_movements":   {{"出入库引用的工单不存在", "出入库记录引用的工单号在工单中找不到；仍计入库存与满足率"}, {"Movements citing an unknown order", "the movement's order number is not among the work orders; it still counts for stock and fill rate"}},
	"unknown_parts":      {{"配件档案中无此配件", "出入库的配件号不在配件档案中，无成本、不计库存金额：导入最新的配件档案"}, {"Parts not in the catalogue", "movements of a part number missing from the parts file have no cost and no value: ingest the current parts file"}},
	"unknown_techs":      {{"技师档案中无此技师", "工时行或考勤的技师编号不在技师档案中：导入最新的技师档案"}, {"Technicians not on file", "a job line's or attendance row's technician is not in the technicians file: ingest the current technicians file"}},
	"negative_stock":     {{"负库存", "最近月末账面库存为负的配件数：核对出入库导出是否缺月"}, {"Negative stock", "parts with negative stock at the latest month end: check for a missing month of movements"}},
	"vin_check_digit":    {{"VIN校验位不符", "第9位校验位不符的VIN数（部分进口车VIN不含校验位，仅提示）"}, {"VIN check digit", "VINs whose 9th-position check digit does not match (some imported cars have none: information only)"}},
	"undistributed_pool": {{"工资池无法分配", "班组有工资池但无人有考勤，无法分配：补导考勤"}, {"Pool not distributed", "a team's pool has no member with attendance to share it: ingest the attendance"}},
	"unassigned_labour":  {{"工时未归属班组", "技师不在当月有效的技师档案中，其工时费不进任何班组的工资池：补导技师档案"}, {"Labour in no team", "labour of technicians with no technicians row in force goes to no team's pool: ingest the technicians file"}},
	"no_attendance":      {{"有派工无考勤", "技师有工时行但无考勤，出勤比例为0、不分配：补导考勤"}, {"Job lines, no attendance", "technicians with job lines but no attendance row get ratio 0 and no share: ingest the attendance"}},
	"rejected_rows":      {{"导入拒收的行", "导入时被拒收的行（文件、行号、列、原值与原因见 ingest_rejects）：修正后重新导出并导入"}, {"Rows rejected at ingest", "rows rejected at ingest (file, row, column, value and reason in ingest_rejects): correct them and ingest a new export"}},
}

// dqCheck: a check's name and tooltip in the page's language; an unknown check keeps its name.
func dqCheck(l, check string) (name, tip string) {
	c, ok := dqChecks[check]
	if !ok {
		return check, ""
	}
	i := 0
	if l == "en" {
		i = 1
	}
	return c[i][0], check + ": " + c[i][1]
}

// dqExample: the freshness example ("as of …; last ingest …", written by the mart) in Chinese.
func dqExample(l, check, ex string) string {
	if l == "en" || check != "freshness" {
		return ex
	}
	return strings.NewReplacer("as of ", "数据截至 ", "; last ingest ", "；最近导入 ").Replace(ex)
}
