// Package gen makes deterministic synthetic DMS exports for every input kind: realistic for a
// 4S store's service department (order mix, fault systems, turnaround, comebacks, callbacks,
// teams over the five grades, a long-tail parts catalogue) and in the forms real exports take
// (UTF-8 CSV with English headers, GBK CSV with Chinese headers, XLSX with a title row),
// with a small share of dirty rows. The same seed gives byte-identical files.
package gen

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options of a generation run.
type Options struct {
	Stores   int
	Months   int
	Seed     uint64
	Out      string
	EndMonth string // last month generated, YYYY-MM (default 2026-10)
	// OrdersPerMonth bounds the orders of a store-month (default 1000–2000).
	MinOrders, MaxOrders int
	Parts                int // catalogue size (default 2000)
	Dirty                bool
}

// Stats counts what was written.
type Stats struct {
	Files  int
	Orders int
	Rows   int
	Bytes  int64
}

var (
	regions        = []string{"华东区", "华南区", "华北区", "西南区", "华中区"}
	cities         = []string{"上海浦东", "杭州西湖", "南京江宁", "苏州工业园", "广州天河", "深圳南山", "北京朝阳", "天津河西", "成都高新", "重庆渝北", "武汉光谷", "长沙岳麓"}
	brands         = []string{"大众", "丰田", "本田", "别克", "宝马", "奥迪"}
	surnames       = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givens         = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞辉建国志宏斌波浩宇俊文博")
	models         = []string{"朗逸", "帕萨特", "途观L", "凯美瑞", "卡罗拉", "雅阁", "CR-V", "君威", "昂科威", "3系", "X3", "A4L", "Q5L"}
	plateHead      = []string{"沪A", "沪B", "浙A", "苏A", "苏E", "粤A", "粤B", "京N", "津A", "川A", "渝A", "鄂A", "湘A"}
	causes         = []string{"配件不良", "工作方法不正确", "操作者大意", "交修不清楚", "制造不良", "管理不良", "其他"}
	causeEN        = []string{"parts_defect", "wrong_method", "carelessness", "unclear_request", "manufacturing_defect", "management", "other"}
	complaintTypes = []string{"服务态度", "维修质量", "交车延误", "收费争议", "配件缺货"}
)

type orderType struct {
	en, zh string
	weight float64
}

var orderTypes = []orderType{
	{"maintenance", "保养", 0.44}, {"repair", "机修", 0.24}, {"body_paint", "钣喷", 0.10}, {"warranty", "索赔", 0.08},
	{"insurance", "事故", 0.07}, {"internal", "内部", 0.03}, {"accessory", "精品", 0.04},
}

type sys struct {
	en, zh string
	weight float64
}

// Repair jobs: engine ≈ 30%, chassis ≈ 25% (the mix).
var repairSystems = []sys{
	{"engine", "发动机", 0.30}, {"chassis", "底盘", 0.25}, {"electrical", "电器", 0.15}, {"transmission", "变速箱", 0.10},
	{"hvac", "空调", 0.10}, {"interior", "内饰", 0.04}, {"other", "其他", 0.06},
}

var sysZH = map[string]string{"engine": "发动机", "transmission": "变速箱", "chassis": "底盘", "electrical": "电器", "body": "车身",
	"paint": "喷漆", "interior": "内饰", "hvac": "空调", "maintenance": "保养", "other": "其他"}

var gradeZH = map[string]string{"lead": "主修", "deputy": "副修", "assistant": "辅修", "trainee": "学员", "apprentice": "学徒"}

// Run generates all files. Stores are generated in parallel, each from its own seeded stream.
func Run(o Options) (Stats, error) {
	if o.Stores <= 0 || o.Months <= 0 {
		return Stats{}, fmt.Errorf("--stores and --months must be positive")
	}
	if o.EndMonth == "" {
		o.EndMonth = "2026-10"
	}
	if o.MinOrders == 0 {
		o.MinOrders, o.MaxOrders = 1000, 2000
	}
	if o.Parts == 0 {
		o.Parts = 2000
	}
	end, err := time.Parse("2006-01", o.EndMonth)
	if err != nil {
		return Stats{}, fmt.Errorf("end month %q: %v", o.EndMonth, err)
	}
	start := end.AddDate(0, -(o.Months - 1), 0)
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return Stats{}, err
	}
	catalog := makeCatalog(o.Seed, o.Parts)
	stores := make([]*store, o.Stores)
	for i := range stores {
		stores[i] = newStore(o, i, start)
	}
	var st Stats
	w := &writer{stats: &st}
	if err := w.storesFile(o.Out, stores); err != nil {
		return st, err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(stores))
	sem := make(chan struct{}, 2)
	for i, s := range stores {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = s.generate(o, catalog, w)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// ---------------------------------------------------------------------------------------------

type part struct {
	no, name, category string
	cost               int64 // fen
	cycle, lead        int
	pop                float64 // demand weight (long tail)
}

func makeCatalog(seed uint64, n int) []part {
	r := rand.New(rand.NewPCG(seed, 0xCA7A))
	// median cost in yuan of each category: filters, plugs, bulbs and seals are cheap, shock
	// absorbers, sensors and body parts dear (a brake pad set ≈ ¥450, a litre of oil ≈ ¥70)
	cats := []struct {
		name, prefix string
		median       float64
	}{{"机油滤清器", "FL", 45}, {"空气滤芯", "AF", 110}, {"刹车片", "BP", 450}, {"火花塞", "SP", 70}, {"雨刮片", "WB", 120},
		{"减震器", "SA", 800}, {"传感器", "SN", 600}, {"灯泡", "LB", 60}, {"皮带", "BT", 280}, {"密封圈", "OR", 18}, {"油液", "OL", 70}, {"车身件", "BD", 1300}}
	out := make([]part, n)
	for i := range out {
		c := cats[r.IntN(len(cats))]
		no := fmt.Sprintf("%s%06d", c.prefix, i+1)
		if i%50 == 7 {
			no = fmt.Sprintf("0%d", 1000000+i) // leading zero part numbers
		}
		if i%97 == 3 {
			no = fmt.Sprintf("8E0%06d", 698000+i) // looks like scientific notation, but is a part number
		}
		cost := int64(math.Exp(r.NormFloat64()*0.6+math.Log(c.median)) * 100)
		if cost < 500 {
			cost = 500 + int64(r.IntN(300))
		}
		// demand weight: a long tail (Zipf, exponent 0.8: of 2,000 parts the most used is ≈ 5 % of
		// the picks, not the 17 % an exponent of 1.1 gave it)
		out[i] = part{no: no, name: c.name, category: c.name, cost: cost, cycle: []int{7, 14, 30}[r.IntN(3)], lead: 1 + r.IntN(10),
			pop: 1 / math.Pow(float64(i+1), 0.8)}
	}
	return out
}

type tech struct {
	id, name, team, grade string
	coef                  int // tenths
	base                  int64
	promoteAt             int // month index of a promotion, or -1
}

type store struct {
	idx      int
	id, name string
	region   string
	brand    string
	r        *rand.Rand
	techs    []tech
	advisors []string
	vins     []vehicle
	start    time.Time
	gbk      bool
}

type vehicle struct {
	vin, plate, model, name, phone string
	km, kmPerDay                   int
}

func newStore(o Options, i int, start time.Time) *store {
	r := rand.New(rand.NewPCG(o.Seed, uint64(i)+1))
	s := &store{idx: i, id: fmt.Sprintf("S%03d", i+1), r: r, start: start, gbk: i%2 == 1}
	s.region = regions[i%len(regions)]
	s.brand = brands[r.IntN(len(brands))]
	s.name = cities[i%len(cities)] + s.brand + "4S店"
	if i >= len(cities) {
		s.name = fmt.Sprintf("%s%s%d店", cities[i%len(cities)], s.brand, i/len(cities)+1)
	}
	teams := 3 + r.IntN(2) // 3–4 teams of 4–6: enough hands for 1,000–2,000 orders a month
	grades := []string{"lead", "deputy", "assistant", "trainee", "apprentice"}
	bands := map[string][2]int{"lead": {41, 50}, "deputy": {31, 40}, "assistant": {21, 30}, "trainee": {11, 20}, "apprentice": {1, 10}}
	base := map[string]int64{"lead": 450000, "deputy": 380000, "assistant": 320000, "trainee": 260000, "apprentice": 220000}
	n := 0
	for t := 0; t < teams; t++ {
		size := 4 + r.IntN(3)
		for m := 0; m < size; m++ {
			g := grades[min(m, 4)]
			if m >= 5 {
				g = grades[1+r.IntN(4)]
			}
			b := bands[g]
			n++
			tc := tech{id: fmt.Sprintf("T%s%02d", s.id[1:], n), name: s.person(), team: fmt.Sprintf("%s-%c", s.id, 'A'+t), grade: g,
				coef: b[0] + r.IntN(b[1]-b[0]+1), base: base[g], promoteAt: -1}
			if g != "lead" && r.Float64() < 0.25 && o.Months > 3 {
				tc.promoteAt = 1 + r.IntN(o.Months-1)
			}
			s.techs = append(s.techs, tc)
		}
	}
	for a := 0; a < 4+r.IntN(5); a++ {
		s.advisors = append(s.advisors, fmt.Sprintf("SA%s%02d", s.id[1:], a+1))
	}
	nv := (o.MinOrders + o.MaxOrders) / 2 * 6
	s.vins = make([]vehicle, nv)
	for v := range s.vins {
		s.vins[v] = vehicle{vin: makeVIN(r), plate: plateHead[r.IntN(len(plateHead))] + fmt.Sprintf("%05d", r.IntN(100000)),
			model: models[r.IntN(len(models))], name: s.person(), phone: fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1000000000)),
			km: 3000 + r.IntN(120000), kmPerDay: 20 + r.IntN(60)}
	}
	return s
}

func (s *store) person() string {
	g := string(givens[s.r.IntN(len(givens))])
	if s.r.IntN(2) == 0 {
		g += string(givens[s.r.IntN(len(givens))])
	}
	return string(surnames[s.r.IntN(len(surnames))]) + g
}

const vinChars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

// makeVIN makes a valid VIN with its check digit at position 9.
func makeVIN(r *rand.Rand) string {
	b := []byte("L" + []string{"SV", "FV", "HG", "GB", "BV", "E4"}[r.IntN(6)])
	for len(b) < 17 {
		b = append(b, vinChars[r.IntN(len(vinChars))])
	}
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, c := range b {
		sum += vinVal(c) * weights[i]
	}
	if d := sum % 11; d == 10 {
		b[8] = 'X'
	} else {
		b[8] = byte('0' + d)
	}
	return string(b)
}

func vinVal(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return []int{1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9}[c-'A']
}

func pick[T any](r *rand.Rand, xs []T, w func(T) float64) T {
	x := r.Float64()
	for _, v := range xs {
		x -= w(v)
		if x < 0 {
			return v
		}
	}
	return xs[len(xs)-1]
}

// ---------------------------------------------------------------------------------------------

type order struct {
	no, typ, status, advisor          string
	v                                 *vehicle
	opened, promised, done, delivered time.Time
	hasPromised, appointment          bool
	comeback                          bool
	cause                             int
	labor, parts, other, discount     int64
	jobs                              []job
}

type job struct {
	line               int
	code, name, system string
	hours, amount      int64 // hours in hundredths, amount in fen
	tech               string
}

type pendingComeback struct {
	at      time.Time
	v       *vehicle
	system  string
	flagged bool
}

func (s *store) techAt(month int) []tech {
	out := make([]tech, len(s.techs))
	for i, t := range s.techs {
		if t.promoteAt >= 0 && month >= t.promoteAt {
			t = promote(t)
		}
		out[i] = t
	}
	return out
}

func promote(t tech) tech {
	next := map[string]string{"apprentice": "trainee", "trainee": "assistant", "assistant": "deputy", "deputy": "lead"}
	t.grade = next[t.grade]
	t.coef += 10
	if t.coef > 50 {
		t.coef = 50
	}
	return t
}

func (s *store) generate(o Options, catalog []part, w *writer) error {
	r := s.r
	dir := filepath.Join(o.Out, s.id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := w.technicians(dir, s, o.Months); err != nil {
		return err
	}
	if err := w.parts(dir, s, catalog); err != nil {
		return err
	}
	parts := newPartsPicker(catalog)
	// the parts' draws have a random stream of their own: a change to how parts are drawn leaves
	// the orders, vehicles and callbacks of a seed as they were
	pr := rand.New(rand.NewPCG(o.Seed, 0x9A27<<16|uint64(s.idx)))
	stock := make([]float64, len(catalog)) // on hand, as the movements written so far leave it
	est := make([]float64, len(catalog))   // the planner's estimate of each part's weekly demand
	var late []partQty                     // transfers in to book at the next weekly review
	var pending []pendingComeback
	moveSeq := 0
	for m := 0; m < o.Months; m++ {
		ms := s.start.AddDate(0, m, 0)
		me := ms.AddDate(0, 1, 0)
		days := int(me.Sub(ms).Hours() / 24)
		techs := s.techAt(m)
		n := o.MinOrders + r.IntN(o.MaxOrders-o.MinOrders+1)
		orders := make([]*order, 0, n+len(pending))
		// comebacks due this month
		var keep []pendingComeback
		for _, p := range pending {
			if p.at.Before(me) {
				o := s.newOrder(ms, techs, p.v, "repair", p.at)
				o.jobs[0].system = p.system
				o.comeback = p.flagged
				o.cause = r.IntN(len(causes))
				orders = append(orders, o)
			} else {
				keep = append(keep, p)
			}
		}
		pending = keep
		for i := 0; i < n; i++ {
			ot := pick(r, orderTypes, func(t orderType) float64 { return t.weight }).en
			at := ms.Add(time.Duration(r.IntN(days))*24*time.Hour + time.Duration(8*60+r.IntN(9*60))*time.Minute)
			v := &s.vins[r.IntN(len(s.vins))]
			ord := s.newOrder(ms, techs, v, ot, at)
			orders = append(orders, ord)
			if (ot == "repair" || ot == "warranty") && r.Float64() < 0.05 && ord.status == "delivered" {
				back := ord.delivered.Truncate(24 * time.Hour).Add(time.Duration(1+r.IntN(28))*24*time.Hour + time.Duration(8*60+r.IntN(9*60))*time.Minute)
				pending = append(pending, pendingComeback{at: back, v: v,
					system: ord.jobs[0].system, flagged: r.Float64() < 0.6})
			}
		}
		sort.Slice(orders, func(i, j int) bool { return orders[i].opened.Before(orders[j].opened) })
		for i, ord := range orders {
			ord.no = fmt.Sprintf("WO%s%s%05d", s.id[1:], ms.Format("0601"), i+1)
			if ord.status == "delivered" && !ord.delivered.Before(s.start.AddDate(0, o.Months, 0)) {
				ord.status, ord.delivered = "completed", time.Time{}
			}
		}
		// parts: the orders' issues and returns, then the month walked in time order with weekly
		// reorders, so that the stock the movements give is the stock the reorders saw
		var moves []movement
		issued := make([]float64, len(catalog)) // this month's, for next month's estimate
		for _, ord := range orders {
			if ord.status == "cancelled" || ord.typ == "internal" && pr.IntN(2) == 0 {
				continue
			}
			for _, pq := range parts.forOrder(pr, ord.typ) {
				pi, qty := pq.part, pq.qty
				moves = append(moves, movement{part: pi, at: ord.opened.Add(20 * time.Minute),
					typ: "issue", qty: qty, price: catalog[pi].cost * 13 / 10, order: ord.no})
				issued[pi] += qty
				ord.parts += int64(qty * float64(catalog[pi].cost*13/10))
				if pr.Float64() < 0.02 {
					moves = append(moves, movement{part: pi, at: ord.opened.Add(2 * time.Hour), typ: "return", qty: 1, order: ord.no})
				}
			}
		}
		weeks := float64(days) / 7
		if m == 0 {
			// the opening stock (booked as a receipt): what the reorders below keep, from the
			// demand the month's draws make likely for each part (the planner's experience: every
			// part of the catalogue a little, the long tail's a unit)
			parts.expected(est, weeks)
			for pi := range catalog {
				if t := orderUpTo(catalog[pi], est[pi]); t > 0 {
					stock[pi] = t + float64(pr.IntN(2))
				}
				if stock[pi] > 0 {
					moves = append(moves, movement{part: pi, at: ms.Add(time.Hour), typ: "receipt", qty: stock[pi]})
				}
			}
		}
		if pr.IntN(3) == 0 {
			// a stocktake's correction of one unit: on a part with nothing on hand, negative stock
			moves = append(moves, movement{part: pr.IntN(len(catalog)), at: me.Add(-2 * time.Hour), typ: "adjust", qty: -1})
		}
		for d := 0; d < days; d += 7 {
			moves = append(moves, movement{part: -1, at: ms.Add(time.Duration(d)*24*time.Hour + 9*time.Hour), typ: "review"})
		}
		sort.SliceStable(moves, func(i, j int) bool { return moves[i].at.Before(moves[j].at) })
		walked := make([]movement, 0, len(moves)+len(moves)/8)
		for _, mv := range moves {
			switch mv.typ {
			case "review": // weekly: each part at or below half its order-up-to level is topped up (nine times in ten)
				for _, l := range late { // the transfers issued ahead of their booking are booked now
					walked = append(walked, movement{part: l.part, at: mv.at, typ: "transfer_in", qty: l.qty})
					stock[l.part] += l.qty
				}
				late = late[:0]
				for pi := range catalog {
					if t := orderUpTo(catalog[pi], est[pi]); t > 0 && stock[pi] <= t/2 && pr.Float64() < 0.9 {
						walked = append(walked, movement{part: pi, at: mv.at, typ: "receipt", qty: t - stock[pi]})
						stock[pi] = t
					}
				}
				continue
			case "issue":
				if stock[mv.part] < mv.qty {
					// not on the shelf: a backorder, fetched from a sister store and booked before
					// the issue — or, in dirty data, one time in five only at the next weekly review
					// (the next month's, from the last week): the stock is negative until then, as
					// DMS that let an issue go first show it
					mv.back = true
					need := mv.qty - max(stock[mv.part], 0)
					if o.Dirty && pr.IntN(5) == 0 {
						late = append(late, partQty{mv.part, need})
					} else {
						walked = append(walked, movement{part: mv.part, at: mv.at.Add(-time.Minute), typ: "transfer_in", qty: need})
						stock[mv.part] += need
					}
				}
				stock[mv.part] -= mv.qty
			case "return", "adjust":
				stock[mv.part] += mv.qty
			} // (a receipt here is the opening stock, in stock[] already)
			walked = append(walked, mv)
		}
		moves = walked
		for i := range moves { // numbered in time order, upwards over the months, as a DMS numbers them
			moveSeq++
			moves[i].id = fmt.Sprintf("MV%s%07d", s.id[1:], moveSeq)
		}
		for pi := range catalog { // next month's estimate: this month's demand weighed in
			est[pi] = 0.6*est[pi] + 0.4*issued[pi]/weeks
		}
		month := ms.Format("2006-01")
		if err := w.workOrders(dir, s, month, orders, o.Dirty); err != nil {
			return err
		}
		if err := w.orderJobs(dir, s, month, orders); err != nil {
			return err
		}
		if err := w.movements(dir, s, month, moves, catalog); err != nil {
			return err
		}
		if err := w.callbacks(dir, s, month, orders); err != nil {
			return err
		}
		if err := w.attendance(dir, s, month, techs, days); err != nil {
			return err
		}
	}
	return nil
}

// partsPicker draws the parts of an order: a maintenance takes oil and an oil filter, often an
// air filter or spark plugs, each the popular ones of its kind; other orders draw from the whole
// catalogue's long tail.
type partsPicker struct {
	catalog []part
	byCat   map[string][]int // index into catalog, per category
	cum     map[string][]float64
	draws   map[string]float64 // draws made, per category ("" for any part)
}

type partQty struct {
	part int
	qty  float64
}

func newPartsPicker(catalog []part) *partsPicker {
	p := &partsPicker{catalog: catalog, byCat: map[string][]int{}, cum: map[string][]float64{}, draws: map[string]float64{}}
	for i, c := range catalog {
		p.byCat[c.category] = append(p.byCat[c.category], i)
		p.byCat[""] = append(p.byCat[""], i)
	}
	for cat, idx := range p.byCat {
		cum, total := make([]float64, len(idx)), 0.0
		for j, i := range idx {
			total += catalog[i].pop
			cum[j] = total
		}
		p.cum[cat] = cum
	}
	return p
}

// one part of a category ("" for any), by demand weight
func (p *partsPicker) one(r *rand.Rand, cat string) int {
	idx, cum := p.byCat[cat], p.cum[cat]
	if len(idx) == 0 {
		cat, idx, cum = "", p.byCat[""], p.cum[""]
	}
	p.draws[cat]++
	j := sort.SearchFloat64s(cum, r.Float64()*cum[len(cum)-1])
	return idx[min(j, len(idx)-1)]
}

func (p *partsPicker) forOrder(r *rand.Rand, typ string) []partQty {
	var out []partQty
	add := func(pi int) { out = append(out, partQty{pi, qtyOf(p.catalog[pi], r)}) }
	k := 0
	switch typ {
	case "maintenance":
		add(p.one(r, "油液"))
		add(p.one(r, "机油滤清器"))
		if r.Float64() < 0.4 {
			add(p.one(r, []string{"空气滤芯", "火花塞"}[r.IntN(2)]))
		}
		return out
	case "accessory", "body_paint", "insurance":
		k = 1 + r.IntN(3)
	default:
		k = r.IntN(4)
	}
	for j := 0; j < k; j++ {
		add(p.one(r, ""))
	}
	return out
}

// expected sets est to each part's expected weekly demand from the draws made so far (over
// weeks): a category's draws shared by demand weight, times the part's mean quantity
func (p *partsPicker) expected(est []float64, weeks float64) {
	for i := range est {
		est[i] = 0
	}
	// (categories in a fixed order: a part's two sums, its category's and any part's, are
	// added in the same order every run, so a seed gives the same files to the last digit)
	for _, cat := range slices.Sorted(maps.Keys(p.draws)) {
		n := p.draws[cat]
		idx, cum := p.byCat[cat], p.cum[cat]
		for _, i := range idx {
			est[i] += n * p.catalog[i].pop / cum[len(cum)-1] * meanQty(p.catalog[i]) / weeks
		}
	}
}

// qtyOf draws the quantity of an issue of part c: oil by the litre (4–6), spark plugs by the set of
// four, anything else one or two; meanQty is its mean
func qtyOf(c part, r *rand.Rand) float64 {
	qty := float64(1 + r.IntN(2))
	switch c.category {
	case "油液":
		qty = float64(4 + r.IntN(3))
	case "火花塞":
		qty = 4
	}
	return qty
}

func meanQty(c part) float64 {
	switch c.category {
	case "油液":
		return 5
	case "火花塞":
		return 4
	}
	return 1.5
}

// orderUpTo is the stock a weekly reorder tops a part up to: the estimated demand over its order
// cycle and lead time plus three weeks (≈ four to seven weeks of stock: the demo's stores turn
// their stock 5–12 times a year); 0 for a part with no demand (ordered only when asked for)
func orderUpTo(p part, weekly float64) float64 {
	if weekly <= 0 {
		return 0
	}
	return math.Ceil(weekly * (float64(p.cycle+p.lead)/7 + 3))
}

type movement struct {
	id    string
	part  int
	at    time.Time
	typ   string
	qty   float64
	price int64
	order string
	back  bool
}

func (s *store) newOrder(ms time.Time, techs []tech, v *vehicle, typ string, at time.Time) *order {
	r := s.r
	o := &order{typ: typ, v: v, opened: at.Truncate(time.Minute), advisor: s.advisors[r.IntN(len(s.advisors))], status: "delivered"}
	o.appointment = r.Float64() < 0.35
	var hours float64
	switch typ {
	case "maintenance":
		hours = 1 + r.Float64()*1.5
	case "body_paint", "insurance":
		hours = 24 + r.Float64()*72
	case "internal", "accessory":
		hours = 2 + r.Float64()*6
	default:
		hours = 2.5 + r.ExpFloat64()*6
	}
	o.promised = o.opened.Add(time.Duration(hours*60+90) * time.Minute).Truncate(5 * time.Minute)
	o.hasPromised = r.Float64() < 0.9
	late := 0.8 + r.Float64()*0.2
	if r.Float64() < 0.08 {
		late = 1.3 + r.Float64()
	}
	o.done = o.opened.Add(time.Duration(hours*late*60) * time.Minute)
	o.delivered = o.done.Add(time.Duration(10+r.IntN(50)) * time.Minute)
	if r.Float64() < 0.01 {
		o.status, o.delivered = "cancelled", time.Time{}
	}
	nj := 1 + r.IntN(2)
	if typ == "maintenance" && r.Float64() < 0.7 {
		nj = 1
	}
	rate := int64(8000 + 1000*r.IntN(8)) // fen per hour
	for j := 0; j < nj; j++ {
		var system string
		switch typ {
		case "maintenance":
			system = "maintenance"
			if j > 0 {
				system = "other"
			}
		case "body_paint", "insurance":
			system = []string{"body", "paint"}[r.IntN(2)]
		case "accessory":
			system = []string{"interior", "electrical", "other"}[r.IntN(3)]
		default:
			system = pick(r, repairSystems, func(x sys) float64 { return x.weight }).en
		}
		h := int64(60 + r.IntN(200)) // 0.6–2.6 h a line: ≈ 2.5 h per repair order over its lines
		switch typ {
		case "maintenance":
			h = int64(30 + r.IntN(50))
		case "internal", "accessory":
			h = int64(30 + r.IntN(120))
		}
		t := techs[r.IntN(len(techs))]
		jb := job{line: j + 1, code: fmt.Sprintf("%s%03d", strings.ToUpper(system[:2]), r.IntN(200)), name: sysZH[system] + "维修", system: system,
			hours: h, amount: h * rate / 100, tech: t.id}
		if system == "maintenance" {
			jb.name = "定期保养"
		}
		o.jobs = append(o.jobs, jb)
		o.labor += jb.amount
	}
	if typ == "body_paint" || typ == "insurance" {
		o.other = int64(r.IntN(3)) * 20000
	}
	if r.Float64() < 0.2 {
		o.discount = o.labor / 10
	}
	return o
}
