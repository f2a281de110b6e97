package ingest

import (
	"strings"
	"testing"
)

// The insert reads a batch's lake files month by month (so that a date-bounded scan can skip
// row groups), each paired with its own file_id; the other statements keep the batch's order.
func TestUpsertInsertReadsFilesInTimeOrder(t *testing.T) {
	results := []*Result{
		{FileID: 11, LakeFiles: []string{"S001/oct.parquet"}, PeriodFirst: "2026-10-02"},
		{FileID: 12, LakeFiles: []string{"S002/sep.parquet"}, PeriodFirst: "2026-09-30"},
		{FileID: 13, LakeFiles: []string{"S001/sep.parquet"}, PeriodFirst: "2026-09-01"},
		{FileID: 14, LakeFiles: []string{"S003/oct-a.parquet", "S003/oct-b.parquet"}, PeriodFirst: "2026-10-01"},
	}
	u := upsertSQL(WorkOrders, "/lake", results, false)
	// September's two files in the input's order (a stable sort by month), then October's
	order := []string{"S002/sep", "S001/sep", "S001/oct", "S003/oct-a", "S003/oct-b"}
	at := -1
	for _, f := range order {
		i := strings.Index(u.insert, f+".parquet")
		if i < 0 || i < at {
			t.Fatalf("insert does not read %s after the files before it in %v:\n%s", f, order, u.insert)
		}
		at = i
	}
	// file_index (the list position) → file_id follows the same order
	if !strings.Contains(u.insert, "(0, 12), (1, 13), (2, 11), (3, 14), (4, 14)") {
		t.Errorf("insert's file ids not paired with the reordered list:\n%s", u.insert)
	}
	// the rows replaced are found from the batch as given
	if !strings.Contains(u.replaced, "(0, 11), (1, 12), (2, 13), (3, 14), (4, 14)") {
		t.Errorf("replaced's file ids:\n%s", u.replaced)
	}
	// a kind without a period column (job lines) keeps the input's order
	jobs := []*Result{{FileID: 2, LakeFiles: []string{"b.parquet"}}, {FileID: 1, LakeFiles: []string{"a.parquet"}}}
	if u := upsertSQL(OrderJobs, "/lake", jobs, false); !strings.Contains(u.insert, "(0, 2), (1, 1)") {
		t.Errorf("job lines reordered:\n%s", u.insert)
	}
}
