package read

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestSniffDelimiter(t *testing.T) {
	// a GBK character whose trail byte is '|' (0x7C)
	var pipeChar string
	for r := rune(0x4e00); r < 0x9fa5 && pipeChar == ""; r++ {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(string(r)))
		if err == nil && len(b) == 2 && b[1] == '|' {
			pipeChar = string(b)
		}
	}
	if pipeChar == "" {
		t.Fatal("no GBK character with a '|' trail byte found")
	}
	cases := []struct {
		name, text string
		want       rune
	}{
		{"comma", "a,b,c\n1,2,3\n4,5,6\n", ','},
		{"comma with a title row", "工单导出 2026-10\na,b,c\n1,2,3\n4,5,6\n", ','},
		{"comma, quoted tabs and semicolons", "a,b,c\n\"x\ty;z\",2,3\n\"p;q\",5,6\n", ','},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t'},
		{"tab with thousands separators", "a\tb\tc\n1\t\"1,065.90\"\t3\n4\t2,000.00\t6\n7\t1,234,567.00\t9\n", '\t'},
		{"semicolon", "a;b;c\n1;2,5;3\n4;5;6\n", ';'},
		{"pipe", "a|b|c\n1|2|3\n", '|'},
		{"GBK comma text with '|' trail bytes", "a,b,c\n" + pipeChar + ",2,3\n4," + pipeChar + pipeChar + ",6\n", ','},
		{"a cut last line is ignored", "a;b;c\n1;2;3\n4,5,6,7,8,9,10,11,12", ';'},
		{"CRLF", "a\tb\r\n1\t2\r\n", '\t'},
		{"one column", "a\n1\n", ','},
	}
	for _, c := range cases {
		if got := sniffDelimiter([]byte(c.text)); got != c.want {
			t.Errorf("%s: sniffDelimiter = %q, want %q", c.name, got, c.want)
		}
	}
}

// records writes body as a CSV file and reads every record back, cells joined by '|'.
func records(t *testing.T, body string) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(p, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []string
	for {
		rec, _, err := s.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join(rec, "|"))
	}
}

// A semicolon-delimited export reads as its columns.
func TestCSVSemicolon(t *testing.T) {
	got := records(t, "store_id;order_no;labor_amount\nS001;WO1;1,5\n")
	if want := []string{"store_id|order_no|labor_amount", "S001|WO1|1,5"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records %q, want %q", got, want)
	}
}

// ="00123" cells (Excel's text formula, written by DMS exports to keep leading zeros) read as
// the text inside.
func TestCSVTextFormulaCells(t *testing.T) {
	got := records(t, "part_no,part_name,vin\n=\"00123\",\"=\"\"a \"\"\"\"b\"\"\"\"\"\"\",=\"LSVAU2180N2183294\"\n=x,=\"\",=\"\n")
	want := []string{"part_no|part_name|vin", `00123|a "b"|LSVAU2180N2183294`, `=x||="`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records\n%q\nwant\n%q", got, want)
	}
}
