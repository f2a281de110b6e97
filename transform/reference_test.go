package transform

import (
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/gen"
	"github.com/aftersales/aftersales/internal/parse"
)

// The reference: the figures of CONTRACT §2, §2.1, §2.2 and §5 computed a second way — plain Go
// loops (exact integers and big.Rat) over the raw rows, written from the contract's words and
// sharing no SQL with the models — and compared, every column of every row, with
// mart_comebacks, mart_store_month, mart_advisor_month, mart_tech_month, mart_payroll and
// mart_parts_month on generated data (dirty inputs, 3 stores × 14 months, 600 catalogue parts), and
// mart_benchmark from the store months, and the counts of mart_data_quality.
// The golden cases pin hand-computed edges; this pins the models on thousands of ordinary rows,
// as an independent implementation of the same KPIs would.
//
// The test fails when any one rule of the reference is changed (checked for the comeback window
// and origin, the charged technicians, p90, quartiles, rank and percent rank, the year-on-year
// month, backorders, the pool's rounding, the largest remainder, the top-up's rounding, the
// technician row in force, hours per day, MAD weights, the six-month window, the safety-stock
// divisor, the ceiling, dead stock). What the generated data do not reach (changing the reference
// there changes no row) is left to the golden cases: several reached callbacks on one order
// (callbacks), a tie of largest remainders (payroll), a part exactly at the 80 % ABC boundary
// (parts), a technician without attendance (tech_month).

type refOrder struct {
	store, no, vin, typ, status, advisor string
	appointment, flagged                 bool
	opened, promised, delivered          int64 // epoch µs of the local time; 0 = NULL
	labor, parts, other, discount        int64 // cents
	systems                              map[string]bool
	jobs                                 []refJob
}

type refJob struct {
	system, tech string
	hours, labor int64 // cents
}

type refCallback struct {
	id                 string
	called, resolved   int64
	reached, complaint bool
	score              int64 // 0 = NULL
	fixed              sql.NullBool
}

type refMove struct {
	part, typ string
	at        int64
	qty       int64 // cents of a unit
	backorder bool
}

// signed is the movement's effect on stock (§1.7): adjust carries its sign, the others by type.
func (m refMove) signed() int64 {
	switch m.typ {
	case "receipt", "return", "transfer_in", "adjust":
		return m.qty
	case "issue", "supplier_return", "transfer_out":
		return -m.qty
	}
	panic("movement type " + m.typ)
}

const usDay = int64(24 * time.Hour / time.Microsecond)

func monthOf(us int64) string { return time.UnixMicro(us).UTC().Format("2006-01") }

func nextMonthStart(month string) int64 {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, 1, 0).UnixMicro()
}

func prevMonth(month string) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, -1, 0).Format("2006-01")
}

func quantileCont(v []float64, q float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	p := q * float64(len(s)-1)
	lo := math.Floor(p)
	if int(lo)+1 >= len(s) {
		return s[int(lo)]
	}
	return s[int(lo)] + (p-lo)*(s[int(lo)+1]-s[int(lo)])
}

// halfUp divides exactly and rounds half away from zero (both ≥ 0 here).
func halfUp(num, den int64) int64 { return (2*num + den) / (2 * den) }

func cents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

type refComeback struct {
	store, order, origin, kind, month string
	systems, techs                    []string
}

func TestMartsMatchReference(t *testing.T) {
	opts := gen.Options{Stores: 3, Seed: 11, MinOrders: 150, MaxOrders: 220, Parts: 600, Months: 14, Dirty: true}
	small := false
	if v := os.Getenv("AFTERSALES_REFERENCE_SIZE"); v != "" {
		// by hand: "20,24,2000" (stores, months, parts) with the generator's default orders, or
		// "2,3,40,17,3,12" (… seed, fewest and most orders a store-month): a small shape
		var n []int
		for _, f := range strings.Split(v, ",") {
			x, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				t.Fatalf("AFTERSALES_REFERENCE_SIZE=%q: want stores,months,parts[,seed[,min,max orders]]", v)
			}
			n = append(n, x)
		}
		if len(n) != 3 && len(n) != 4 && len(n) != 6 {
			t.Fatalf("AFTERSALES_REFERENCE_SIZE=%q: want stores,months,parts[,seed[,min,max orders]]", v)
		}
		opts.Stores, opts.Months, opts.Parts = n[0], n[1], n[2]
		opts.MinOrders, opts.MaxOrders = 0, 0
		if len(n) >= 4 {
			opts.Seed = uint64(n[3])
		}
		if len(n) == 6 {
			opts.MinOrders, opts.MaxOrders = n[4], n[5]
			small = true
		}
	}
	martsMatchReference(t, opts, small)
}

// TestMartsMatchReferenceSmallShapes: the same comparison on small shapes — one store alone in
// its benchmark, a few orders a month (empty denominators, lone orders, months without a
// comeback, a callback or an issue), two months (no month-on-month or year-on-year change to
// speak of) — where the large shape's cases are rare. Found nothing when written (session 49:
// these and 18 more shapes and seeds by hand).
func TestMartsMatchReferenceSmallShapes(t *testing.T) {
	for _, o := range []gen.Options{
		{Stores: 1, Months: 2, Parts: 10, Seed: 11, MinOrders: 2, MaxOrders: 6},
		{Stores: 2, Months: 2, Parts: 15, Seed: 12, MinOrders: 3, MaxOrders: 8},
		{Stores: 1, Months: 13, Parts: 30, Seed: 13, MinOrders: 8, MaxOrders: 20},
		{Stores: 2, Months: 4, Parts: 60, Seed: 5, MinOrders: 30, MaxOrders: 80},
	} {
		o.Dirty = true
		t.Run(fmt.Sprintf("%dx%d_seed%d", o.Stores, o.Months, o.Seed), func(t *testing.T) { martsMatchReference(t, o, true) })
	}
}

// martsMatchReference recomputes every mart of a full transform of opts' generated data in plain
// Go and compares row by row. small: the shape is small, and a check whose data lack the cases it
// needs says so instead of failing (on the large shape a check that compares nothing fails: it
// could not fail otherwise).
func martsMatchReference(t *testing.T, opts gen.Options, small bool) {
	tooFew := func(format string, args ...any) {
		t.Helper()
		if small {
			t.Logf("(small shape) "+format, args...)
			return
		}
		t.Fatalf(format, args...)
	}
	d, now := ingestGenerated(t, opts)
	cfg := DefaultConfig()
	if _, err := (&Runner{DB: d, Config: cfg, Full: true, Now: now}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	const W = 30 * usDay // comeback_window_days
	const week = 7 * usDay

	// ---- the raw rows ----
	i64 := func(s string) int64 {
		if s == "NULL" || s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return n
	}
	orders := map[[2]string]*refOrder{}
	var orderList []*refOrder
	for _, r := range queryRows(t, d, `SELECT store_id, order_no, vin, order_type, status, coalesce(advisor_id, 'NULL'),
			coalesce(appointment, false), coalesce(is_comeback, false), epoch_us(opened_at), epoch_us(promised_at), epoch_us(delivered_at),
			(labor_amount * 100)::BIGINT, (parts_amount * 100)::BIGINT, (other_amount * 100)::BIGINT, (discount_amount * 100)::BIGINT
		FROM raw_work_orders`) {
		o := &refOrder{store: r[0], no: r[1], vin: r[2], typ: r[3], status: r[4], advisor: r[5],
			appointment: r[6] == "true", flagged: r[7] == "true", opened: i64(r[8]), promised: i64(r[9]), delivered: i64(r[10]),
			labor: i64(r[11]), parts: i64(r[12]), other: i64(r[13]), discount: i64(r[14]), systems: map[string]bool{}}
		orders[[2]string{o.store, o.no}] = o
		orderList = append(orderList, o)
	}
	for _, r := range queryRows(t, d, `SELECT store_id, order_no, fault_system, tech_id, (labor_hours * 100)::BIGINT, (coalesce(labor_amount, 0) * 100)::BIGINT FROM raw_order_jobs`) {
		o := orders[[2]string{r[0], r[1]}]
		if o == nil {
			continue // an orphan counts in no KPI
		}
		o.jobs = append(o.jobs, refJob{system: r[2], tech: r[3], hours: i64(r[4]), labor: i64(r[5])})
		if r[2] != "maintenance" && r[2] != "other" {
			o.systems[r[2]] = true
		}
	}
	callbacks := map[[2]string][]refCallback{}
	for _, r := range queryRows(t, d, `SELECT store_id, order_no, callback_id, epoch_us(called_at), coalesce(epoch_us(resolved_at), 0), reached,
			coalesce(complaint, false), coalesce(score, 0), coalesce(fixed_ok::VARCHAR, 'NULL') FROM raw_callbacks`) {
		cb := refCallback{id: r[2], called: i64(r[3]), resolved: i64(r[4]), reached: r[5] == "true", complaint: r[6] == "true", score: i64(r[7])}
		if r[8] != "NULL" {
			cb.fixed = sql.NullBool{Valid: true, Bool: r[8] == "true"}
		}
		k := [2]string{r[0], r[1]}
		callbacks[k] = append(callbacks[k], cb)
	}
	catalogue := map[[2]string][2]int64{} // unit cost in 1/10000, cover days
	for _, r := range queryRows(t, d, `SELECT store_id, part_no, (unit_cost * 10000)::BIGINT, coalesce(order_cycle_days, 0) + coalesce(lead_time_days, 0) FROM raw_parts`) {
		catalogue[[2]string{r[0], r[1]}] = [2]int64{i64(r[2]), i64(r[3])}
	}
	moves := map[string][]refMove{}
	for _, r := range queryRows(t, d, `SELECT store_id, part_no, movement_type, epoch_us(moved_at), (qty * 100)::BIGINT, coalesce(backorder, false) FROM raw_parts_movements`) {
		moves[r[0]] = append(moves[r[0]], refMove{part: r[1], typ: r[2], at: i64(r[3]), qty: i64(r[4]), backorder: r[5] == "true"})
	}
	attendance := map[[3]string]int64{} // days_worked in cents of a day
	for _, r := range queryRows(t, d, `SELECT store_id, month, tech_id, (days_worked * 100)::BIGINT FROM raw_attendance`) {
		attendance[[3]string{r[0], r[1], r[2]}] = i64(r[3])
	}

	customer := func(o *refOrder) bool { return o.status == "delivered" && o.typ != "internal" }
	asOf := map[string]int64{}
	for _, o := range orderList {
		asOf[o.store] = max(asOf[o.store], o.opened)
	}

	// ---- comebacks (§2) ----
	byVIN := map[[2]string][]*refOrder{}
	for _, o := range orderList {
		if customer(o) {
			byVIN[[2]string{o.store, o.vin}] = append(byVIN[[2]string{o.store, o.vin}], o)
		}
	}
	later := func(a, b *refOrder) bool { // a is later than b
		return a.delivered > b.delivered || a.delivered == b.delivered && a.no > b.no
	}
	shared := func(a, b *refOrder) []string {
		var s []string
		for sys := range a.systems {
			if b.systems[sys] {
				s = append(s, sys)
			}
		}
		sort.Strings(s)
		return s
	}
	var comebacks []refComeback
	failed := map[*refOrder]bool{}
	for _, c := range orderList {
		if c.status == "cancelled" {
			continue
		}
		var latest, latestShared *refOrder
		for _, o := range byVIN[[2]string{c.store, c.vin}] {
			if !(o.delivered < c.opened && c.opened <= o.delivered+W) {
				continue
			}
			if latest == nil || later(o, latest) {
				latest = o
			}
			if len(shared(o, c)) > 0 && (latestShared == nil || later(o, latestShared)) {
				latestShared = o
			}
		}
		suspected := (c.typ == "repair" || c.typ == "warranty") && latestShared != nil
		if !c.flagged && !suspected {
			continue
		}
		cb := refComeback{store: c.store, order: c.no, kind: "suspected", month: monthOf(c.opened), systems: []string{}, techs: []string{}}
		if c.flagged {
			cb.kind = "flagged"
		}
		origin := latestShared
		if origin == nil && c.flagged {
			origin = latest
		}
		if origin != nil {
			failed[origin] = true
			cb.origin = origin.no
			cb.systems = shared(origin, c)
			techs := map[string]bool{}
			for _, j := range origin.jobs {
				if len(cb.systems) == 0 || slices.Contains(cb.systems, j.system) {
					techs[j.tech] = true
				}
			}
			for tc := range techs {
				cb.techs = append(cb.techs, tc)
			}
			sort.Strings(cb.techs)
		}
		comebacks = append(comebacks, cb)
	}
	var flaggedN, suspectedN, noOrigin, noShared int
	for _, c := range comebacks {
		if c.origin != "" && len(c.systems) == 0 {
			noShared++
		}
		if c.kind == "flagged" {
			flaggedN++
		} else {
			suspectedN++
		}
		if c.origin == "" {
			noOrigin++
		}
	}
	t.Logf("comebacks: %d flagged, %d suspected, %d without origin, %d with an origin sharing no system", flaggedN, suspectedN, noOrigin, noShared)
	if flaggedN < 5 || suspectedN < 5 {
		tooFew("the generated data has %d flagged and %d suspected comebacks: too few to test", flaggedN, suspectedN)
	}
	var want []string
	for _, c := range comebacks {
		want = append(want, fmt.Sprintf("%s %s %s %s %s %v %v", c.store, c.order, c.origin, c.kind, c.month, c.systems, c.techs))
	}
	var got []string
	for _, r := range queryRows(t, d, `SELECT store_id, order_no, coalesce(origin_order_no, ''), kind, month, fault_systems::VARCHAR, charged_tech_ids::VARCHAR FROM mart_comebacks`) {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %s %s", r[0], r[1], r[2], r[3], r[4],
			strings.ReplaceAll(r[5], ", ", " "), strings.ReplaceAll(r[6], ", ", " ")))
	}
	compareLines(t, "mart_comebacks", want, got)

	// ---- store months ----
	type sm struct {
		orders, appts, revenue, labor, parts, other, discount int64
		hours                                                 []float64
		promised, onTime                                      int64
		failed, opened, cbFlagged, cbSuspected                int64
		withCB, timely, reached, scored, good, scoreSum       int64
		fixKnown, fixed, complained, complaintCBs, resolved   int64
		flaggedHours                                          int64
		techs                                                 map[string]bool
		issues, filled                                        int64
	}
	sms := map[[2]string]*sm{}
	type am struct{ orders, revenue, scored, good, complained, promised, onTime int64 }
	ams := map[[3]string]*am{}
	get := func(store, month string) *sm {
		k := [2]string{store, month}
		if sms[k] == nil {
			sms[k] = &sm{techs: map[string]bool{}}
		}
		return sms[k]
	}
	for _, o := range orderList {
		if o.status != "cancelled" {
			get(o.store, monthOf(o.opened)).opened++
		}
		if o.status == "delivered" {
			s := get(o.store, monthOf(o.delivered))
			for _, j := range o.jobs {
				s.flaggedHours += j.hours
				s.techs[j.tech] = true
			}
		}
		if !customer(o) {
			continue
		}
		s := get(o.store, monthOf(o.delivered))
		a := ams[[3]string{o.store, monthOf(o.delivered), o.advisor}]
		if a == nil {
			a = &am{}
			ams[[3]string{o.store, monthOf(o.delivered), o.advisor}] = a
		}
		a.orders++
		a.revenue += o.labor + o.parts + o.other - o.discount
		s.orders++
		if o.appointment {
			s.appts++
		}
		s.labor += o.labor
		s.parts += o.parts
		s.other += o.other
		s.discount += o.discount
		s.revenue += o.labor + o.parts + o.other - o.discount
		s.hours = append(s.hours, float64(o.delivered-o.opened)/3.6e9)
		if o.promised != 0 {
			s.promised++
			a.promised++
			if o.delivered <= o.promised { // on_time_grace_minutes = 0
				s.onTime++
				a.onTime++
			}
		}
		if failed[o] {
			s.failed++
		}
		cbs := callbacks[[2]string{o.store, o.no}]
		if len(cbs) > 0 {
			s.withCB++
			first, firstReached := cbs[0], (*refCallback)(nil)
			complained := false
			for i := range cbs {
				cb := &cbs[i]
				if cb.called < first.called {
					first = *cb
				}
				if cb.reached && (firstReached == nil || cb.called < firstReached.called || cb.called == firstReached.called && cb.id < firstReached.id) {
					firstReached = cb
				}
				if cb.complaint {
					complained = true
					s.complaintCBs++
					if cb.resolved != 0 && cb.resolved <= cb.called+week {
						s.resolved++
					}
				}
			}
			if first.called <= o.delivered+week {
				s.timely++
			}
			if firstReached != nil {
				s.reached++
				if firstReached.score != 0 {
					s.scored++
					s.scoreSum += firstReached.score
					a.scored++
					if firstReached.score >= 4 {
						s.good++
						a.good++
					}
				}
				if firstReached.fixed.Valid {
					s.fixKnown++
					if firstReached.fixed.Bool {
						s.fixed++
					}
				}
			}
			if complained {
				s.complained++
				a.complained++
			}
		}
	}
	for _, c := range comebacks {
		s := get(c.store, c.month)
		if c.kind == "flagged" {
			s.cbFlagged++
		} else {
			s.cbSuspected++
		}
	}
	// parts: on hand per part at each month end, inventory and dead stock value, issue cost, fill rate
	inv := map[[2]string]int64{}  // store, month → inventory value in 1/1,000,000 yuan
	dead := map[[2]string]int64{} // likewise
	issueCost := map[[2]string]int64{}
	for store, ms := range moves {
		for _, m := range ms {
			if m.typ == "issue" {
				s := get(store, monthOf(m.at))
				s.issues++
				if !m.backorder {
					s.filled++
				}
			}
		}
		months := map[string]bool{}
		for k := range sms {
			if k[0] == store {
				months[k[1]] = true
				months[prevMonth(k[1])] = true
			}
		}
		for month := range months {
			end := nextMonthStart(month)
			onHand, lastIssue := map[string]int64{}, map[string]int64{}
			for _, m := range ms {
				cost, ok := catalogue[[2]string{store, m.part}]
				if !ok || m.at >= end {
					continue
				}
				onHand[m.part] += m.signed()
				if m.typ == "issue" {
					lastIssue[m.part] = max(lastIssue[m.part], m.at)
				}
				if monthOf(m.at) == month {
					switch m.typ {
					case "issue":
						issueCost[[2]string{store, month}] += m.qty * cost[0]
					case "return":
						issueCost[[2]string{store, month}] -= m.qty * cost[0]
					}
				}
			}
			for part, q := range onHand {
				if q <= 0 {
					continue
				}
				v := q * catalogue[[2]string{store, part}][0]
				inv[[2]string{store, month}] += v
				if last, ok := lastIssue[part]; !ok || last < end-180*usDay { // dead_stock_days
					dead[[2]string{store, month}] += v
				}
			}
		}
	}

	ratio := func(n, d int64) string {
		if d == 0 {
			return "NULL"
		}
		return strconv.FormatFloat(float64(n)/float64(d), 'g', 12, 64)
	}
	f12 := func(f float64) string { return strconv.FormatFloat(f, 'g', 12, 64) }
	var keys [][2]string
	for k, s := range sms {
		if s.orders > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	if len(keys) != opts.Stores*opts.Months {
		t.Fatalf("%d store-months with customer orders, want %d", len(keys), opts.Stores*opts.Months)
	}
	want = nil
	for _, k := range keys {
		s := sms[k]
		turnover, daysSupply := "NULL", "NULL"
		if mean := inv[[2]string{k[0], prevMonth(k[1])}] + inv[k]; mean != 0 {
			tv := 12 * float64(issueCost[k]) / (float64(mean) / 2)
			turnover = f12(tv)
			if tv != 0 {
				daysSupply = f12(365 / tv)
			}
		}
		rpt := "NULL"
		if len(s.techs) > 0 {
			rpt = cents(halfUp(s.revenue, int64(len(s.techs))))
		}
		want = append(want, strings.Join([]string{k[0], k[1],
			fmt.Sprint(s.orders), cents(s.revenue), cents(s.labor), cents(s.parts), cents(s.other), cents(s.discount),
			cents(halfUp(s.revenue, s.orders)), ratio(s.appts, s.orders),
			f12(mean(s.hours)), f12(quantileCont(s.hours, 0.5)), f12(quantileCont(s.hours, 0.9)),
			ratio(s.onTime, s.promised), ratio(s.orders-s.failed, s.orders), fmt.Sprint(asOf[k[0]] < nextMonthStart(k[1])+W), fmt.Sprint(s.failed),
			ratio(s.cbFlagged+s.cbSuspected, s.opened), fmt.Sprint(s.cbFlagged), fmt.Sprint(s.cbSuspected), fmt.Sprint(s.opened),
			ratio(s.withCB, s.orders), ratio(s.timely, s.orders), ratio(s.reached, s.withCB),
			ratio(s.good, s.scored), ratio(s.scoreSum, s.scored), ratio(s.fixed, s.fixKnown),
			ratio(s.complained, s.orders), ratio(s.resolved, s.complaintCBs), fmt.Sprint(s.complaintCBs),
			cents(s.flaggedHours), fmt.Sprint(len(s.techs)), rpt, ratio(s.filled, s.issues),
			fmt.Sprintf("%.4f", float64(inv[k])/1e6), fmt.Sprintf("%.4f", float64(dead[k])/1e6), turnover, daysSupply,
		}, " "))
	}
	got = nil
	cols := strings.Fields(`store_id month orders revenue labor_revenue parts_revenue other_revenue discount
		revenue_per_order appointment_rate turnaround_hours_avg turnaround_hours_median turnaround_hours_p90
		on_time_rate ftfr ftfr_provisional failed_orders comeback_rate comebacks_flagged comebacks_suspected orders_opened
		callback_rate callback_timely_rate reach_rate csi avg_score reported_fix_rate complaint_rate complaint_resolved_rate
		complaint_callbacks flagged_hours techs revenue_per_tech fill_rate inventory_value dead_stock_value turnover days_of_supply`)
	doubles := []int{9, 10, 11, 12, 13, 14, 17, 21, 22, 23, 24, 25, 26, 27, 28, 33, 36, 37}
	for _, i := range doubles {
		cols[i] += "::VARCHAR" // every digit (the test's cell format keeps six decimals)
	}
	for _, r := range queryRows(t, d, `SELECT `+strings.Join(cols, ", ")+` FROM mart_store_month WHERE orders > 0 ORDER BY store_id, month`) {
		for _, i := range doubles {
			if r[i] != "NULL" {
				f, err := strconv.ParseFloat(r[i], 64)
				if err != nil {
					t.Fatalf("%s: %q", cols[i], r[i])
				}
				r[i] = f12(f)
			}
		}
		got = append(got, strings.Join(r, " "))
	}
	compareLines(t, "mart_store_month", want, got)
	benchmarkReference(t, d, tooFew)

	// ---- advisor months: the same definitions over each advisor's customer orders ----
	want = nil
	for k, a := range ams {
		want = append(want, strings.Join([]string{k[0], k[1], k[2], fmt.Sprint(a.orders), cents(a.revenue), ratio(a.good, a.scored),
			ratio(a.complained, a.orders), ratio(a.onTime, a.promised), cents(halfUp(a.revenue, a.orders))}, " "))
	}
	if len(ams) < opts.Stores*opts.Months*3 {
		tooFew("%d advisor months: too few to test", len(ams))
	}
	got = nil
	for _, r := range queryRows(t, d, `SELECT store_id, month, coalesce(advisor_id, 'NULL'), orders, revenue, csi::VARCHAR, complaint_rate::VARCHAR,
			on_time_rate::VARCHAR, revenue_per_order FROM mart_advisor_month`) {
		for _, i := range []int{5, 6, 7} {
			if r[i] != "NULL" {
				f, _ := strconv.ParseFloat(r[i], 64)
				r[i] = f12(f)
			}
		}
		got = append(got, strings.Join(r, " "))
	}
	compareLines(t, "mart_advisor_month", want, got)

	// ---- technician months (§2 "Technician month", §5): job lines of closed orders (internal
	// included), comebacks charged in the month C was opened, attendance; team and grade from the
	// technicians row with the latest valid_from ≤ the month ----
	type tm struct {
		jobs, hours, labor, comebacks int64
		days                          int64 // cents of a day; -1 = no attendance
	}
	tms := map[[3]string]*tm{}
	tget := func(store, month, tech string) *tm {
		k := [3]string{store, month, tech}
		if tms[k] == nil {
			tms[k] = &tm{days: -1}
		}
		return tms[k]
	}
	for _, o := range orderList {
		if o.status != "delivered" {
			continue
		}
		for _, j := range o.jobs {
			x := tget(o.store, monthOf(o.delivered), j.tech)
			x.jobs++
			x.hours += j.hours
			x.labor += j.labor
		}
	}
	for _, c := range comebacks {
		for _, tc := range c.techs {
			tget(c.store, c.month, tc).comebacks++
		}
	}
	for k, days := range attendance {
		tget(k[0], k[1], k[2]).days = days
	}
	type techRow struct {
		from, team, grade string
		coef, base        int64 // tenths; cents
	}
	techRows := map[[2]string][]techRow{}
	for _, r := range queryRows(t, d, `SELECT store_id, tech_id, valid_from, team_id, grade, (coefficient * 10)::BIGINT, (coalesce(base_wage, 0) * 100)::BIGINT FROM raw_technicians`) {
		techRows[[2]string{r[0], r[1]}] = append(techRows[[2]string{r[0], r[1]}], techRow{r[2], r[3], r[4], i64(r[5]), i64(r[6])})
	}
	inForce := func(store, tech, month string) (techRow, bool) {
		var best techRow
		ok := false
		for _, tr := range techRows[[2]string{store, tech}] {
			if tr.from <= month && (!ok || tr.from > best.from) {
				best, ok = tr, true
			}
		}
		return best, ok
	}
	want = nil
	var charged, withoutAttendance int
	for k, x := range tms {
		team, grade := "NULL", "NULL"
		if tr, ok := inForce(k[0], k[2], k[1]); ok {
			team, grade = tr.team, tr.grade
		}
		days, eff := "NULL", "NULL"
		if x.days >= 0 {
			days = cents(x.days)
			if x.days > 0 {
				eff = f12(float64(x.hours) / (float64(x.days) * 8)) // hours_per_day = 8; both in cents
			}
		} else {
			withoutAttendance++
		}
		if x.comebacks > 0 {
			charged++
		}
		want = append(want, strings.Join([]string{k[0], k[1], k[2], team, grade, fmt.Sprint(x.jobs), cents(x.hours), cents(x.labor),
			fmt.Sprint(x.comebacks), days, eff}, " "))
	}
	t.Logf("technician months: %d, %d with a charged comeback, %d without attendance", len(tms), charged, withoutAttendance)
	if charged < 5 {
		tooFew("%d technician months with a charged comeback: too few to test", charged)
	}
	got = nil
	for _, r := range queryRows(t, d, `SELECT store_id, month, tech_id, team_id, grade, jobs, flagged_hours, labor_amount, comebacks,
			days_worked, efficiency::VARCHAR FROM mart_tech_month`) {
		if r[10] != "NULL" {
			f, _ := strconv.ParseFloat(r[10], 64)
			r[10] = f12(f)
		}
		got = append(got, strings.Join(r, " "))
	}
	compareLines(t, "mart_tech_month", want, got)

	// ---- payroll (§2.1, §5), exact rationals: pool = 0.35 × the team's labour, rounded half-up;
	// shares by the largest remainder on exact points, ties to the smaller tech_id; topup
	// rounded half-up; deduction 100.00 a comeback; pay floored at 0 ----
	scheduled := map[[3]string]int64{}
	for _, r := range queryRows(t, d, `SELECT store_id, month, tech_id, (days_scheduled * 100)::BIGINT FROM raw_attendance`) {
		scheduled[[3]string{r[0], r[1], r[2]}] = i64(r[3])
	}
	type member struct {
		tech          string
		points, ratio *big.Rat
		base, share   int64
		comebacks     int64
	}
	teams := map[[3]string][]*member{}
	teamLabor := map[[3]string]int64{}
	for k, x := range tms {
		tr, ok := inForce(k[0], k[2], k[1])
		if !ok {
			continue // unassigned labour: reported, in no pool
		}
		tk := [3]string{k[0], k[1], tr.team}
		teamLabor[tk] += x.labor
		ratio := new(big.Rat)
		if ds := scheduled[k]; x.days >= 0 && ds > 0 {
			ratio.SetFrac64(x.days, ds)
			if ratio.Cmp(big.NewRat(1, 1)) > 0 {
				ratio.SetInt64(1)
			}
		}
		pts := new(big.Rat).Mul(big.NewRat(tr.coef, 10), ratio)
		teams[tk] = append(teams[tk], &member{tech: k[2], points: pts, ratio: ratio, base: tr.base, comebacks: x.comebacks})
	}
	want = nil
	var paid, toppedUp, deducted int
	for tk, ms := range teams {
		pool := halfUp(teamLabor[tk]*35, 100) // cents
		total := new(big.Rat)
		for _, m := range ms {
			total.Add(total, m.points)
		}
		if total.Sign() > 0 {
			// exact share in cents = pool × points / total; floor, then the remaining cents to the
			// largest remainders
			type rem struct {
				m *member
				r *big.Rat
			}
			var rems []rem
			left := pool
			for _, m := range ms {
				exact := new(big.Rat).Mul(big.NewRat(pool, 1), m.points)
				exact.Quo(exact, total)
				fl := new(big.Int).Quo(exact.Num(), exact.Denom())
				m.share = fl.Int64()
				left -= m.share
				rems = append(rems, rem{m, new(big.Rat).Sub(exact, new(big.Rat).SetInt(fl))})
			}
			sort.Slice(rems, func(i, j int) bool {
				if c := rems[i].r.Cmp(rems[j].r); c != 0 {
					return c > 0
				}
				return rems[i].m.tech < rems[j].m.tech
			})
			for i := 0; i < int(left); i++ {
				rems[i].m.share++
			}
		}
		for _, m := range ms {
			// topup = max(0, base × ratio − share), half-up to the cent
			tu := new(big.Rat).Mul(big.NewRat(m.base, 1), m.ratio)
			tu.Sub(tu, big.NewRat(m.share, 1))
			topup := int64(0)
			if tu.Sign() > 0 {
				n := new(big.Int).Mul(tu.Num(), big.NewInt(2))
				n.Add(n, tu.Denom())
				topup = new(big.Int).Quo(n, new(big.Int).Mul(tu.Denom(), big.NewInt(2))).Int64()
				toppedUp++
			}
			ded := m.comebacks * 10000
			if ded > 0 {
				deducted++
			}
			pay := max(0, m.share+topup-ded)
			if pay > 0 {
				paid++
			}
			want = append(want, strings.Join([]string{tk[0], tk[1], tk[2], m.tech, cents(pool), cents(m.share), cents(topup),
				fmt.Sprint(m.comebacks), cents(ded), cents(pay)}, " "))
		}
	}
	t.Logf("payroll rows: %d, %d paid, %d topped up, %d with deductions", len(want), paid, toppedUp, deducted)
	if toppedUp < 3 || deducted < 3 {
		tooFew("too few top-ups or deductions to test")
	}
	got = nil
	for _, r := range queryRows(t, d, `SELECT store_id, month, team_id, tech_id, pool, share, topup, comebacks, deduction, pay FROM mart_payroll`) {
		got = append(got, strings.Join(r, " "))
	}
	compareLines(t, "mart_payroll", want, got)

	// ---- parts months (§2.2, §5): every catalogue part in every month of the mart's range per
	// store (which must start at the store's first movement month) ----
	bounds := map[string][2]string{}
	for _, r := range queryRows(t, d, `SELECT store_id, min(month), max(month) FROM mart_parts_month GROUP BY ALL`) {
		bounds[r[0]] = [2]string{r[1], r[2]}
	}
	// the rows are stored in month and store order (why: the model's last comment), which the sort
	// on a narrow set of columns and the projection after it must keep
	if r := queryRows(t, d, `SELECT count(*) FROM (
		SELECT month, store_id, lag(month) OVER w AS pm, lag(store_id) OVER w AS ps
		FROM mart_parts_month WINDOW w AS (ORDER BY rowid))
		WHERE month < pm OR (month = pm AND store_id < ps)`); r[0][0] != "0" {
		t.Errorf("mart_parts_month: %s rows stored before a row of an earlier month or store", r[0][0])
	}
	want = nil
	classes := map[string]int{}
	var deadN, suggestedN int
	for store, ms := range moves {
		first := ""
		for _, m := range ms {
			if _, ok := catalogue[[2]string{store, m.part}]; ok && (first == "" || monthOf(m.at) < first) {
				first = monthOf(m.at)
			}
		}
		if bounds[store][0] != first {
			t.Fatalf("%s: mart_parts_month starts at %s, the first movement is in %s", store, bounds[store][0], first)
		}
		var parts []string
		for k := range catalogue {
			if k[0] == store {
				parts = append(parts, k[1])
			}
		}
		sort.Strings(parts)
		// per part and month: net issues (cents of a unit), stock change; last issue instant
		type pm struct{ issued, net, lastIssue int64 }
		per := map[[2]string]*pm{}
		for _, m := range ms {
			if _, ok := catalogue[[2]string{store, m.part}]; !ok {
				continue
			}
			k := [2]string{m.part, monthOf(m.at)}
			if per[k] == nil {
				per[k] = &pm{}
			}
			per[k].net += m.signed()
			switch m.typ {
			case "return":
				per[k].issued -= m.qty
			case "issue":
				per[k].issued += m.qty
				per[k].lastIssue = max(per[k].lastIssue, m.at)
			}
		}
		onHand, lastIssue := map[string]int64{}, map[string]int64{}
		var window []string // the last six months
		for month := first; month <= bounds[store][1]; month = monthOf(nextMonthStart(month)) {
			window = append(window, month)
			if len(window) > 6 {
				window = window[1:]
			}
			end := nextMonthStart(month)
			type row struct {
				part             string
				v                int64 // consumption value, 1/1,000,000 yuan
				onHand, issued6m int64
				mad              *big.Rat // cents of a unit × 21
				cover            int64
				dead             bool
			}
			var rows []*row
			var total int64
			for _, part := range parts {
				if x := per[[2]string{part, month}]; x != nil {
					onHand[part] += x.net
					lastIssue[part] = max(lastIssue[part], x.lastIssue)
				}
				r := &row{part: part, onHand: onHand[part], mad: new(big.Rat), cover: catalogue[[2]string{store, part}][1]}
				for i, wm := range window {
					if x := per[[2]string{part, wm}]; x != nil {
						r.issued6m += x.issued
						weight := int64(6 - (len(window) - 1 - i))
						r.mad.Add(r.mad, big.NewRat(weight*max(x.issued, 0), 1))
					}
				}
				r.v = r.issued6m * catalogue[[2]string{store, part}][0]
				if r.v > 0 {
					total += r.v
				}
				// dead: stock, and no issue in [end − dead_stock_days, end)
				r.dead = r.onHand > 0 && (lastIssue[part] == 0 || lastIssue[part] < end-180*usDay)
				rows = append(rows, r)
			}
			sort.SliceStable(rows, func(i, j int) bool { return rows[i].v > rows[j].v }) // parts sorted: ties by part_no
			var before int64
			for _, r := range rows {
				abc := "N"
				if r.v > 0 {
					switch {
					case before*100 < total*80:
						abc = "A"
					case before*100 < total*95:
						abc = "B"
					default:
						abc = "C"
					}
					before += r.v
				}
				classes[abc]++
				// MAD = Σ weight·q / 21 units; SSQ = MAD × cover / 30; suggested = max(0, ceil(SSQ) − on hand)
				mad := new(big.Rat).Quo(r.mad, big.NewRat(2100, 1))
				ssq := new(big.Rat).Mul(mad, big.NewRat(r.cover, 30))
				ceil := new(big.Int).Quo(new(big.Int).Add(ssq.Num(), new(big.Int).Sub(ssq.Denom(), big.NewInt(1))), ssq.Denom())
				suggested := max(0, ceil.Int64()*100-r.onHand)
				if suggested > 0 {
					suggestedN++
				}
				if r.dead {
					deadN++
				}
				madF, _ := mad.Float64()
				ssqF, _ := ssq.Float64()
				cost := catalogue[[2]string{store, r.part}][0]
				want = append(want, strings.Join([]string{store, month, r.part, cents(r.onHand),
					fmt.Sprintf("%.4f", float64(max(r.onHand, 0)*cost)/1e6), fmt.Sprintf("%.4f", float64(r.v)/1e6), abc,
					f12(madF), f12(ssqF), cents(suggested), fmt.Sprint(r.dead)}, " "))
			}
		}
	}
	t.Logf("parts months: %d, classes %v, %d dead, %d with a suggested order", len(want), classes, deadN, suggestedN)
	if classes["A"] == 0 || classes["B"] == 0 || classes["C"] == 0 || classes["N"] == 0 || deadN == 0 || suggestedN < 10 {
		tooFew("the generated data do not reach every class, dead stock and suggested orders")
	}
	got = nil
	for _, r := range queryRows(t, d, `SELECT store_id, month, part_no, on_hand, inventory_value, consumption_value_6m, abc,
			mad::VARCHAR, safety_stock::VARCHAR, suggested_order, dead FROM mart_parts_month`) {
		for _, i := range []int{7, 8} {
			f, _ := strconv.ParseFloat(r[i], 64)
			r[i] = f12(f)
		}
		got = append(got, strings.Join(r, " "))
	}
	compareLines(t, "mart_parts_month", want, got)

	// ---- data quality (§3, §5): rows whose order, part or technician is unknown, parts below
	// zero at the latest month end, distinct VINs failing the ISO 3779 check digit ----
	counts := map[[2]string]int{}
	techKnown := map[[2]string]bool{}
	for k := range techRows {
		techKnown[k] = true
	}
	for _, r := range queryRows(t, d, `SELECT store_id, order_no, tech_id FROM raw_order_jobs`) {
		if orders[[2]string{r[0], r[1]}] == nil {
			counts[[2]string{r[0], "orphan_jobs"}]++
		}
		if !techKnown[[2]string{r[0], r[2]}] {
			counts[[2]string{r[0], "unknown_techs"}]++
		}
	}
	for _, r := range queryRows(t, d, `SELECT store_id, order_no FROM raw_callbacks`) {
		if orders[[2]string{r[0], r[1]}] == nil {
			counts[[2]string{r[0], "orphan_callbacks"}]++
		}
	}
	for _, r := range queryRows(t, d, `SELECT store_id, coalesce(order_no, 'NULL'), part_no FROM raw_parts_movements`) {
		if r[1] != "NULL" && orders[[2]string{r[0], r[1]}] == nil {
			counts[[2]string{r[0], "orphan_movements"}]++
		}
		if _, ok := catalogue[[2]string{r[0], r[2]}]; !ok {
			counts[[2]string{r[0], "unknown_parts"}]++
		}
	}
	for store, ms := range moves {
		end := nextMonthStart(bounds[store][1])
		onHand := map[string]int64{}
		for _, m := range ms {
			if _, ok := catalogue[[2]string{store, m.part}]; !ok || m.at >= end {
				continue
			}
			onHand[m.part] += m.signed()
		}
		for _, q := range onHand {
			if q < 0 {
				counts[[2]string{store, "negative_stock"}]++
			}
		}
	}
	badVIN := map[[2]string]bool{}
	for _, o := range orderList {
		if !parse.VINCheckDigit(o.vin) {
			badVIN[[2]string{o.store, o.vin}] = true
		}
	}
	for k := range badVIN {
		counts[[2]string{k[0], "vin_check_digit"}]++
	}
	want = nil
	for k, n := range counts {
		want = append(want, fmt.Sprintf("%s %s %d", k[0], k[1], n))
	}
	sort.Strings(want)
	t.Logf("data quality: %v", want)
	kinds := map[string]bool{}
	for k := range counts {
		kinds[k[1]] = true
	}
	if len(kinds) < 4 {
		tooFew("the generated data have only %v findings: too few to test", kinds)
	}
	got = nil
	for _, r := range queryRows(t, d, `SELECT store_id, "check", count FROM mart_data_quality WHERE "check" IN
			('orphan_jobs', 'orphan_callbacks', 'orphan_movements', 'unknown_parts', 'unknown_techs', 'negative_stock', 'vin_check_digit')`) {
		got = append(got, strings.Join(r, " "))
	}
	compareLines(t, "mart_data_quality", want, got)
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// compareLines reports the first few lines that differ between the reference and a mart.
func compareLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	sort.Strings(want)
	sort.Strings(got)
	if len(want) != len(got) {
		t.Errorf("%s: %d rows, the reference has %d", what, len(got), len(want))
	}
	n := 0
	for i := 0; i < len(want) && i < len(got) && n < 5; i++ {
		if want[i] != got[i] {
			t.Errorf("%s row %d:\nreference: %s\nmart:      %s", what, i, want[i], got[i])
			n++
		}
	}
}

// benchmarkReference: mart_benchmark (§2.3) from the store months (checked above) and the KPI
// dictionary (a setting): per month and KPI, rank 1 = best with ties sharing a rank, percent rank
// from worst = 0, median and quartiles by linear interpolation, the target met or not, and the
// change against the previous month and the same month a year before.
func benchmarkReference(t *testing.T, d *sql.DB, tooFew func(string, ...any)) {
	t.Helper()
	type kpi struct {
		name, direction string
		target          string
	}
	var kpis []kpi
	for _, r := range queryRows(t, d, `SELECT kpi, direction, coalesce(target::VARCHAR, 'NULL') FROM kpi_dictionary WHERE benchmark ORDER BY kpi`) {
		kpis = append(kpis, kpi{r[0], r[1], r[2]})
	}
	if len(kpis) < 15 {
		t.Fatalf("%d benchmark KPIs", len(kpis))
	}
	var names []string
	for _, k := range kpis {
		names = append(names, k.name+"::DOUBLE::VARCHAR")
	}
	type cell struct {
		v    float64
		null bool
	}
	values := map[[3]string]cell{}  // month, store, kpi
	months := map[string][]string{} // month → stores
	for _, r := range queryRows(t, d, `SELECT month, store_id, `+strings.Join(names, ", ")+` FROM mart_store_month WHERE orders > 0`) {
		months[r[0]] = append(months[r[0]], r[1])
		for i, k := range kpis {
			c := cell{null: r[2+i] == "NULL"}
			if !c.null {
				c.v, _ = strconv.ParseFloat(r[2+i], 64)
			}
			values[[3]string{r[0], r[1], k.name}] = c
		}
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 12, 64) }
	var want []string
	var yoy, ties int
	for month, stores := range months {
		for _, k := range kpis {
			better := func(a, b float64) bool { // a is better than b
				if k.direction == "up" {
					return a > b
				}
				return a < b
			}
			var vals []float64
			for _, st := range stores {
				if c := values[[3]string{month, st, k.name}]; !c.null {
					vals = append(vals, c.v)
				}
			}
			med, q1, q3 := "NULL", "NULL", "NULL"
			if len(vals) > 0 {
				med, q1, q3 = f(quantileCont(vals, 0.5)), f(quantileCont(vals, 0.25)), f(quantileCont(vals, 0.75))
			}
			for _, st := range stores {
				c := values[[3]string{month, st, k.name}]
				val, rank, pct, meets := "NULL", "NULL", "NULL", "NULL"
				if !c.null {
					val = f(c.v)
					nBetter, nWorse := 0, 0
					for _, o := range vals {
						if better(o, c.v) {
							nBetter++
						}
						if better(c.v, o) {
							nWorse++
						}
					}
					if nBetter+nWorse < len(vals)-1 {
						ties++
					}
					rank = fmt.Sprint(nBetter + 1)
					if len(vals) > 1 { // alone: NULL
						pct = f(float64(nWorse) / float64(len(vals)-1))
					}
					if k.target != "NULL" {
						tg, _ := strconv.ParseFloat(k.target, 64)
						meets = fmt.Sprint(k.direction == "up" && c.v >= tg || k.direction == "down" && c.v <= tg)
					}
				}
				change := func(prev string) string {
					p, ok := values[[3]string{prev, st, k.name}]
					if !ok || p.null || c.null {
						return "NULL"
					}
					return f(c.v - p.v)
				}
				lastYear := month
				for i := 0; i < 12; i++ {
					lastYear = prevMonth(lastYear)
				}
				if change(lastYear) != "NULL" {
					yoy++
				}
				want = append(want, strings.Join([]string{month, st, k.name, val, rank, pct, med, q1, q3, meets,
					change(prevMonth(month)), change(lastYear)}, " "))
			}
		}
	}
	t.Logf("benchmark rows: %d, %d with a year-on-year change, %d tied values", len(want), yoy, ties)
	if yoy == 0 {
		tooFew("no year-on-year change to test")
	}
	var got []string
	for _, r := range queryRows(t, d, `SELECT month, store_id, kpi, value::VARCHAR, rank, percentile::VARCHAR, group_median::VARCHAR,
			group_q1::VARCHAR, group_q3::VARCHAR, meets_target, change_mom::VARCHAR, change_yoy::VARCHAR FROM mart_benchmark`) {
		for _, i := range []int{3, 5, 6, 7, 8, 10, 11} {
			if r[i] != "NULL" {
				x, _ := strconv.ParseFloat(r[i], 64)
				r[i] = f(x)
			}
		}
		got = append(got, strings.Join(r, " "))
	}
	compareLines(t, "mart_benchmark", want, got)
}
