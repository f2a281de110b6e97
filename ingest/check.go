package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ingest --check: the files are read and checked one after another, nothing is loaded, and each
// file's line says what loading it would do — its rows loaded, rejected and skipped, and the rows
// it would replace — as loading the same files as one batch would, by the load's own means:
//   - the rows of a file checked before it in the call: overlapsInBatch over the call's key
//     hashes (the later file wins a key);
//   - with a database, the rows loaded before: the load's query (upsertSQL's replaced, by kind)
//     over the call's rows written to a temporary lake, read only, each key given to the first
//     file of the call holding it, with the work orders put back to an earlier status.
// The files' lines follow once all are read (a load's follow their batch of up to 2,048 files).

// checkLakePrefix names a check's temporary lake in the temporary folder.
const checkLakePrefix = "aftersales-check-"

// removeStaleCheckLakes removes the temporary lakes of checks that were killed before they could
// (those older than a day: a check of hundreds of thousands of files takes minutes).
func removeStaleCheckLakes(tmp string, now time.Time) {
	es, _ := os.ReadDir(tmp)
	for _, e := range es {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), checkLakePrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(tmp, e.Name()))
		}
	}
}

// check reads and checks the files one after another (ingest --check) and reports each as
// loading it would go: a file twice in the call is a duplicate the second time, as it would be.
func (in *Ingester) check(ctx context.Context, paths []string, loaded loadedContents, report func(path string, res *Result)) error {
	if in.DB != nil {
		removeStaleCheckLakes(os.TempDir(), time.Now())
		dir, err := os.MkdirTemp("", checkLakePrefix)
		if err != nil {
			return fmt.Errorf("making the check's temporary lake: %w", err)
		}
		defer os.RemoveAll(dir)
		in.checkLake = dir
		defer func() { in.checkLake = "" }()
	}
	seen := map[string]string{}
	results := make([]*Result, 0, len(paths))
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := in.prepare(ctx, p, loaded)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		// the same content earlier in the call: a duplicate (its temporary lake files are that
		// content's, under the same names, or a --reload's own, which no query reads)
		res = in.firstOfCall(seen, res)
		if in.Opts.Parsed != nil {
			in.Opts.Parsed(p)
		}
		results = append(results, res)
	}
	if err := in.checkReplaced(ctx, results); err != nil {
		return err
	}
	for i, res := range results {
		report(paths[i], res)
	}
	return nil
}

// checkReplaced gives the call's results their Replaced, as a batch's load would (apply): by
// kind, the overlaps of the call's own files and, with a database, the rows loaded before.
func (in *Ingester) checkReplaced(ctx context.Context, results []*Result) error {
	byKind := map[string][]*Result{}
	var kinds []string
	for i, res := range results {
		// ids in call order, below every file_id loaded before (none is kept)
		res.FileID = int64(i - len(results))
		if res.Status != StatusLoaded || len(res.keyHashes) == 0 {
			continue
		}
		if _, ok := byKind[res.Kind]; !ok {
			kinds = append(kinds, res.Kind)
		}
		byKind[res.Kind] = append(byKind[res.Kind], res)
	}
	for _, kn := range kinds {
		rs := byKind[kn]
		var keys []uint64
		for _, res := range rs {
			keys = append(keys, res.keyHashes...)
		}
		slices.Sort(keys)
		if len(rs) > 1 && hasRepeat(keys) {
			overlapsInBatch(rs, keys)
		}
		if in.DB == nil {
			continue
		}
		k, err := KindByName(kn)
		if err != nil {
			return err
		}
		_, byNew, err := findReplaced(ctx, in.DB, upsertSQL(k, in.checkLake, rs, true))
		if err != nil {
			return fmt.Errorf("looking up the rows of raw_%s that %s would replace: %w", kn, rs[0].Path, err)
		}
		if len(byNew) > 0 {
			if err := nameReplaced(ctx, in.DB, rs, byNew); err != nil {
				return fmt.Errorf("reading ingest_files: %w", err)
			}
		}
	}
	for _, res := range results {
		for i := range res.Replaced {
			if r := &res.Replaced[i]; r.FileID < 0 { // a file of this call
				r.FileID, r.InCall = 0, true
			}
		}
		res.FileID, res.keyHashes, res.keyRanges = 0, nil, nil
	}
	sortReplaced(results)
	return nil
}
