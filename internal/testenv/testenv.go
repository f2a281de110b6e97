// Package testenv builds small, complete databases for tests: sample exports made by gen,
// ingested into an in-memory DuckDB with a temporary lake, and transformed.
package testenv

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/gen"
	"github.com/aftersales/aftersales/transform"
)

// Sample makes stores × months of small sample data (120–150 orders a month, 60 parts),
// ingests it and returns the open database. before, when set, runs between ingest and
// transform (to plant hostile values, say).
func Sample(t testing.TB, stores, months int, before func(d *sql.DB)) *sql.DB {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if _, err := gen.Run(gen.Options{Stores: stores, Months: months, Seed: 3, Out: in, MinOrders: 120, MaxOrders: 150, Parts: 60, Dirty: true}); err != nil {
		t.Fatal(err)
	}
	d := Empty(t)
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
	return d
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
