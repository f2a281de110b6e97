package transform

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/filename"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
)

// Closing a payroll month (CONTRACT §2.1): its rows are copied to payroll_closed_rows and never
// change again, whatever is ingested later. The transform keeps recomputing the month from the
// current data; where the recomputed pay differs from the closed pay, payroll_differences says
// per technician what changed, and payroll_adjustments proposes a line in the next open month.
// Closed snapshots and the close/reopen events are also written to the lake
// (<lake>/_payroll/<store>/<month>.json) so that `aftersales rebuild` restores them.

const eventsDDL = `CREATE TABLE IF NOT EXISTS payroll_events (
    store_id VARCHAR, month VARCHAR, action VARCHAR, event_at TIMESTAMP, reason VARCHAR)`

// EnsurePayrollTables creates the tables that hold closed months and their events.
func EnsurePayrollTables(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	for _, s := range []string{closedDDL, eventsDDL} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// IsClosed reports whether a store-month is closed.
func IsClosed(ctx context.Context, db *sql.DB, store, month string) (bool, error) {
	if err := EnsurePayrollTables(ctx, db); err != nil {
		return false, err
	}
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM payroll_closed_rows WHERE store_id = ? AND month = ?`, store, month).Scan(&n)
	return n > 0, err
}

type closedSnapshot struct {
	Store  string              `json:"store_id"`
	Month  string              `json:"month"`
	Rows   []map[string]string `json:"rows"`
	Events []map[string]string `json:"events"`
}

// snapshotPath is a closed month's snapshot in the lake: one folder per store, named by
// filename.Part, so that a store id holding "/" or ".." stays inside _payroll (before, such an id
// wrote its snapshot outside the lake, or into a nested folder that RestorePayroll never read),
// and `s001` and `S001` do not share a folder where the file system ignores case.
// For ids of capitals, digits, '-', '_' and Chinese the folder is the id itself, as before.
func snapshotPath(lake, store, month string) string {
	return filepath.Join(lake, "_payroll", filename.Part(store), month+".json")
}

// legacySnapshotPaths are where earlier versions wrote a store-month's snapshot, where that is
// not snapshotPath: the id unescaped when it was one folder inside _payroll, and the id's part
// before ids with lower-case letters were set apart (filename.LegacyPart).
func legacySnapshotPaths(lake, store, month string) []string {
	var out []string
	add := func(dir string) {
		p := filepath.Join(lake, "_payroll", dir, month+".json")
		if p != snapshotPath(lake, store, month) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if !(store == "" || store == "." || store == ".." || strings.ContainsAny(store, `/\`)) {
		add(store)
	}
	add(filename.LegacyPart(store))
	return out
}

// removeLegacySnapshots removes a store-month's snapshots at legacySnapshotPaths once its current
// one is in place (RestorePayroll would read both). Only a snapshot of this store: where the
// file system ignores case, the legacy folder of `s001` is the folder of `S001`.
func removeLegacySnapshots(lake, store, month string) {
	for _, p := range legacySnapshotPaths(lake, store, month) {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var s closedSnapshot
		if json.Unmarshal(b, &s) == nil && s.Store == store && s.Month == month {
			os.Remove(p)
		}
	}
}

// ClosePayroll freezes a store-month's rows as they are in mart_payroll now.
func ClosePayroll(ctx context.Context, db *sql.DB, lake, store, month, reason string, now time.Time) (int, error) {
	if err := EnsurePayrollTables(ctx, db); err != nil {
		return 0, err
	}
	closed, err := IsClosed(ctx, db, store, month)
	if err != nil {
		return 0, err
	}
	if closed {
		return 0, msg.Errorf("payroll %s %s is already closed; use --reopen --reason \"…\" first to change it", store, month)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO payroll_closed_rows BY NAME
		SELECT * EXCLUDE (closed), ?::TIMESTAMP AS closed_at, ? AS reason FROM mart_payroll WHERE store_id = ? AND month = ?`,
		wallTime(now), nullIfEmpty(reason), store, month)
	if err != nil {
		return 0, fmt.Errorf("closing: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, msg.Errorf("no payroll rows for store %s month %s: run `aftersales transform` first, and check the store and month", store, month)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mart_payroll SET closed = true WHERE store_id = ? AND month = ?`, store, month); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO payroll_events VALUES (?, ?, 'close', ?, ?)`, store, month, wallTime(now), nullIfEmpty(reason)); err != nil {
		return 0, err
	}
	if err := markDirty(ctx, tx, store, "payroll "+month+" closed"); err != nil {
		return 0, err
	}
	if err := commitWithSnapshot(ctx, tx, lake, store, month); err != nil {
		return 0, err
	}
	return int(n), nil
}

// markDirty makes the next incremental transform recompute the whole store: closing or
// reopening a month changes which month later corrections of closed months go to.
func markDirty(ctx context.Context, tx *sql.Tx, store, reason string) error {
	if _, err := tx.ExecContext(ctx, ingest.TransformDirtyDDL); err != nil { // a database from before the table
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO transform_dirty VALUES (?, TIMESTAMP '1900-01-01', ?)`, store, reason)
	return err
}

// ReopenPayroll unfreezes a closed month; the reason is required and recorded.
func ReopenPayroll(ctx context.Context, db *sql.DB, lake, store, month, reason string, now time.Time) error {
	if strings.TrimSpace(reason) == "" {
		return msg.Errorf("--reopen needs --reason \"why\": reopening a closed payroll is recorded")
	}
	closed, err := IsClosed(ctx, db, store, month)
	if err != nil {
		return err
	}
	if !closed {
		return msg.Errorf("payroll %s %s is not closed", store, month)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range []string{
		`DELETE FROM payroll_closed_rows WHERE store_id = ? AND month = ?`,
		`UPDATE mart_payroll SET closed = false WHERE store_id = ? AND month = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s, store, month); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO payroll_events VALUES (?, ?, 'reopen', ?, ?)`, store, month, wallTime(now), reason); err != nil {
		return err
	}
	if err := markDirty(ctx, tx, store, "payroll "+month+" reopened"); err != nil {
		return err
	}
	return commitWithSnapshot(ctx, tx, lake, store, month)
}

// commitWithSnapshot commits a close or reopen and puts the store-month's snapshot into the lake
// with it. The snapshot is written (and flushed) beside its place before the commit and moved
// into place after it, so that a commit that fails leaves the lake's snapshot as it was: a
// rebuild must not close (or reopen) a month that the database never did. A run killed between
// the commit and the rename leaves <month>.json.tmp, which `rebuild` names (PendingSnapshots).
func commitWithSnapshot(ctx context.Context, tx *sql.Tx, lake, store, month string) error {
	tmp, err := writeSnapshot(ctx, tx, lake, store, month)
	if err != nil {
		return err
	}
	if testHookPayrollCommit != nil {
		err = testHookPayrollCommit()
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, snapshotPath(lake, store, month)); err != nil {
		return err
	}
	removeLegacySnapshots(lake, store, month)
	return nil
}

// testHookPayrollCommit, when set by a test, runs just before a close or reopen commits; an error
// it returns fails the commit.
var testHookPayrollCommit func() error

// PendingSnapshots lists the snapshots of closes and reopens whose commit was interrupted before
// they were moved into place: whether the database took them is not known from the lake.
func PendingSnapshots(lake string) []string {
	out, _ := filepath.Glob(filepath.Join(lake, "_payroll", "*", "*.json.tmp"))
	sort.Strings(out)
	return out
}

// writeSnapshot writes the closed rows (none after a reopen) and all events of a store-month to
// the snapshot's temporary file, flushed to disk, and returns its path.
func writeSnapshot(ctx context.Context, tx *sql.Tx, lake, store, month string) (string, error) {
	snap := closedSnapshot{Store: store, Month: month}
	var err error
	if snap.Rows, err = textRows(ctx, tx, `SELECT COLUMNS(*)::VARCHAR FROM payroll_closed_rows WHERE store_id = ? AND month = ? ORDER BY tech_id`, store, month); err != nil {
		return "", err
	}
	if snap.Events, err = textRows(ctx, tx, `SELECT COLUMNS(*)::VARCHAR FROM payroll_events WHERE store_id = ? AND month = ? ORDER BY event_at, action`, store, month); err != nil {
		return "", err
	}
	p := snapshotPath(lake, store, month)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(snap, "", " ")
	tmp := p + ".tmp"
	f, err := os.Create(tmp)
	if err == nil {
		if _, err = f.Write(b); err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("writing the payroll snapshot %s: %w", tmp, err)
	}
	return tmp, nil
}

func textRows(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]map[string]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := map[string]string{}
		for i, c := range cols {
			if vals[i].Valid {
				m[c] = vals[i].String
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// RestorePayroll reloads closed months and events from the lake (after a rebuild).
func RestorePayroll(ctx context.Context, db *sql.DB, lake string) (int, error) {
	if err := EnsurePayrollTables(ctx, db); err != nil {
		return 0, err
	}
	files, _ := filepath.Glob(filepath.Join(lake, "_payroll", "*", "*.json"))
	sort.Strings(files)
	// one snapshot per store-month: where an earlier version's copy was left beside the current
	// one (a close interrupted between writing the one and removing the other), the later, whose
	// events are a superset of the earlier's
	latest := map[[2]string]closedSnapshot{}
	var order [][2]string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		var s closedSnapshot
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		k := [2]string{s.Store, s.Month}
		prev, seen := latest[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || len(s.Events) > len(prev.Events) || len(s.Events) == len(prev.Events) && lastEvent(s) > lastEvent(prev) {
			latest[k] = s
		}
	}
	n := 0
	for _, k := range order {
		s := latest[k]
		if err := insertMaps(ctx, db, "payroll_closed_rows", s.Rows); err != nil {
			return n, err
		}
		if err := insertMaps(ctx, db, "payroll_events", s.Events); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// lastEvent is the latest event_at of a snapshot's events (timestamps as text, which sort as time).
func lastEvent(s closedSnapshot) string {
	last := ""
	for _, e := range s.Events {
		last = max(last, e["event_at"])
	}
	return last
}

func insertMaps(ctx context.Context, db *sql.DB, table string, rows []map[string]string) error {
	for _, r := range rows {
		var cols, ph []string
		var args []any
		for k, v := range r {
			cols = append(cols, `"`+k+`"`)
			ph = append(ph, "?")
			args = append(args, v)
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(cols, ", "), strings.Join(ph, ", "))
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("restoring %s: %w", table, err)
		}
	}
	return nil
}

func wallTime(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// frozenRow is what the difference report compares.
type frozenRow struct {
	pay, share, topup, deduction, pool int64
	ratio, points                      string
	comebacks                          int64
}

// writeDifferences compares recomputed rows with closed ones and proposes adjustments for the
// next open month of the store.
func writeDifferences(ctx context.Context, tx *sql.Tx, fresh []*PayrollRow, closed map[[2]string]bool, incremental bool) error {
	if incremental {
		// the window's closed months are compared again below; the others keep their rows (their
		// inputs did not change, and a close or reopen makes the store's next run recompute it all)
		if err := deleteWindow(ctx, tx, "payroll_differences", "month"); err != nil {
			return err
		}
		if err := deleteWindow(ctx, tx, "payroll_adjustments", "source_month"); err != nil {
			return err
		}
	} else {
		for _, s := range []string{
			`CREATE OR REPLACE TABLE payroll_differences (store_id VARCHAR, month VARCHAR, tech_id VARCHAR, tech_name VARCHAR,
				closed_pay DECIMAL(18,2), recomputed_pay DECIMAL(18,2), difference DECIMAL(18,2), why VARCHAR)`,
			`CREATE OR REPLACE TABLE payroll_adjustments (store_id VARCHAR, month VARCHAR, tech_id VARCHAR, amount DECIMAL(18,2),
				source_month VARCHAR, reason VARCHAR)`,
		} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
	}
	if len(closed) == 0 {
		return nil
	}
	frozen := map[[3]string]frozenRow{}
	names := map[[3]string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT store_id, month, tech_id, coalesce(tech_name, ''), (pay*100)::BIGINT, (share*100)::BIGINT, (topup*100)::BIGINT,
		(deduction*100)::BIGINT, (pool*100)::BIGINT, ratio::VARCHAR, points::VARCHAR, comebacks
		FROM (SELECT c.* FROM payroll_closed_rows c JOIN tf_window w ON w.store_id = c.store_id AND c.month >= w.m0)`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k [3]string
		var f frozenRow
		var name string
		if err := rows.Scan(&k[0], &k[1], &k[2], &name, &f.pay, &f.share, &f.topup, &f.deduction, &f.pool, &f.ratio, &f.points, &f.comebacks); err != nil {
			rows.Close()
			return err
		}
		frozen[k], names[k] = f, name
	}
	rows.Close()
	freshBy := map[[3]string]*PayrollRow{}
	for _, r := range fresh {
		if closed[[2]string{r.Store, r.Month}] {
			freshBy[[3]string{r.Store, r.Month, r.Tech}] = r
		}
	}
	keys := map[[3]string]bool{}
	for k := range frozen {
		keys[k] = true
	}
	for k := range freshBy {
		keys[k] = true
	}
	var sorted [][3]string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool { return strings.Join(sorted[i][:], "/") < strings.Join(sorted[j][:], "/") })
	closedMonths := map[string]map[string]bool{}
	for sm := range closed {
		if closedMonths[sm[0]] == nil {
			closedMonths[sm[0]] = map[string]bool{}
		}
		closedMonths[sm[0]][sm[1]] = true
	}
	for _, k := range sorted {
		f, hadFrozen := frozen[k]
		r, hasFresh := freshBy[k]
		var closedPay, newPay int64
		var why []string
		name := names[k]
		switch {
		case hadFrozen && !hasFresh:
			closedPay = f.pay
			why = append(why, "no longer in the payroll with the current data")
		case !hadFrozen && hasFresh:
			newPay, name = r.Pay, r.TechName
			why = append(why, "not in the closed payroll")
		default:
			closedPay, newPay = f.pay, r.Pay
			if name == "" {
				name = r.TechName
			}
			if f.pool != r.Pool {
				why = append(why, fmt.Sprintf("pool %s → %s", fen(f.pool), fen(r.Pool)))
			}
			if rr := ratText(r.Ratio, 10); rr != f.ratio {
				why = append(why, fmt.Sprintf("attendance ratio %s → %s", trimZeros(f.ratio), trimZeros(rr.(string))))
			}
			if pp := ratText(r.Points, 10); pp != f.points && ratText(r.Ratio, 10) == f.ratio {
				why = append(why, fmt.Sprintf("points %s → %s", trimZeros(f.points), trimZeros(pp.(string))))
			}
			if f.share != r.Share {
				why = append(why, fmt.Sprintf("share %s → %s", fen(f.share), fen(r.Share)))
			}
			if f.topup != r.Topup {
				why = append(why, fmt.Sprintf("top-up %s → %s", fen(f.topup), fen(r.Topup)))
			}
			if f.comebacks != r.Comebacks {
				why = append(why, fmt.Sprintf("comebacks %d → %d", f.comebacks, r.Comebacks))
			}
		}
		if closedPay == newPay {
			continue
		}
		// (workbook.Why translates these items for the Chinese workbook: keep the two in step)
		reason := strings.Join(why, "; ")
		if _, err := tx.ExecContext(ctx, `INSERT INTO payroll_differences VALUES (?, ?, ?, ?, ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?)`,
			k[0], k[1], k[2], name, fen(closedPay), fen(newPay), fen(newPay-closedPay), reason); err != nil {
			return err
		}
		next := nextOpenMonth(k[1], closedMonths[k[0]])
		if _, err := tx.ExecContext(ctx, `INSERT INTO payroll_adjustments VALUES (?, ?, ?, ?::DECIMAL(18,2), ?, ?)`,
			k[0], next, k[2], fen(newPay-closedPay), k[1], "correction of closed payroll "+k[1]+": "+reason); err != nil {
			return err
		}
	}
	return nil
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func nextOpenMonth(month string, closed map[string]bool) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	for {
		t = t.AddDate(0, 1, 0)
		m := t.Format("2006-01")
		if !closed[m] {
			return m
		}
	}
}

// CloseReadiness says what speaks against closing a store-month now (`payroll --close` asks it
// first). stale: exports of the store loaded, or one of its months reopened, since the last
// successful transform, so that mart_payroll does not hold them yet — closing would freeze the pay
// as it was before them. incomplete: the loaded data does not reach the month's end — no work
// order of the store opened, completed or delivered on or after the month's last day, or no
// attendance of the month loaded — so a month closed now is likely to be missing exports. (Not
// the contract's as-of, the latest opened_at, alone: a store that opened no order on the last day
// of a month, a Sunday or a holiday, but delivered one, has an export taken after it; a store with
// nothing at all on that day still needs --force.) Each is "" when nothing speaks against it,
// else said in lang (msg.ZH or msg.EN).
func CloseReadiness(ctx context.Context, db *sql.DB, store, month, lang string) (stale, incomplete string, err error) {
	n, first, ran, err := LoadedSinceLastRun(ctx, db, store)
	switch {
	case err != nil:
		return "", "", err
	case !ran:
		return msg.T(lang, "no transform has run on this database yet"), "", nil
	case n > 1:
		stale = msg.T(lang, "%d file(s) of store %s were loaded since the last transform (%s and others)", n, store, first)
	case n > 0:
		stale = msg.T(lang, "%d file(s) of store %s were loaded since the last transform (%s)", n, store, first)
	default:
		var reason string
		// (a close marks the store too, for the next run's window: it changes no pay)
		if db.QueryRowContext(ctx, `SELECT reason FROM transform_dirty WHERE store_id = ? AND coalesce(reason, '') NOT LIKE 'payroll % closed'
			ORDER BY since LIMIT 1`, store).Scan(&reason) == nil {
			stale = msg.T(lang, "store %s changed since the last transform (%s)", store, reason)
		}
	}
	lastDay, err := parse.MonthLastDay(month)
	if err != nil {
		return "", "", err
	}
	var latest sql.NullTime
	// (greatest skips NULLs: a store whose orders were never completed has its opened_at)
	if err := db.QueryRowContext(ctx, `SELECT greatest(max(opened_at), max(completed_at), max(delivered_at))
		FROM raw_work_orders WHERE store_id = ?`, store).Scan(&latest); err != nil {
		return "", "", err
	}
	var att int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM raw_attendance WHERE store_id = ? AND month = ?`, store, month).Scan(&att); err != nil {
		return "", "", err
	}
	switch {
	case !latest.Valid:
		incomplete = msg.T(lang, "no work order of store %s is loaded", store)
	case latest.Time.Before(lastDay):
		incomplete = msg.T(lang, "the work orders of store %s reach only %s (opened, completed or delivered), before the last day of %s (%s)",
			store, latest.Time.Format("2006-01-02 15:04"), month, lastDay.Format("2006-01-02"))
	case att == 0:
		incomplete = msg.T(lang, "no attendance of store %s for %s is loaded", store, month)
	}
	return stale, incomplete, nil
}

// LoadedSinceLastRun counts the files loaded since the last successful transform, whose rows the
// marts do not hold yet — those of store and those of no one store (stores.xlsx), or every file
// when store is "" — and names the first. ran is false when no transform has run.
func LoadedSinceLastRun(ctx context.Context, db *sql.DB, store string) (n int, first string, ran bool, err error) {
	var hw sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT high_water FROM transform_runs WHERE status = 'ok' ORDER BY run_id DESC LIMIT 1`).Scan(&hw)
	switch {
	case err == sql.ErrNoRows || err != nil && strings.Contains(err.Error(), "does not exist"):
		return 0, "", false, nil
	case err != nil:
		return 0, "", false, err
	case !hw.Valid:
		return 0, "", true, nil // a run of a version that kept no high-water mark: not known
	}
	var f sql.NullString
	err = db.QueryRowContext(ctx, `SELECT count(*), arg_min(path, file_id) FROM ingest_files
		WHERE status = 'loaded' AND rows_loaded > 0 AND file_id > ?
		  AND (? = '' OR store_id = ? OR coalesce(store_id, '') = '')`, hw.Int64, store, store).Scan(&n, &f)
	return n, f.String, true, err
}
