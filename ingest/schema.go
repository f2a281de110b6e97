package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/internal/msg"
)

// SchemaVersion changes whenever a raw or manifest table changes shape; a database of
// another version is rebuilt from the lake (DESIGN: a schema change is a rebuild).
const SchemaVersion = "2"

// SQLType is the DuckDB type of the column in raw_<kind>.
func (c *Column) SQLType() string { return sqlType(c) }

func sqlType(c *Column) string {
	switch c.Type {
	case Int:
		return "BIGINT"
	case Decimal:
		return fmt.Sprintf("DECIMAL(18,%d)", c.Scale)
	case Timestamp:
		return "TIMESTAMP"
	case Bool:
		return "BOOLEAN"
	}
	return "VARCHAR"
}

// RawDDL is the CREATE TABLE of raw_<kind>: the canonical columns, the lineage
// (file_id, row_number) and the natural key as primary key.
func (k *Kind) RawDDL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS raw_%s (\n", k.Name)
	for _, c := range k.Columns {
		nn := ""
		if c.Required {
			nn = " NOT NULL"
		}
		fmt.Fprintf(&b, "  %s %s%s%s,\n", c.Name, sqlType(&c), compression(&c), nn)
	}
	// No PRIMARY KEY: the upsert deletes the file's keys and inserts (an ART index makes every
	// insert and checkpoint slower; uniqueness is a data test of stg_ models instead).
	fmt.Fprintf(&b, "  file_id BIGINT NOT NULL,\n  row_number BIGINT NOT NULL\n)")
	return b.String()
}

// compression names the storage of a text column in raw_<kind>. Left to itself, DuckDB analyses
// every text segment for both a dictionary and FSST and keeps the smaller; the declaration already
// says which one wins (the choices it made at scale S, and the same database size), and skipping
// the other analysis makes the load ≈ 25 % cheaper in CPU. `USING COMPRESSION` is DuckDB's own
// column option; another engine would drop it — the lake, not this cache, is the truth.
func compression(c *Column) string {
	if sqlType(c) != "VARCHAR" {
		return "" // numbers and timestamps: bit-packing or RLE, DuckDB's choice is cheap
	}
	if c.Distinct {
		return " USING COMPRESSION fsst"
	}
	return " USING COMPRESSION dictionary"
}

// TransformDirtyDDL creates transform_dirty: per store, the earliest instant an incremental
// transform must recompute from besides the rows of newly loaded files — rows an ingest replaced
// (their old values), a payroll month closed or reopened (the whole store). Emptied by the
// transform that consumes it.
const TransformDirtyDDL = `CREATE TABLE IF NOT EXISTS transform_dirty (store_id VARCHAR NOT NULL, since TIMESTAMP NOT NULL, reason VARCHAR)`

const manifestDDL = `
CREATE TABLE IF NOT EXISTS aftersales_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS ingest_files (
  file_id BIGINT PRIMARY KEY,
  path VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  kind VARCHAR,
  store_id VARCHAR,
  status VARCHAR NOT NULL,          -- loaded | rejected | duplicate
  rows_read BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  rows_skipped BIGINT NOT NULL,
  message VARCHAR,
  ingested_at TIMESTAMP NOT NULL,
  format VARCHAR,
  encoding VARCHAR,
  sheet VARCHAR,
  lake_files VARCHAR[]
);
` + TransformDirtyDDL + `;
` + keyBoundsDDL + `;
CREATE TABLE IF NOT EXISTS ingest_rejects (
  file_id BIGINT NOT NULL,
  path VARCHAR NOT NULL,
  sheet VARCHAR,
  row_number BIGINT,
  column_name VARCHAR,
  raw_value VARCHAR,
  reason VARCHAR NOT NULL
);
`

// EnsureSchema creates the manifest and raw tables if absent and checks the schema version.
func EnsureSchema(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, manifestDDL); err != nil {
		return fmt.Errorf("creating the manifest tables: %w", err)
	}
	for _, k := range Kinds() {
		if _, err := db.ExecContext(ctx, k.RawDDL()); err != nil {
			return fmt.Errorf("creating raw_%s: %w", k.Name, err)
		}
	}
	var v sql.NullString
	err := db.QueryRowContext(ctx, `SELECT value FROM aftersales_meta WHERE key = 'schema_version'`).Scan(&v)
	if err == sql.ErrNoRows {
		_, err = db.ExecContext(ctx, `INSERT INTO aftersales_meta VALUES ('schema_version', ?)`, SchemaVersion)
		return err
	}
	if err != nil {
		return err
	}
	if v.String != SchemaVersion {
		return msg.Errorf("the database has schema version %s, this aftersales needs %s: run `aftersales rebuild` to recreate it from the lake", v.String, SchemaVersion)
	}
	return nil
}
