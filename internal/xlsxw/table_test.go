package xlsxw

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A table longer than a sheet continues on "name (2)", "name (3)", …, each with the header, and
// the workbook is readable by others.
func TestTableContinuesOnNewSheets(t *testing.T) {
	defer func(n int) { MaxSheetRows = n }(MaxSheetRows)
	MaxSheetRows = 3
	tb, err := NewTable("query", []string{"n", "text"})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	for i := 1; i <= 7; i++ {
		if err := tb.Add([]any{i, Cell(fmt.Sprintf("=row %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "q.xlsx")
	if err := tb.Save(p); err != nil {
		t.Fatal(err)
	}
	if tb.Rows != 7 || tb.Sheets() != 3 {
		t.Errorf("rows %d sheets %d", tb.Rows, tb.Sheets())
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		var rs []string
		for _, r := range rows {
			rs = append(rs, strings.Join(r, ","))
		}
		got = append(got, sh+": "+strings.Join(rs, " | "))
	}
	want := []string{
		"query: n,text | 1,=row 1 | 2,=row 2 | 3,=row 3",
		"query (2): n,text | 4,=row 4 | 5,=row 5 | 6,=row 6",
		"query (3): n,text | 7,=row 7",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sheets\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if formula, _ := f.GetCellFormula("query (3)", "B2"); formula != "" {
		t.Errorf("a text became a formula: %q", formula)
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}
