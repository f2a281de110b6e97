package ingest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/aftersales/aftersales/internal/msg"
)

// TestAliases: a DMS that writes its own words — 快修 for repair, 已结账 for delivered, a header
// 委托单流水号 for the order number — has those rows (or the file) rejected, with a reason that
// names the aliases file; declared there, the same file loads with the canonical values.
func TestAliases(t *testing.T) {
	dir := t.TempDir()
	p := writeText(t, dir, "wo.csv", "门店编号,委托单流水号,VIN,维修类别,进厂时间,工单状态,交车时间\n"+
		"S1,A1,LSVAA4180E2123456,快修,2026-09-01 08:00,已结账,2026-09-01 12:00\n"+
		"S1,A2,LSVAA4180E2123456,保养,2026-09-02 08:00,完工,\n")

	e := newEnv(t)
	r := e.ingest(p, Options{})
	if r.Status != StatusRejected || !strings.Contains(r.Message, `"委托单流水号"`) ||
		!strings.Contains(r.Message, "declare the header in data/aliases.yaml (headers: → work_orders → the column)") {
		t.Errorf("without the header declared: %s: %s", r.Status, r.Message)
	}

	aliasFile := writeText(t, dir, "aliases.yaml", "headers:\n  work_orders:\n    order_no: 委托单流水号\n")
	a, err := LoadAliases(aliasFile)
	if err != nil {
		t.Fatal(err)
	}
	e = newEnv(t)
	r = e.ingest(p, Options{Aliases: a})
	expectCounts(t, r, StatusLoaded, 2, 1, 1, 0)
	if len(r.Rejects) != 1 || !strings.HasPrefix(r.Rejects[0].Reason, `"快修" is not a known order_type value`) ||
		!strings.Contains(r.Rejects[0].Reason, "declare it in "+aliasFile+" (values: → order_type → the value) and ingest the file again with --reload") {
		t.Errorf("rejects %+v", r.Rejects)
	}

	// the words declared: the file loads whole, in canonical values; loaded again with --reload,
	// as the reason says, it replaces the rows of the load before
	aliasFile = writeText(t, dir, "aliases2.yaml", `# 本店 DMS 的写法
headers:
  work_orders:
    order_no: [委托单流水号]
values:
  order_type:
    repair: [快修, 小修]
  status:
    delivered:
      - 已结账
`)
	if a, err = LoadAliases(aliasFile); err != nil {
		t.Fatal(err)
	}
	r = e.ingest(p, Options{Aliases: a, Reload: true})
	expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
	expectRows(t, "loaded", e.rows(`SELECT order_no, order_type, status FROM raw_work_orders ORDER BY order_no`),
		[]string{"A1|repair|delivered", "A2|maintenance|completed"})
	if got := declared(a, "order_type"); got != "repair 快修/小修" {
		t.Errorf("declared(order_type) = %q", got)
	}
	// the words listed (columns, a rejected value's reason) with the built-in ones of their value
	if got, want := a.EnumWords(enumColumn("order_type")), "repair 一般维修/小修/快修/机修/机电/机电维修;"; !strings.Contains(got, want) {
		t.Errorf("EnumWords = %q, want %q in it", got, want)
	}
	if got := a.Headers("work_orders", "order_no"); len(got) != 1 || got[0] != "委托单流水号" {
		t.Errorf("Headers = %q", got)
	}

	// a declared header beside the column's own is a repeated header, as two built-in ones are
	both := writeText(t, dir, "both.csv", "门店编号,工单号,委托单流水号,VIN,维修类别,进厂时间,工单状态\n"+
		"S1,A3,B3,LSVAA4180E2123456,快修,2026-09-03 08:00,完工\n")
	r = e.ingest(both, Options{Aliases: a})
	if !strings.Contains(r.Message, `column 2 "工单号" and column 3 "委托单流水号" are both order_no: column 2 was read, column 3 was not`) {
		t.Errorf("a declared header repeating a column: %s", r.Message)
	}
	// saved as GBK (Notepad's "ANSI" on a Chinese Windows): read the same
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("values:\n  order_type:\n    repair: [快修]\n")
	gp := filepath.Join(dir, "gbk.yaml")
	os.WriteFile(gp, []byte(gbk), 0o644)
	if a, err := LoadAliases(gp); err != nil || declared(a, "order_type") != "repair 快修" {
		t.Errorf("GBK aliases file: %v, %q", err, declared(a, "order_type"))
	}
	// with a UTF-8 byte-order mark, or in UTF-16 (Notepad's "Unicode"): read the same
	text := "values:\n  order_type:\n    repair: [快修]\n"
	u16 := []byte{0xFF, 0xFE}
	for _, r := range text {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	for _, b := range [][]byte{append([]byte("\xef\xbb\xbf"), text...), u16} {
		if a, err := parseAliases(ConfigText(b)); err != nil || declared(a, "order_type") != "repair 快修" {
			t.Errorf("% x…: %v", b[:4], err)
		}
	}
	// empty, or comments only: nothing declared
	for _, text := range []string{"", "# 无\n", "headers:\nvalues:\n"} {
		if a, err := parseAliases([]byte(text)); err != nil || !a.Empty() {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// TestAliasesMistakes: each mistake in the aliases file is named with its line, and a word that
// already means something else is refused rather than silently changing what it loads as.
func TestAliasesMistakes(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"header:\n  x: 1\n", "line 1: header is not a section of the aliases file (they are headers: and values:)"},
		{"headers:\n  orders:\n    order_no: 单号\n", "line 2: orders is not an input kind (one of: attendance, callbacks,"},
		{"headers:\n  work_orders:\n    dealer: 单号\n", "line 3: work_orders has no column dealer (its columns: store_id, order_no,"},
		{"headers:\n  work_orders:\n    plate: 工单号\n", `line 3: the header "工单号" already means order_no of work_orders`},
		{"headers:\n  work_orders:\n    plate: [牌照]\n    model: [牌照]\n", `line 4: the header "牌照" is given for plate and model of work_orders`},
		{"headers:\n  work_orders:\n    plate: [\"  \"]\n", `line 3: the header "  " is empty once spaces and a unit are set aside`},
		{"headers:\n  work_order:\n    order_no: 单号\n", "line 2: work_order is not an input kind (did you mean work_orders?)"},
		{"values:\n  order_typ:\n    repair: [快修]\n", "line 2: order_typ is not a column of fixed values (did you mean order_type?)"},
		{"values:\n  order_type:\n    repiar: [快修]\n", "line 3: repiar is not a value of order_type (did you mean repair?)"},
		{"headers:\n  work_orders:\n    order_num: 单号\n", "line 3: work_orders has no column order_num (did you mean order_no?)"},
		{"values:\n  vin:\n    x: [y]\n", "line 2: vin is not a column of fixed values (they are: comeback_cause, fault_system, grade, movement_type, order_type, status)"},
		{"values:\n  order_type:\n    快修: [repair]\n", "line 3: 快修 is not a value of order_type (one of: accessory, body_paint, insurance, internal, maintenance, repair, warranty); write the canonical English word, then the DMS's words"},
		{"values:\n  order_type:\n    repair: [保养]\n", `line 3: "保养" already means maintenance of order_type`},
		{"values:\n  order_type:\n    repair: [快修]\n    maintenance: [快修]\n", `line 4: "快修" is given for repair and maintenance of order_type`},
		{"values:\n  order_type:\n    repair: {a: b}\n", "line 3: the words should be a list, such as [快修, 小修]"},
		{"values:\n  order_type: [快修]\n", "line 2: order_type should be `name:` lines, one level further in"},
		{"- a\n", "line 1: the file holds sections headers: and values:, as in data/aliases.yaml"},
		{"values:\n\torder_type:\n", "not valid YAML"},
	} {
		_, err := parseAliases([]byte(c.text))
		if err == nil || !strings.Contains(msg.Text(msg.EN, err), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
		if err != nil && !strings.Contains(c.want, "YAML") && strings.Contains(msg.Text(msg.ZH, err), "line ") {
			t.Errorf("%q in Chinese: %s", c.text, msg.Text(msg.ZH, err))
		}
	}
	// a word that means the same already is harmless
	if _, err := parseAliases([]byte("values:\n  order_type:\n    repair: [机修, 快修]\n")); err != nil {
		t.Error(err)
	}
}

// TestShippedAliasesFile: data/aliases.yaml declares nothing as shipped, and its commented example
// is a valid aliases file once uncommented.
func TestShippedAliasesFile(t *testing.T) {
	path := filepath.Join("..", DefaultAliasesFile)
	a, err := LoadAliases(path)
	if err != nil || !a.Empty() {
		t.Fatalf("%s: %v, empty %v", path, err, a.Empty())
	}
	b, _ := os.ReadFile(path)
	var example []string
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "# headers:") {
			in = true
		}
		if in && l == "#" {
			break
		}
		if in {
			example = append(example, strings.TrimPrefix(l, "# "))
		}
	}
	a, err = parseAliases([]byte(strings.Join(example, "\n")))
	if err != nil || declared(a, "order_type") != "maintenance 常规保养; repair 快修/小修" || len(a.Headers("work_orders", "order_no")) != 1 {
		t.Errorf("the example: %v, %q", err, declared(a, "order_type"))
	}
}

// declared lists the words a declares for col's values ("repair 快修/小修; …"), as written.
func declared(a *Aliases, col string) string {
	if a == nil {
		return ""
	}
	var parts []string
	for v, ws := range a.valueList[col] {
		parts = append(parts, v+" "+strings.Join(ws, "/"))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
