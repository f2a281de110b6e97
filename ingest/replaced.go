package ingest

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
)

// What a loaded file replaced of the rows loaded before it, file by file: the lines
// `aftersales ingest` prints under a file, so that a corrected re-export, an overlap between
// two exports or a file loaded in the wrong order shows where it happens.

// Replaced is what a loaded file replaced of the rows loaded before it: the rows of one
// earlier file (or of an earlier load of the same content, with --reload) whose natural keys
// it carries — a corrected re-export, or the next export of orders still open at the last one.
type Replaced struct {
	FileID int64
	Path   string
	Rows   int
	// Backward: of the Rows, work orders whose status the file puts back — delivered to
	// completed or open, completed to open. The mark of an older export loaded after a newer
	// one (counted against rows loaded before the batch only, not between files of one batch).
	Backward int
	// InCall (ingest --check): the rows are those of a file checked earlier in the same call
	// (FileID 0: nothing has one)
	InCall bool
}

// nameReplaced gives the files of a batch their Replaced: byNew holds, for a file of the batch,
// what it replaced (Rows, Backward) by the file_id that had loaded it (deleteReplaced).
func nameReplaced(ctx context.Context, tx querier, results []*Result, byNew map[int64]map[int64]Replaced) error {
	var ids []string
	for _, olds := range byNew {
		for f := range olds {
			ids = append(ids, strconv.FormatInt(f, 10))
		}
	}
	names := map[int64]string{}
	rows, err := tx.QueryContext(ctx, `SELECT file_id, path FROM ingest_files WHERE file_id IN (`+strings.Join(ids, ", ")+`)`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return err
		}
		names[id] = path
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range results {
		for f, rp := range byNew[r.FileID] {
			rp.FileID, rp.Path = f, names[f]
			r.Replaced = append(r.Replaced, rp)
		}
	}
	return nil
}

// overlapsInBatch adds to Replaced the rows of a file that a later file of the same batch
// replaced (the later file wins a key two files share: upsertSQL's dedupe): each file holding a
// key replaced the row of the one before it that holds it. sorted holds the batch's key hashes,
// sorted, and has a repeat; a key repeated within one file only is that file's own note
// (notes.go), not a replacement.
func overlapsInBatch(results []*Result, sorted []uint64) {
	occ := map[uint64][]int{} // a repeated key → the results holding it, in order
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			occ[sorted[i]] = nil
		}
	}
	for i, r := range results {
		for _, h := range r.keyHashes {
			if l, ok := occ[h]; ok && (len(l) == 0 || l[len(l)-1] != i) {
				occ[h] = append(l, i)
			}
		}
	}
	counts := map[[2]int]int{} // (result, the one it replaced) → rows
	for _, l := range occ {
		for k := 1; k < len(l); k++ {
			counts[[2]int{l[k], l[k-1]}]++
		}
	}
	for wj, n := range counts {
		e := results[wj[1]]
		results[wj[0]].Replaced = append(results[wj[0]].Replaced, Replaced{FileID: e.FileID, Path: e.Path, Rows: n})
	}
}

// sortReplaced puts each file's Replaced largest first, in an order that is the same every run.
func sortReplaced(results []*Result) {
	for _, r := range results {
		slices.SortFunc(r.Replaced, func(a, b Replaced) int {
			// (the path last: rows of files checked earlier in the call have no file_id)
			return cmp.Or(cmp.Compare(b.Rows, a.Rows), cmp.Compare(a.FileID, b.FileID), cmp.Compare(a.Path, b.Path))
		})
	}
}
