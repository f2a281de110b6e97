package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/db"
)

// TestStatus: status says what the database holds and whether the KPIs are current, at each
// step of a month's work.
func TestStatus(t *testing.T) {
	dir := t.TempDir()
	if r := runBin(t, dir, "status", "--db", filepath.Join(dir, "none.duckdb")); r.code != 1 || !strings.Contains(r.stderr, "no database at") {
		t.Errorf("no database: exit %d %s", r.code, r.stderr)
	}
	in, dbf := ingestedSample(t, dir, 2, 2)
	status := func(want ...string) {
		t.Helper()
		r := runBin(t, dir, "status", "--db", dbf)
		if r.code != 0 {
			t.Fatalf("status: %d %s", r.code, r.stderr)
		}
		for _, w := range want {
			if !regexp.MustCompile(w).MatchString(r.stdout) {
				t.Errorf("no %q in\n%s", w, r.stdout)
			}
		}
	}
	status(`stores +2: S001 … S002`, `work orders +opened 2026-09 … 2026-10-3\d`, `latest month +2026-10: every store's data reaches its last day`, `files +\d+ loaded, 0 rejected whole, 0 duplicates`,
		`transform +none yet: run .aftersales transform.`, `payroll closed +no month`)
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	status(`transform +run 1 at .* \(full rebuild \(first run\)\), \d+ data tests passed`, `the KPIs hold every file loaded`, `data quality +\d+ warnings`,
		`settings +the built-in defaults \(what the last transform used\)`)
	// a settings file edited after the transform: the marts do not hold it yet; one that cannot
	// be read is named with its problem; --config names another
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "data", "settings.yaml"), []byte("defaults:\n  comeback_window_days: 30\n"), 0o644)
	status(`settings +data/settings.yaml \(what the last transform used\)`)
	os.WriteFile(filepath.Join(dir, "data", "settings.yaml"), []byte("defaults:\n  comeback_window_days: 45\n"), 0o644)
	status(`settings +data/settings.yaml: changed since the last transform; run .aftersales transform. \(it recomputes every mart\)`)
	os.WriteFile(filepath.Join(dir, "data", "settings.yaml"), []byte("defaults:\n  comeback_windw_days: 30\n"), 0o644)
	status(`settings +settings data/settings.yaml: line 2: comeback_windw_days is not one of the settings`)
	if r := runBin(t, dir, "status", "--db", dbf, "--config", "none.yaml"); !regexp.MustCompile(`settings +.*none.yaml`).MatchString(r.stdout) {
		t.Errorf("status --config none.yaml:\n%s", r.stdout)
	}
	os.Remove(filepath.Join(dir, "data", "settings.yaml"))
	// what the run recomputed, in status's language rather than the run's (the run was in English)
	if r := runBinLang(t, "zh", dir, "status", "--db", dbf); !regexp.MustCompile(`指标计算 +第 1 次，.*（全量重算（首次运行））`).MatchString(r.stdout) {
		t.Errorf("status in Chinese after a transform in English:\n%s", r.stdout)
	}
	if r := runBin(t, dir, "payroll", "--db", dbf, "--store", "S002", "--month", "2026-09", "--close", "--reason", "ok"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(in, "S001", "callbacks_2026-10.csv"))
	if r := runBin(t, dir, "status", "--db", dbf); strings.Contains(r.stdout, "have a note") {
		t.Errorf("a note on the generated files:\n%s", r.stdout)
	}
	// a re-export whose last row is there twice: a note on its file
	lines := strings.Split(strings.TrimRight(string(b), "\r\n"), "\n")
	fixed := filepath.Join(dir, "fixed.csv")
	os.WriteFile(fixed, []byte(strings.Join(append(lines, lines[len(lines)-1]), "\n")+"\n"), 0o644)
	// (--quiet still shows a file with a note, and the totals count it)
	if r := runBin(t, dir, "ingest", "--db", dbf, "-q", fixed); r.code != 0 {
		t.Fatal(r.stderr)
	} else if !strings.Contains(r.stdout, "1 row(s) repeat the key of an earlier row of this file") || !strings.Contains(r.stdout, "; 1 file(s) with a note (see its line)") {
		t.Errorf("ingest -q of a file with a note:\n%s", r.stdout)
	} else if m := regexp.MustCompile(`loaded (\d+), .*\n(?:.*\n)*? +replaced (\d+) row\(s\) loaded before with the same key \(a key keeps its latest row\): (\d+) of \S*callbacks_2026-10\.csv \(file_id \d+\)\n(?:.*\n)*.*; (\d+) of the rows loaded replaced rows loaded before`).FindStringSubmatch(r.stdout); m == nil {
		t.Errorf("ingest -q of a re-export: no line of the rows it replaced:\n%s", r.stdout)
	} else if loaded, _ := strconv.Atoi(m[1]); m[2] != strconv.Itoa(loaded-1) || m[3] != m[2] || m[4] != m[2] {
		// every row of the export, but the one it holds twice, replaced the row of its key
		t.Errorf("ingest -q of a re-export: loaded %s, replaced %s, %s of the export, %s in all:\n%s", m[1], m[2], m[3], m[4], r.stdout)
	}
	d, err := db.Open(dbf, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`DELETE FROM raw_work_orders WHERE store_id = 'S002' AND opened_at >= TIMESTAMP '2026-10-20'`); err != nil {
		t.Fatal(err)
	}
	// as a transform by a version before transform_runs.summary_json left it: its message is shown
	if _, err := d.Exec(`ALTER TABLE transform_runs DROP COLUMN summary_json`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	status(`transform +run 1 at .* \(full rebuild \(first run\)\), \d+ data tests passed`,
		`latest month +2026-10: the data of 1 store\(s\) reaches its last day, not yet of: S002 \(to 2026-10-19 \d\d:\d\d\)`,
		`payroll closed +S002 2026-09`, `\n +1 loaded file\(s\) have a note \(columns or sheets not read, headers or keys repeated\): aftersales query ingest_summary\n`, `not in the KPIs +1 file\(s\) loaded since \(`+regexp.QuoteMeta(fixed)+`…\): run .aftersales transform.`)
}
