// Package testenv builds small, complete databases for tests: sample exports made by gen,
// ingested into an in-memory DuckDB with a temporary lake, and transformed.
package testenv

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/gen"
	"github.com/aftersales/aftersales/transform"
)

// Sample makes stores × months of small sample data (120–150 orders a month, 60 parts),
// ingests it and returns the open database. before, when set, runs between ingest and
// transform (to plant hostile values, say). Without before, the database is Shared's.
func Sample(t testing.TB, stores, months int, before func(d *sql.DB)) *sql.DB {
	t.Helper()
	if before == nil {
		return Shared(t, "", stores, months, nil)
	}
	d := Empty(t)
	build(t, d, t.TempDir(), stores, months, before)
	return d
}

// build makes the sample data in dir, ingests it into d and transforms it (Sample).
func build(t testing.TB, d *sql.DB, dir string, stores, months int, before func(d *sql.DB)) {
	t.Helper()
	in := filepath.Join(dir, "in")
	if _, err := gen.Run(gen.Options{Stores: stores, Months: months, Seed: 3, Out: in, MinOrders: 120, MaxOrders: 150, Parts: 60, Dirty: true}); err != nil {
		t.Fatal(err)
	}
	ing := &ingest.Ingester{DB: d, Opts: ingest.Options{Lake: filepath.Join(dir, "lake")}}
	files, _ := filepath.Glob(filepath.Join(in, "*", "*"))
	files = append(files, filepath.Join(in, "stores.xlsx"))
	for _, f := range files {
		if _, err := ing.File(t.Context(), f); err != nil {
			t.Fatal(err)
		}
	}
	if before != nil {
		before(d)
	}
	if _, err := (&transform.Runner{DB: d, Config: transform.DefaultConfig()}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// shared holds the databases Shared built in this test binary, by name, stores and months.
var shared struct {
	mu    sync.Mutex
	main  bool // Main runs the tests
	dir   string
	built map[string]string // key → database file
}

// Shared is Sample's database for tests that take the same data: built once per test binary
// (the first test to ask waits ≈ 1.5–2 s; a package's tests asked for it ≈ 25 times) and copied
// for each test, which may change its copy. name names before, which must do the same each time
// ("" with before nil). A package that calls it runs Main from its TestMain, which removes the
// files after its tests.
func Shared(t testing.TB, name string, stores, months int, before func(d *sql.DB)) *sql.DB {
	t.Helper()
	if (name == "") != (before == nil) {
		t.Fatal("testenv.Shared: a before needs a name, and a name a before")
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.main {
		t.Fatal("testenv.Shared: the package's TestMain must run testenv.Main, which removes the shared databases")
	}
	key := fmt.Sprintf("%s %d×%d", name, stores, months)
	src, ok := shared.built[key]
	if !ok {
		if shared.dir == "" {
			dir, err := os.MkdirTemp("", "aftersales-testenv-")
			if err != nil {
				t.Fatal(err)
			}
			shared.dir, shared.built = dir, map[string]string{}
		}
		dir := filepath.Join(shared.dir, strconv.Itoa(len(shared.built)))
		src = filepath.Join(dir, "a.duckdb")
		d, err := db.Open(src, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := ingest.EnsureSchema(t.Context(), d); err != nil {
			d.Close()
			t.Fatal(err)
		}
		build(t, d, dir, stores, months, before)
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		shared.built[key] = src
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(t.TempDir(), "a.duckdb")
	if err := os.WriteFile(copied, b, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(copied, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Main runs a package's tests (from its TestMain) and then removes Shared's databases.
func Main(m *testing.M) int {
	shared.main = true
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	return code
}

// Empty returns an in-memory database with the ingest schema and no rows, closed when the test ends.
func Empty(t testing.TB) *sql.DB {
	t.Helper()
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := ingest.EnsureSchema(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// RawTables lists the raw tables that carry store_id.
var RawTables = []string{"stores", "technicians", "attendance", "work_orders", "order_jobs", "parts", "parts_movements", "callbacks"}

// RenameStore gives store from the id to in every raw table (for ids the generator never makes:
// Chinese, hostile, with a path in them).
func RenameStore(t testing.TB, d *sql.DB, from, to string) {
	t.Helper()
	for _, tb := range RawTables {
		if _, err := d.Exec(`UPDATE raw_`+tb+` SET store_id = ? WHERE store_id = ?`, to, from); err != nil {
			t.Fatal(err)
		}
	}
}

// CutOrders deletes the work orders opened at or after at ("2026-10-16 00:00"): the data then
// stops short of the month's end, as when its last exports are not loaded yet.
func CutOrders(t testing.TB, at string) func(d *sql.DB) {
	return func(d *sql.DB) {
		if _, err := d.Exec(`DELETE FROM raw_work_orders WHERE opened_at >= CAST(? AS TIMESTAMP)`, at); err != nil {
			t.Fatal(err)
		}
	}
}
