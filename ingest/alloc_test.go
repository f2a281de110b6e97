package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/gen"
)

// The lake written with pooled buffers, poisoned when handed out and when released, equals byte
// for byte the lake written with zeroed buffers that are never reused (what Arrow's Go allocator
// does). So no Parquet encoder or reader reads memory it did not write, or a buffer after
// releasing it. Two workers prepare files at once, as ingest does, twice over so that the second
// round reuses the first's buffers; record batches of 500 rows make several flushes into one row
// group; the Parquet input (70,000 rows in row groups of 25,000) is read in several batches.
// The lake's column slices, reused from batch to batch and from file to file, are poisoned too
// before reuse. It fails when Reallocate does not copy, when a buffer is handed out twice, when
// the Parquet input reader takes its batches from the pool, and when a batch's columns are
// reused before pqarrow has encoded them.
func TestPooledLakeEqualsPlain(t *testing.T) {
	in := t.TempDir()
	if _, err := gen.Run(gen.Options{Stores: 2, Months: 2, Seed: 5, Out: in, MinOrders: 700, MaxOrders: 900, Parts: 300, Dirty: true}); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	pq := filepath.Join(in, "S001", "parts_export.parquet")
	if _, err := e.db.Exec(fmt.Sprintf(`COPY (SELECT 'S001' AS store_id, printf('Q%%06d', i) AS part_no, 'part ' || i AS part_name,
			(i %% 1000 + 1) / 4 AS unit_cost FROM range(70000) t(i)) TO %s (FORMAT parquet, ROW_GROUP_SIZE 25000)`, db.Quote(pq))); err != nil {
		t.Fatal(err)
	}
	var paths []string
	filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	paths = append(paths, fixture("gbk_work_orders.csv"), fixture("title_serial.xlsx"), fixture("merged_header.xlsx"))

	defer func(n int) { batchRows, lakeAlloc.plain, lakeAlloc.poison = n, false, false }(batchRows)
	batchRows = 500
	write := func(lake string, workers int) {
		ing := &Ingester{Opts: Options{Lake: lake}}
		var wg sync.WaitGroup
		next := make(chan string)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range next {
					if _, err := ing.prepare(context.Background(), p, loadedContents{}); err != nil {
						t.Error(p, err)
					}
				}
			}()
		}
		for _, p := range paths {
			next <- p
		}
		close(next)
		wg.Wait()
	}
	lakeAlloc.plain = true
	want := t.TempDir()
	write(want, 1)
	lakeAlloc.plain, lakeAlloc.poison = false, true
	for round := range 2 {
		got := t.TempDir()
		write(got, 2)
		n := 0
		filepath.WalkDir(want, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			n++
			rel, _ := filepath.Rel(want, p)
			a, _ := os.ReadFile(p)
			b, err := os.ReadFile(filepath.Join(got, rel))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("round %d: %s differs from the plain allocator's (%d vs %d bytes, %v)", round, rel, len(a), len(b), err)
			}
			return nil
		})
		if n < 25 {
			t.Fatalf("only %d lake files written", n)
		}
	}
}
