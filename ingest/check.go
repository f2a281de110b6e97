package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ingest --check: the files are read and checked one after another, nothing is loaded, and each
// file's line says what loading it would do — its rows loaded, rejected and skipped, and the rows
// it would replace, as loading the same files in the same call would:
//   - of a file checked before it in the call: the rows whose keys that file holds (the later
//     file wins a key; counted per key, as a batch's overlaps are: overlapsInBatch);
//   - of the files loaded before, with a database: the rows whose keys no earlier file of the
//     call holds, found by the load's own query (upsertSQL's replaced) over the file's rows
//     written to a temporary lake, read only. Work orders put back to an earlier status are
//     counted there, as a load counts them against the rows loaded before the batch only.
//
// Files are reported in groups (checkGroupFiles): one query per kind and group, as a load runs
// one per kind and batch, instead of one per file (each reads the kind's stored keys).

// checkGroupFiles: files checked before their group's replaced rows are looked up and they are
// reported.
var checkGroupFiles = 2048

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

// checkCall is what the files checked so far in one call hold.
type checkCall struct {
	// lake is the temporary lake the group's rows are written to ("" without a database)
	lake string
	// keys: per kind, each key's hash → the index in the call of the last file holding it
	// (8 + 8 bytes and a map's overhead per distinct key of the call)
	keys map[string]map[uint64]int
	// index is the call's index of the file being checked
	index int
}

// row takes a valid row of the file being checked: a key an earlier file of the call holds is
// that file's row replaced (once per key: again is a repeat within this file); any other row is
// written to the temporary lake, to be looked up among the rows loaded before.
func (cc *checkCall) row(k *Kind, lw *lakeWriter, r *Row, h uint64, again bool, res *Result) error {
	res.keyHashes = append(res.keyHashes, h)
	if j, ok := cc.keys[k.Name][h]; ok {
		if !again {
			if res.overlaps == nil {
				res.overlaps = map[int]int{}
			}
			res.overlaps[j]++
		}
		return nil
	}
	if cc.lake == "" {
		return nil
	}
	return lw.add(r)
}

// drop removes a result's temporary lake files.
func (cc *checkCall) drop(res *Result) {
	for _, f := range res.LakeFiles {
		os.Remove(filepath.Join(cc.lake, filepath.FromSlash(f)))
	}
	res.LakeFiles = nil
}

// done records the keys of a file of the call that would load (after firstOfCall): the later
// files' rows with those keys replace its rows.
func (cc *checkCall) done(res *Result) {
	if res.Status != StatusLoaded {
		return
	}
	m := cc.keys[res.Kind]
	if m == nil {
		m = map[uint64]int{}
		cc.keys[res.Kind] = m
	}
	for _, h := range res.keyHashes {
		m[h] = cc.index
	}
	res.keyHashes = nil
}

// check reads and checks the files one after another (ingest --check) and reports each as
// loading it would go: a file twice in the call is a duplicate the second time, as it would be.
func (in *Ingester) check(ctx context.Context, paths []string, loaded loadedContents, report func(path string, res *Result)) error {
	cc := &checkCall{keys: map[string]map[uint64]int{}}
	if in.DB != nil {
		removeStaleCheckLakes(os.TempDir(), time.Now())
		dir, err := os.MkdirTemp("", checkLakePrefix)
		if err != nil {
			return fmt.Errorf("making the check's temporary lake: %w", err)
		}
		defer os.RemoveAll(dir)
		cc.lake = dir
	}
	in.call = cc
	defer func() { in.call = nil }()
	seen := map[string]string{}
	var called []string // the call's files by index, as results name them: whose rows are replaced
	var group []*Result // the files not reported yet: paths[len(called)-len(group):]
	flush := func() error {
		if err := in.checkReplaced(ctx, group, called); err != nil {
			return err
		}
		for i, res := range group {
			report(paths[len(called)-len(group)+i], res)
		}
		group = group[:0]
		return nil
	}
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		cc.index = i
		res, err := in.prepare(ctx, p, loaded)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if first := in.firstOfCall(seen, res); first != res {
			cc.drop(res) // the same content earlier in the call: a duplicate, as it would be
			res = first
		}
		cc.done(res)
		if in.Opts.Parsed != nil {
			in.Opts.Parsed(p)
		}
		called = append(called, res.Path)
		group = append(group, res)
		if len(group) >= checkGroupFiles {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// checkReplaced gives each result of a group its Replaced: the rows of earlier files of the call
// (overlaps) and, with a database, the rows loaded before (the load's query over the group's
// temporary lake files, by kind). The group's lake files are removed after.
func (in *Ingester) checkReplaced(ctx context.Context, group []*Result, called []string) error {
	byKind := map[string][]*Result{}
	var kinds []string
	for _, res := range group {
		for j, n := range res.overlaps {
			res.Replaced = append(res.Replaced, Replaced{Path: called[j], Rows: n, InCall: true})
		}
		res.overlaps = nil
		if res.Status != StatusLoaded || len(res.LakeFiles) == 0 {
			continue
		}
		if _, ok := byKind[res.Kind]; !ok {
			kinds = append(kinds, res.Kind)
		}
		byKind[res.Kind] = append(byKind[res.Kind], res)
	}
	defer func() {
		for _, res := range group {
			in.call.drop(res)
			res.FileID = 0
		}
	}()
	for _, kn := range kinds {
		k, err := KindByName(kn)
		if err != nil {
			return err
		}
		rs := byKind[kn]
		// ids the query tells the files apart by: below every file_id loaded before
		for i, res := range rs {
			res.FileID = -int64(len(rs) - i)
		}
		_, byNew, err := findReplaced(ctx, in.DB, upsertSQL(k, in.call.lake, rs, true))
		if err != nil {
			return fmt.Errorf("looking up the rows of raw_%s that %s would replace: %w", kn, rs[0].Path, err)
		}
		if len(byNew) > 0 {
			if err := nameReplaced(ctx, in.DB, rs, byNew); err != nil {
				return fmt.Errorf("reading ingest_files: %w", err)
			}
		}
	}
	sortReplaced(group)
	return nil
}
