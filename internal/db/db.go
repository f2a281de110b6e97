// Package db opens the DuckDB database the way every verb needs it: the session time zone
// set to UTC (timestamps are zone-less store-local times; see NOTES.md on Parquet's
// isAdjustedToUTC), and a clear message when another process holds the file.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/marcboeker/go-duckdb/v2"
)

// Open opens (creating when writable) the database file. readOnly opens it with
// access_mode=read_only, so a query can never change data.
func Open(path string, readOnly bool) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("no database given: use --db FILE or set AFTERSALES_DB")
	}
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("database %s does not exist yet: run `aftersales ingest --db %s FILES` first", path, path)
		}
	} else if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the folder of database %s: %w", path, err)
		}
	}
	dsn := path
	if readOnly {
		dsn += "?access_mode=read_only"
	}
	conn, err := duckdb.NewConnector(dsn, initConn)
	if err != nil {
		return nil, Explain(path, err)
	}
	d := sql.OpenDB(conn)
	if err := d.Ping(); err != nil {
		d.Close()
		return nil, Explain(path, err)
	}
	return d, nil
}

// MemoryLimit is DuckDB's memory limit for every connection (it spills to disk beyond it):
// $AFTERSALES_MEMORY_LIMIT, default 1GB, which keeps a run at scale S under 2 GB of RSS.
func MemoryLimit() string {
	if v := os.Getenv("AFTERSALES_MEMORY_LIMIT"); v != "" {
		return v
	}
	return "1GB"
}

func initConn(ex driver.ExecerContext) error {
	for _, s := range []string{"SET TimeZone='UTC'", "SET memory_limit='" + strings.ReplaceAll(MemoryLimit(), "'", "") + "'"} {
		if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
			return err
		}
	}
	return nil
}

// OpenMemory opens an in-memory database (tests, scratch work) with the same session settings.
func OpenMemory() (*sql.DB, error) {
	conn, err := duckdb.NewConnector("", initConn)
	if err != nil {
		return nil, err
	}
	d := sql.OpenDB(conn)
	return d, d.Ping()
}

var pidRe = regexp.MustCompile(`PID (\d+)`)

// Explain turns known engine failures into messages that say what to do.
func Explain(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock"):
		who := "another process"
		if m := pidRe.FindStringSubmatch(msg); m != nil {
			who = "process " + m[1]
			if cmd, e := os.ReadFile("/proc/" + m[1] + "/cmdline"); e == nil {
				who += " (" + strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " ")) + ")"
			}
		}
		return fmt.Errorf("database %s is in use by %s: is another aftersales running? Wait for it to finish and try again. (%v)", path, who, err)
	case strings.Contains(msg, "WAL") || strings.Contains(msg, "Corrupt") || strings.Contains(msg, "corrupt") ||
		strings.Contains(msg, "not a valid DuckDB database") || strings.Contains(msg, "Serialization"):
		return fmt.Errorf("database %s cannot be opened (%v): it may be damaged; run `aftersales rebuild --db %s` to recreate it from the lake", path, err, path)
	}
	return fmt.Errorf("opening database %s: %w", path, err)
}

// Quote quotes a string literal for SQL text (paths in read_parquet lists).
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ScanAll reads every row of a result as values of the driver's types.
func ScanAll(rows *sql.Rows) ([]string, [][]any, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		out = append(out, vals)
	}
	return cols, out, rows.Err()
}
