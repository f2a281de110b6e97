package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileURL: the address printed for the dashboards opens in a browser on Linux, on Windows
// (a drive letter, a network share) and in folders whose names hold spaces, #, % or Chinese.
func TestFileURL(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/home/li/out/dashboards/index.html", "file:///home/li/out/dashboards/index.html"},
		{"C:/Users/li/out/dashboards/index.html", "file:///C:/Users/li/out/dashboards/index.html"},
		{"//fileserver/售后/看板/index.html", "file://fileserver/售后/看板/index.html"},
		{"/home/li/经营 分析/#2 100%?/index.html", "file:///home/li/经营%20分析/%232%20100%25%3F/index.html"},
	} {
		if got := fileURLOf(c.path); got != c.want {
			t.Errorf("fileURLOf(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

// TestIngestPattern: a pattern reaches ingest as typed where no shell expands it (Windows'
// cmd.exe and PowerShell, or quoted): the files it matches are ingested, and one that matches
// nothing is a usage error that names it.
func TestIngestPattern(t *testing.T) {
	dir := t.TempDir()
	sampleFiles(t, dir, 2, 2)
	want, _ := filepath.Glob(filepath.Join(dir, "in", "S00*", "work_orders_*.csv"))
	if len(want) != 4 {
		t.Fatalf("the sample has %d work-order files, want 4", len(want))
	}
	dbf := filepath.Join(dir, "d", "a.duckdb")
	r := runBin(t, dir, "ingest", "--db", dbf, filepath.Join("in", "S00*", "work_orders_*.csv"))
	if r.code != 0 {
		t.Fatalf("%d %s", r.code, r.stderr)
	}
	got := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) FROM ingest_files WHERE kind = 'work_orders' AND status = 'loaded'").stdout
	if n := strings.Count(r.stdout, "work_orders_"); n != 4 || got != "count_star()\r\n4\r\n" {
		t.Errorf("4 files match: %d lines name them, and ingest_files says %q\n%s", n, got, r.stdout)
	}
	if strings.Contains(r.stdout, "order_jobs") {
		t.Errorf("a file the pattern does not match was ingested:\n%s", r.stdout)
	}
	r = runBin(t, dir, "ingest", "--db", dbf, filepath.Join("in", "S00*", "工单*.csv"))
	if r.code != 2 || !strings.Contains(r.stderr, "no file matches "+filepath.Join("in", "S00*", "工单*.csv")) {
		t.Errorf("a pattern that matches nothing: %d %s", r.code, r.stderr)
	}
}

// TestGlobFold: as Windows matches names, a pattern's letters match either case, in the folder
// part too; without fold, glob is filepath.Glob.
func TestGlobFold(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"导出/S001/工单_2026-09.CSV", "导出/S001/工单_2026-10.csv", "导出/s002/工单_2026-09.csv", "导出/S001/回访_2026-09.csv"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), nil, 0o644)
	}
	rel := func(ps []string) string {
		var out []string
		for _, p := range ps {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		pattern string
		fold    bool
		want    string
	}{
		{"导出/S00*/工单_*.csv", true, "导出/S001/工单_2026-09.CSV 导出/S001/工单_2026-10.csv 导出/s002/工单_2026-09.csv"},
		{"导出/S00*/工单_*.csv", false, "导出/S001/工单_2026-10.csv"},
		{"导出/S001/*_2026-09.Csv", true, "导出/S001/回访_2026-09.csv 导出/S001/工单_2026-09.CSV"},
		{"导出/S00[2-3]/*", true, "导出/s002/工单_2026-09.csv"},
		{"导出/x*/*", true, ""},
	} {
		got, err := glob(filepath.Join(dir, c.pattern), c.fold)
		if err != nil || rel(got) != c.want {
			t.Errorf("glob(%s, %v) = %s (%v), want %s", c.pattern, c.fold, rel(got), err, c.want)
		}
	}
	if _, err := glob(filepath.Join(dir, "导出/[*"), true); err == nil {
		t.Error("a malformed pattern is not an error")
	}
}
