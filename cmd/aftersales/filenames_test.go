package main

import (
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/testenv"
)

// TestStoreIDsNameFilesSafely: the files named after stores — dashboard pages, the demo's report
// and payroll workbooks, `payroll --all-stores`, `report --all-stores` — stay in their folder and are one per store,
// whatever the store ids hold. Before, a store id with "/../" wrote its workbook outside the
// folder given, and two Chinese store ids (every non-ASCII character became '_') shared their
// dashboard pages, the second store's figures written over the first's; and `s004` and `S004`
// named files that are one file where the file system ignores case (Windows, macOS).
func TestStoreIDsNameFilesSafely(t *testing.T) {
	dir := t.TempDir()
	_, dbf := ingestedSample(t, dir, 5, 2)
	ids := map[string]string{"S001": "上海店", "S002": "北京店", "S003": "x/../../../evil", "S005": "s004"}
	d, err := db.Open(dbf, false)
	if err != nil {
		t.Fatal(err)
	}
	for from, to := range ids {
		testenv.RenameStore(t, d, from, to)
	}
	d.Close()
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out := filepath.Join(dir, "out", "a", "b")
	for _, args := range [][]string{
		{"payroll", "--db", dbf, "--all-stores", "--month", "2026-09", "--out-dir", filepath.Join(out, "pay")},
		{"dashboards", "--db", dbf, "--out", filepath.Join(out, "dash"), "--month", "2026-09"},
		{"report", "--db", dbf, "--all-stores", "--month", "2026-09", "--out-dir", filepath.Join(out, "rep")},
		{"report", "--db", dbf, "--store", "上海店", "--month", "2026-09", "--xlsx", filepath.Join(dir, "one.xlsx")},
	} {
		if r := runBin(t, dir, args...); r.code != 0 {
			t.Fatalf("%v: %s", args[:2], r.stderr)
		}
	}
	if err := demoReports(t.Context(), &demoOpts{Out: out, W: io.Discard}, &dbFlags{DB: dbf}); err != nil {
		t.Fatal(err)
	}
	// nothing outside the folders given; one workbook of each kind per store
	files := map[string][]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() && p == filepath.Join(dir, "in") {
			return filepath.SkipDir // the sample exports
		}
		if err == nil && !info.IsDir() && (strings.HasSuffix(p, ".xlsx") || strings.HasSuffix(p, ".html")) {
			files[filepath.Dir(p)] = append(files[filepath.Dir(p)], filepath.Base(p))
		}
		return nil
	})
	for folder, names := range files {
		rel, _ := filepath.Rel(out, folder)
		if rel != "pay" && rel != "dash" && rel != "reports" && rel != "rep" && folder != dir {
			t.Errorf("files written in %s: %v", folder, names)
		}
	}
	count := func(folder, pattern string) int {
		n := 0
		for _, f := range files[filepath.Join(out, folder)] {
			if regexp.MustCompile(pattern).MatchString(f) {
				n++
			}
		}
		return n
	}
	for folder, pattern := range map[string]string{"pay": `^工资表-`, "reports": `^月报-`, "rep": `^月报-`, "dash": `^store-`} {
		if n := count(folder, pattern); n != 5 {
			t.Errorf("%s: %d files %s, want one per store (5): %v", folder, n, pattern, files[filepath.Join(out, folder)])
		}
	}
	// and one group benchmark of the month, beside --all-stores' reports and the demo's
	for _, folder := range []string{"reports", "rep"} {
		if n := count(folder, `^集团对标-2026-\d\d\.xlsx$`); n != 1 {
			t.Errorf("%s: %d group benchmark workbooks, want 1: %v", folder, n, files[filepath.Join(out, folder)])
		}
	}
	// no two names of a folder are one name to a file system that ignores case
	for folder, names := range files {
		seen := map[string]string{}
		for _, n := range names {
			if prev, ok := seen[strings.ToLower(n)]; ok {
				t.Errorf("%s: %s and %s are one file where case is ignored", folder, prev, n)
			}
			seen[strings.ToLower(n)] = n
		}
	}
	// report --all-stores (a worker per processor) writes each store's report as --store does
	if got, want := sheetsOf(t, filepath.Join(out, "rep", "月报-上海店-2026-09.xlsx")), sheetsOf(t, filepath.Join(dir, "one.xlsx")); got == "" || got != want {
		t.Error("report --all-stores: 上海店's workbook differs from --store's")
	}
	// every link of the index opens a page that exists, and each store's page is its own
	index, err := os.ReadFile(filepath.Join(out, "dash", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	links := 0
	for _, m := range regexp.MustCompile(`href="([^"#]+)"`).FindAllStringSubmatch(string(index), -1) {
		name, err := url.PathUnescape(m[1])
		if err != nil || strings.Contains(m[1], "/") {
			t.Errorf("link %q", m[1])
			continue
		}
		if _, err := os.Stat(filepath.Join(out, "dash", name)); err != nil {
			t.Errorf("link %q: %v", m[1], err)
		}
		links++
	}
	if links < 10 {
		t.Errorf("%d links in the index", links)
	}
	for _, id := range append(slices.Collect(maps.Values(ids)), "S004") {
		pages, _ := filepath.Glob(filepath.Join(out, "dash", "store-*-2026-09.html"))
		found := 0
		for _, p := range pages {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), "<title>"+id) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("store %q: %d pages titled with it, want 1", id, found)
		}
	}
}

// TestSortExports: a folder's files in name order, each browser copy ("NAME (1)") after the file it
// copies, numerically — a re-export downloaded again is ingested after the first, and wins.
func TestSortExports(t *testing.T) {
	got := []string{"d/工单 (10).csv", "d/工单 (2).csv", "d/工单_2026-09.csv", "d/工单 (1).csv", "d/工单.csv", "d/sub/a.csv", "d/工单(1).xlsx", "d/工单.xlsx", "d/a (x).csv"}
	sortExports(got)
	want := []string{"d/a (x).csv", "d/sub/a.csv", "d/工单.csv", "d/工单 (1).csv", "d/工单 (2).csv", "d/工单 (10).csv", "d/工单.xlsx", "d/工单(1).xlsx", "d/工单_2026-09.csv"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// A folder named through a symbolic link is walked where it points, its files named under the
// link; a link to a folder inside a folder is named as left aside, not offered as a file (which
// would be rejected whole and fail the run), and a link to a file is read like the file.
func TestExpandPathsSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "nas", "dms")
	other := filepath.Join(dir, "other")
	for _, d := range []string{real, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(real, "工单.csv"), []byte("x\n"), 0o644)
	os.WriteFile(filepath.Join(other, "配件.csv"), []byte("x\n"), 0o644)
	link := filepath.Join(dir, "exports")
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	os.Symlink(other, filepath.Join(real, "上月"))
	os.Symlink(filepath.Join(other, "配件.csv"), filepath.Join(real, "配件.csv"))
	for _, arg := range []string{link, link + string(filepath.Separator)} {
		files, aside, err := expandPaths([]string{arg})
		if err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		want := []string{filepath.Join(link, "工单.csv"), filepath.Join(link, "配件.csv")}
		slices.Sort(files)
		slices.Sort(want)
		if !slices.Equal(files, want) {
			t.Errorf("%s: files %q, want %q", arg, files, want)
		}
		if len(aside) != 1 || aside[0].path != filepath.Join(link, "上月") || !aside[0].dirLink {
			t.Errorf("%s: aside %+v, want the link to a folder 上月", arg, aside)
		}
	}
}
