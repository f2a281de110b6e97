package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChineseByDefault: with no --lang and no $AFTERSALES_LANG, what the command line says —
// ingest's lines, the reasons it stores for rejected rows, transform, status and error
// messages — is Chinese; --lang en or AFTERSALES_LANG=en gives the English.
func TestChineseByDefault(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if r := runBin(t, dir, "gen", "--stores", "1", "--months", "1", "--seed", "3", "--out", in, "--min-orders", "60", "--max-orders", "80", "--parts", "20"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// a work order with a VIN that has an O
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("门店编号,工单号,车架号,开单时间,工单类型,工单状态\nS001,X1,LSVEV887O8TCGLW9J,2026-10-01 10:00,保养,在修\n"), 0o644)
	dbf := filepath.Join(dir, "a.duckdb")

	zh := func(args ...string) result {
		t.Helper()
		return runBinLang(t, "", dir, args...)
	}
	r := zh("ingest", "--db", dbf, in, bad)
	for _, want := range []string{"工单 work_orders，读取 ", "第 2 行 车架号 vin 列，值 \"LSVEV887O8TCGLW9J\"：车架号 \"LSVEV887O8TCGLW9J\" 第 9 位是 \"O\"", "个文件：读取 "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ingest: no %q in\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "loaded") || r.code != 0 {
		t.Errorf("ingest: exit %d, English in\n%s", r.code, r.stdout)
	}
	// the reasons stored are the ingest's: Chinese
	q := zh("query", "--db", dbf, "--format", "csv", "SELECT reason FROM ingest_rejects WHERE column_name = 'vin' ORDER BY file_id, row_number LIMIT 1")
	if !strings.Contains(q.stdout, "第 9 位是") {
		t.Errorf("stored reason: %q %s", q.stdout, q.stderr)
	}
	if r := zh("transform", "--db", dbf); r.code != 0 || !strings.Contains(r.stdout, "全量重算（首次运行）") {
		t.Errorf("transform: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := zh("status", "--db", dbf); !strings.Contains(r.stdout, "最近月份") || !strings.Contains(r.stdout, "全量重算（首次运行）") {
		t.Errorf("status:\n%s", r.stdout)
	}
	// errors, in both languages
	missing := filepath.Join(dir, "typo.duckdb")
	if r := zh("transform", "--db", missing); r.code != 1 || !strings.Contains(r.stderr, "还不存在") {
		t.Errorf("error in Chinese: %d %q", r.code, r.stderr)
	}
	for _, r := range []result{runBinLang(t, "", dir, "--lang", "en", "transform", "--db", missing), runBinLang(t, "en", dir, "transform", "--db", missing)} {
		if r.code != 1 || !strings.Contains(r.stderr, "does not exist yet") {
			t.Errorf("error in English: %d %q", r.code, r.stderr)
		}
	}
	if r := zh("payroll", "--db", dbf, "--store", "S001"); r.code != 2 || !strings.Contains(r.stderr, "payroll 需要 --store 和 --month") {
		t.Errorf("usage in Chinese: %d %q", r.code, r.stderr)
	}
	// cobra's own errors, and --lang before cobra parses the flags
	if r := zh("frob"); r.code != 2 || !strings.Contains(r.stderr, `"aftersales" 没有命令 "frob"`) {
		t.Errorf("unknown command: %d %q", r.code, r.stderr)
	}
	if r := zh("ingest", "--bogus"); r.code != 2 || !strings.Contains(r.stderr, "未知参数：--bogus\n用法见 `aftersales ingest --help`。") {
		t.Errorf("unknown flag: %d %q", r.code, r.stderr)
	}
	if r := zh("--lang", "en", "frob"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frob" for "aftersales"`) {
		t.Errorf("unknown command, --lang en: %d %q", r.code, r.stderr)
	}
	if r := zh("--lang", "fr", "status", "--db", dbf); r.code != 2 || !strings.Contains(r.stderr, "--lang") {
		t.Errorf("--lang fr: %d %q", r.code, r.stderr)
	}
	// help: descriptions, flags and cobra's headings
	h := zh("ingest", "--help")
	for _, want := range []string{"导入文件、文件夹或通配符", "用法：", "示例：", "参数：", "全局参数：", "--strict            文件中有任何行被拒收时整体拒收该文件", "（默认 \"data/aftersales.duckdb\"）", "显示 ingest 的帮助"} {
		if !strings.Contains(h.stdout, want) {
			t.Errorf("ingest --help: no %q in\n%s", want, h.stdout)
		}
	}
	if h := zh("--help"); !strings.Contains(h.stdout, "可用命令：") || !strings.Contains(h.stdout, "payroll     门店某月的工资表") {
		t.Errorf("--help:\n%s", h.stdout)
	}
	if h := runBinLang(t, "", dir, "ingest", "--help", "--lang", "en"); !strings.Contains(h.stdout, "Usage:") || !strings.Contains(h.stdout, "Load files, folders or patterns") {
		t.Errorf("ingest --help --lang en:\n%s", h.stdout)
	}
	// English on request
	r = runBinLang(t, "", dir, "ingest", "--lang", "en", "--db", dbf, bad)
	if !strings.Contains(r.stdout, "duplicate") {
		t.Errorf("ingest --lang en:\n%s", r.stdout)
	}
}

// TestColumnsVerb: `aftersales columns KIND` lists a kind's columns with their accepted headers
// and the words of a fixed-values column, in Chinese by default and in English with --lang en;
// an unknown kind is wrong usage.
func TestColumnsVerb(t *testing.T) {
	dir := t.TempDir()
	r := runBinLang(t, "", dir, "columns", "work_orders")
	for _, want := range []string{"工单 work_orders（自然键：store_id, order_no）", "是否必填", "选填，空为 0", "工时费",
		"maintenance 保养/定保/定期保养/首保/首次保养", "internal pdi/内部", "必填*：也可以用 --store 提供"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("columns work_orders: no %q in\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "callbacks") || r.code != 0 {
		t.Errorf("columns work_orders: exit %d, another kind in\n%s", r.code, r.stdout)
	}
	r = runBinLang(t, "en", dir, "columns")
	for _, want := range []string{"callbacks (natural key: store_id, callback_id)", "whole number 1–5", "optional, no if empty"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("columns --lang en: no %q in\n%s", want, r.stdout)
		}
	}
	if r := runBinLang(t, "", dir, "columns", "orders"); r.code != 2 || !strings.Contains(r.stderr, "work_orders") {
		t.Errorf("columns orders: exit %d %q", r.code, r.stderr)
	}
}

// TestOlderExportWarned: an export that puts delivered work orders back to open — an older
// export loaded after a newer one — is warned of under its line, naming the newer file and what
// to do, also with --quiet (the summary points to that line); loading the newer one again with
// --reload, a step forward, is not.
func TestOlderExportWarned(t *testing.T) {
	dir := t.TempDir()
	head := "门店编号,工单号,车架号,维修类别,开单时间,交车时间,工单状态\n"
	newer := filepath.Join(dir, "newer.csv")
	os.WriteFile(newer, []byte(head+"S001,X1,LSVAA4180E2123456,机修,2026-09-30 10:00,2026-10-02 10:00,已交车\nS001,X2,LSVAA4180E2123456,机修,2026-09-30 11:00,2026-10-02 11:00,已交车\n"), 0o644)
	older := filepath.Join(dir, "older.csv")
	os.WriteFile(older, []byte(head+"S001,X1,LSVAA4180E2123456,机修,2026-09-30 10:00,,在修\nS001,X2,LSVAA4180E2123456,机修,2026-09-30 11:00,,在修\n"), 0o644)
	dbf := filepath.Join(dir, "a.duckdb")
	for _, p := range []string{newer, older} {
		if p == older {
			// --check first: it says so, and loads nothing
			r := runBinLang(t, "", dir, "ingest", "--db", dbf, "--check", "-q", p) // (-q: a WARNING's line still shows)
			if r.code != 0 || !strings.Contains(r.stdout, "将替换此前导入的同键行 2 行") || !strings.Contains(r.stdout, "注意：其中 2 张工单导入后状态会比此前导入的更早") ||
				!strings.Contains(r.stdout, "本文件可能是比 "+newer+" 更早的导出。如果是，请不要导入它") || !strings.Contains(r.stdout, "；2 张工单的状态将被改回更早的状态") {
				t.Errorf("--check of the older export: %d, no warning in\n%s%s", r.code, r.stdout, r.stderr)
			}
			if q := runBinLang(t, "", dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) FROM raw_work_orders WHERE status = 'delivered'"); !strings.Contains(q.stdout, "\r\n2\r\n") {
				t.Errorf("after --check: %q", q.stdout)
			}
		}
		if r := runBinLang(t, "", dir, "ingest", "--db", dbf, "-q", p); r.code != 0 {
			t.Fatalf("%s: %d %s %s", p, r.code, r.stdout, r.stderr)
		} else if p == older && !strings.Contains(r.stdout, "注意：其中 2 张工单的状态比此前导入的更早") || p == older && !strings.Contains(r.stdout, "本文件可能是比 "+newer+" 更早的导出。如果是，请用 --reload") || p == older && !strings.Contains(r.stdout, "；2 张工单的状态被改回更早的状态（见该文件那一行的“注意”）") {
			t.Errorf("older export: no warning in\n%s", r.stdout)
		} else if p == newer && strings.Contains(r.stdout, "注意") {
			t.Errorf("first load warned:\n%s", r.stdout)
		}
	}
	r := runBinLang(t, "en", dir, "ingest", "--db", dbf, "--reload", newer)
	if r.code != 0 || !strings.Contains(r.stdout, "replaced 2 row(s)") || strings.Contains(r.stdout, "WARNING") {
		t.Errorf("newer again with --reload: %d\n%s", r.code, r.stdout)
	}
	if q := runBinLang(t, "", dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) FROM raw_work_orders WHERE status = 'delivered'"); !strings.Contains(q.stdout, "\r\n2\r\n") {
		t.Errorf("after --reload of the newer export: %q", q.stdout)
	}
}

// TestFileLineGivesItsPeriod: a file's line ends with the span of the column its kind is dated
// by, in Chinese with the column's Chinese header, so an export of the wrong month shows at once.
func TestFileLineGivesItsPeriod(t *testing.T) {
	dir := t.TempDir()
	wo := filepath.Join(dir, "wo.csv")
	os.WriteFile(wo, []byte("门店编号,工单号,车架号,维修类别,开单时间,工单状态\nS001,X1,LSVAA4180E2123456,机修,2026-09-30 10:00,在修\nS001,X2,LSVAA4180E2123456,机修,2026-08-28 11:00,在修\n"), 0o644)
	att := filepath.Join(dir, "att.csv")
	os.WriteFile(att, []byte("门店编号,月份,技师编号,出勤天数,应出勤天数\nS001,2026-09,T1,20,22\n"), 0o644)
	for _, c := range []struct{ lang, wo, att string }{
		{"", "wo.csv：工单 work_orders，读取 2 行，导入 2 行，拒收 0 行，跳过 0 行；进厂时间 opened_at 2026-08-28 至 2026-09-30\n",
			"att.csv：出勤 attendance，读取 1 行，导入 1 行，拒收 0 行，跳过 0 行；月份 month 2026-09\n"},
		{"en", "wo.csv: work_orders, read 2, loaded 2, rejected 0, skipped 0; opened_at 2026-08-28 to 2026-09-30\n",
			"att.csv: attendance, read 1, loaded 1, rejected 0, skipped 0; month 2026-09\n"},
	} {
		r := runBinLang(t, c.lang, dir, "ingest", "--db", filepath.Join(t.TempDir(), "a.duckdb"), wo, att)
		if r.code != 0 || !strings.Contains(r.stdout, c.wo) || !strings.Contains(r.stdout, c.att) {
			t.Errorf("%q: %d\n%s%s", c.lang, r.code, r.stdout, r.stderr)
		}
	}
}
