package gen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

type writer struct {
	mu    sync.Mutex
	stats *Stats
}

func (w *writer) count(rows int, path string) {
	st, _ := os.Stat(path)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stats.Files++
	w.stats.Rows += rows
	if st != nil {
		w.stats.Bytes += st.Size()
	}
}

// table is one export: headers (English and Chinese) and rows of text cells.
type table struct {
	en, zh []string
	rows   [][]string
}

// writeCSV writes UTF-8 with English headers, or GBK with Chinese headers (as Chinese DMS exports do).
func (w *writer) writeCSV(path string, t *table, gbk bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	var out io.Writer = bw
	var tw *transform.Writer
	if gbk {
		tw = transform.NewWriter(bw, simplifiedchinese.GBK.NewEncoder())
		out = tw
	}
	cw := csv.NewWriter(out)
	hdr := t.en
	if gbk {
		hdr = t.zh
	}
	cw.Write(hdr)
	for _, r := range t.rows {
		cw.Write(r)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	if tw != nil {
		if err := tw.Close(); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	w.count(len(t.rows), path)
	return nil
}

// writeXLSX writes a sheet with a merged title row above the Chinese header, as DMS reports do.
func (w *writer) writeXLSX(path, title string, t *table, types map[int]string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(t.zh), 1)
	if err := sw.SetRow("A1", []any{title}); err != nil {
		return err
	}
	if err := sw.MergeCell("A1", last); err != nil {
		return err
	}
	hdr := make([]any, len(t.zh))
	for i, h := range t.zh {
		hdr[i] = h
	}
	sw.SetRow("A2", hdr)
	for ri, r := range t.rows {
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = v
			if types[i] == "num" && v != "" {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					cells[i] = f
				}
			}
		}
		name, _ := excelize.CoordinatesToCellName(1, ri+3)
		if err := sw.SetRow(name, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	// fixed document properties so that the same seed gives the same bytes
	f.SetDocProps(&excelize.DocProperties{Created: "2026-01-01T00:00:00Z", Modified: "2026-01-01T00:00:00Z", Creator: "aftersales gen"})
	if err := f.SaveAs(path); err != nil {
		return err
	}
	w.count(len(t.rows), path)
	return nil
}

func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

func yuanDirty(fen int64) string {
	s := yuan(fen)
	if fen >= 100000 {
		// ¥1,234.50: thousands separator and currency sign, as Excel's currency format exports
		whole := fen / 100
		s = fmt.Sprintf("￥%d,%03d.%02d", whole/1000, whole%1000, fen%100)
	}
	return s
}

func ts(t time.Time, gbk bool) string {
	if t.IsZero() {
		return ""
	}
	if gbk {
		return fmt.Sprintf("%d/%d/%d %02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
	}
	return t.Format("2006-01-02 15:04:05")
}

func yn(b bool, gbk bool) string {
	switch {
	case b && gbk:
		return "是"
	case gbk:
		return "否"
	case b:
		return "Y"
	}
	return "N"
}

func (w *writer) storesFile(dir string, stores []*store) error {
	t := &table{en: []string{"store_id", "store_name", "region", "brand"}, zh: []string{"门店编号", "门店名称", "区域", "品牌"}}
	for _, s := range stores {
		t.rows = append(t.rows, []string{s.id, s.name, s.region, s.brand})
	}
	return w.writeXLSX(filepath.Join(dir, "stores.xlsx"), "门店清单", t, nil)
}

func (w *writer) technicians(dir string, s *store, months int) error {
	t := &table{en: []string{"store_id", "tech_id", "tech_name", "team_id", "grade", "coefficient", "base_wage", "valid_from"},
		zh: []string{"门店编号", "技师编号", "技师姓名", "班组", "岗位级别", "技术系数", "保底工资(元)", "生效月份"}}
	first := s.start.Format("2006-01")
	for _, tc := range s.techs {
		t.rows = append(t.rows, []string{s.id, tc.id, tc.name, tc.team, gradeZH[tc.grade], fmt.Sprintf("%d.%d", tc.coef/10, tc.coef%10), yuan(tc.base), first})
		if tc.promoteAt >= 0 {
			p := promote(tc)
			t.rows = append(t.rows, []string{s.id, p.id, p.name, p.team, gradeZH[p.grade], fmt.Sprintf("%d.%d", p.coef/10, p.coef%10), yuan(p.base),
				s.start.AddDate(0, tc.promoteAt, 0).Format("2006-01")})
		}
	}
	return w.writeXLSX(filepath.Join(dir, "technicians.xlsx"), s.name+" 技师档案", t, map[int]string{5: "num", 6: "num"})
}

func (w *writer) parts(dir string, s *store, catalog []part) error {
	t := &table{en: []string{"store_id", "part_no", "part_name", "category", "unit_cost", "order_cycle_days", "lead_time_days"},
		zh: []string{"门店编号", "配件编号", "配件名称", "类别", "成本价(元)", "采购周期", "到货周期"}}
	for _, p := range catalog {
		t.rows = append(t.rows, []string{s.id, p.no, p.name, p.category, yuan(p.cost), strconv.Itoa(p.cycle), strconv.Itoa(p.lead)})
	}
	return w.writeCSV(filepath.Join(dir, "parts.csv"), t, s.gbk)
}

func (w *writer) workOrders(dir string, s *store, month string, orders []*order, dirty bool) error {
	t := &table{
		en: []string{"store_id", "order_no", "vin", "plate", "model", "mileage_km", "customer_name", "phone", "order_type", "appointment",
			"advisor_id", "opened_at", "promised_at", "completed_at", "delivered_at", "status", "is_comeback", "comeback_cause",
			"labor_amount", "parts_amount", "other_amount", "discount_amount"},
		zh: []string{"门店编号", "工单号", "车架号", "车牌号", "车型", "行驶里程", "客户姓名", "联系电话", "维修类别", "是否预约",
			"服务顾问", "进厂时间", "预计交车时间", "完工时间", "交车时间", "工单状态", "是否返修", "返修原因",
			"工时费(元)", "材料费(元)", "其他费用", "优惠金额"},
	}
	g := s.gbk
	statusZH := map[string]string{"delivered": "已结算", "completed": "完工", "open": "在修", "cancelled": "作废"}
	for i, o := range orders {
		typ, status := o.typ, o.status
		if g {
			for _, ot := range orderTypes {
				if ot.en == o.typ {
					typ = ot.zh
				}
			}
			status = statusZH[o.status]
		}
		cause := ""
		if o.comeback {
			cause = causeEN[o.cause]
			if g {
				cause = causes[o.cause]
			}
		}
		promised := time.Time{}
		if o.hasPromised {
			promised = o.promised
		}
		done := o.done
		if o.status == "cancelled" {
			done = time.Time{}
		}
		money := yuan
		if g {
			money = yuanDirty
		}
		km := o.v.km + int(o.opened.Sub(s.start).Hours()/24)*o.v.kmPerDay
		row := []string{s.id, o.no, o.v.vin, o.v.plate, o.v.model, strconv.Itoa(km), o.v.name, o.v.phone, typ, yn(o.appointment, g),
			o.advisor, ts(o.opened, g), ts(promised, g), ts(done, g), ts(o.delivered, g), status, yn(o.comeback, g), cause,
			money(o.labor), money(o.parts), money(o.other), money(o.discount)}
		if dirty {
			switch i % 397 {
			case 11:
				row[2] = row[2][:8] + "O" + row[2][9:] // VIN with the letter O
			case 23:
				row[7] = "1.38E+10" // phone mangled by Excel
			case 37:
				if o.status == "delivered" {
					row[14] = ts(o.opened.Add(-time.Hour), g) // delivered before opened
				}
			case 41:
				row[8] = "快修" // unknown order type
			case 59:
				row[5] = "１２３４５" // full-width digits (valid)
			}
		}
		t.rows = append(t.rows, row)
		if dirty && i == len(orders)/2 {
			t.rows = append(t.rows, make([]string, len(row))) // a blank row
		}
	}
	if dirty {
		sum := make([]string, len(t.en))
		sum[0] = "合计"
		sum[1] = strconv.Itoa(len(orders))
		t.rows = append(t.rows, sum)
	}
	return w.writeCSV(filepath.Join(dir, "work_orders_"+month+".csv"), t, g)
}

func (w *writer) orderJobs(dir string, s *store, month string, orders []*order) error {
	t := &table{en: []string{"store_id", "order_no", "line_no", "job_code", "job_name", "fault_system", "labor_hours", "labor_amount", "tech_id"},
		zh: []string{"门店编号", "工单号", "行号", "工时代码", "维修项目", "故障系统", "标准工时(小时)", "工时费(元)", "维修技师"}}
	for _, o := range orders {
		for _, j := range o.jobs {
			sys := j.system
			if s.gbk {
				sys = sysZH[sys]
			}
			t.rows = append(t.rows, []string{s.id, o.no, strconv.Itoa(j.line), j.code, j.name, sys, yuan(j.hours), yuan(j.amount), j.tech})
		}
	}
	return w.writeCSV(filepath.Join(dir, "order_jobs_"+month+".csv"), t, s.gbk)
}

func (w *writer) movements(dir string, s *store, month string, moves []movement, catalog []part) error {
	t := &table{en: []string{"store_id", "movement_id", "part_no", "moved_at", "movement_type", "qty", "unit_price", "order_no", "backorder"},
		zh: []string{"门店编号", "单据号", "配件编号", "出入库时间", "出入库类型", "数量", "销售单价", "工单号", "是否缺件"}}
	zh := map[string]string{"issue": "领料", "receipt": "采购入库", "return": "退料", "adjust": "盘点调整", "transfer_in": "调拨入库"}
	for _, m := range moves {
		typ := m.typ
		if s.gbk {
			typ = zh[typ]
		}
		price := ""
		if m.price > 0 {
			price = yuan(m.price)
		}
		t.rows = append(t.rows, []string{s.id, m.id, catalog[m.part].no, ts(m.at, s.gbk), typ, strconv.FormatFloat(m.qty, 'f', -1, 64), price, m.order, yn(m.back, s.gbk)})
	}
	return w.writeCSV(filepath.Join(dir, "parts_movements_"+month+".csv"), t, s.gbk)
}

func (w *writer) callbacks(dir string, s *store, month string, orders []*order) error {
	t := &table{en: []string{"store_id", "callback_id", "order_no", "called_at", "reached", "score", "fixed_ok", "complaint", "complaint_type", "resolved_at"},
		zh: []string{"门店编号", "回访编号", "工单号", "回访时间", "是否接通", "满意度", "问题是否解决", "是否投诉", "投诉类型", "解决时间"}}
	r := s.r
	for _, o := range orders {
		if o.status != "delivered" || o.typ == "internal" || r.Float64() > 0.9 {
			continue
		}
		at := o.delivered.Add(time.Duration(2*24+r.IntN(5*24)) * time.Hour)
		for attempt := 0; attempt < 3; attempt++ {
			id := fmt.Sprintf("CB%s-%d", o.no[2:], attempt+1)
			reached := r.Float64() < 0.8
			row := []string{s.id, id, o.no, ts(at, s.gbk), yn(reached, s.gbk), "", "", yn(false, s.gbk), "", ""}
			if reached {
				score := 5
				x := r.Float64()
				switch {
				case o.comeback && x < 0.5:
					score = 2 + r.IntN(2)
				case x < 0.02:
					score = 1 + r.IntN(2)
				case x < 0.09:
					score = 3
				case x < 0.40:
					score = 4
				}
				row[5] = strconv.Itoa(score)
				row[6] = yn(score >= 3, s.gbk)
				if score <= 2 && r.Float64() < 0.25 || r.Float64() < 0.002 {
					row[7] = yn(true, s.gbk)
					row[8] = complaintTypes[r.IntN(len(complaintTypes))]
					if r.Float64() < 0.85 {
						row[9] = ts(at.Add(time.Duration(1+r.IntN(9*24))*time.Hour), s.gbk)
					}
				}
			}
			t.rows = append(t.rows, row)
			if reached {
				break
			}
			at = at.Add(time.Duration(20+r.IntN(30)) * time.Hour)
		}
	}
	return w.writeCSV(filepath.Join(dir, "callbacks_"+month+".csv"), t, s.gbk)
}

func (w *writer) attendance(dir string, s *store, month string, techs []tech, days int) error {
	t := &table{en: []string{"store_id", "month", "tech_id", "days_worked", "days_scheduled"},
		zh: []string{"门店编号", "月份", "技师编号", "出勤天数", "应出勤天数"}}
	sched := 21 + s.r.IntN(2)
	for _, tc := range techs {
		worked := float64(sched)
		if x := s.r.Float64(); x < 0.3 {
			worked -= float64(1+s.r.IntN(4)) / 2
		}
		t.rows = append(t.rows, []string{s.id, month, tc.id, strconv.FormatFloat(worked, 'f', -1, 64), strconv.Itoa(sched)})
	}
	return w.writeXLSX(filepath.Join(dir, "attendance_"+month+".xlsx"), s.name+" "+month+" 出勤表", t, map[int]string{3: "num", 4: "num"})
}
