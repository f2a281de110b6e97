package read

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// readAll opens path and returns its rows as "row: cell|cell".
func readAll(t *testing.T, path string) ([]string, Info) {
	t.Helper()
	s, err := Open(path, "")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	var out []string
	for {
		cells, row, err := s.Next()
		if err == io.EOF {
			return out, s.Info()
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(append([]string{string(rune('0' + row))}, cells...), "|"))
	}
}

const page = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<style>td { mso-number-format: "\@" }</style><script>var x = "<td>no</td>";</script></head><body>
<table><tr><td>layout<table border=1>
<thead><tr><th colspan=3>维修工单明细</th></tr></thead>
<tbody>
<tr><th>门店编号</th><th>工单号</th><th>工时费<br>(元)</th></tr>
<tr><td rowspan=2>S1</td><td> K1 </td><td>1,234.50</td></tr>
<tr><td>K2</td><td>&yen;20&nbsp;</td></tr>
<tr><td colspan=2>合计</td><td><span>1254</span>.50</td></tr>
</tbody></table></td></tr><tr><td>a lone cell of the layout table</td></tr></table></body></html>`

// TestHTMLTable: a web page named .xls is read as its largest table (not the layout table around
// it): cells spanning columns or rows repeat their text, <br> and &nbsp; are spaces, a cell's
// markup is left out, rows are numbered from 1; GBK by its <meta>, UTF-8 whatever the <meta>
// says when the bytes are UTF-8.
func TestHTMLTable(t *testing.T) {
	dir := t.TempDir()
	want := []string{"1|维修工单明细|维修工单明细|维修工单明细", "2|门店编号|工单号|工时费 (元)", "3|S1|K1|1,234.50", "4|S1|K2|¥20", "5|合计|合计|1254.50"}
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(page)
	for name, c := range map[string]struct{ body, enc string }{"gbk.xls": {gbk, "gb18030"}, "utf8.xls": {page, "utf-8"}, "page.htm": {page, "utf-8"}} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(c.body), 0o644)
		got, inf := readAll(t, p)
		if strings.Join(got, "\n") != strings.Join(want, "\n") || inf.Format != "html" || inf.Encoding != c.enc {
			t.Errorf("%s: %s %s\n%s\nwant\n%s", name, inf.Format, inf.Encoding, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	for name, c := range map[string]struct{ body, want string }{
		"notable.xls": {"<html><body><p>没有数据</p></body></html>", "holds no table"},
		"badgbk.xls":  {"<html><body><table><tr><td>\x81\x20</td></tr></table></body></html>", "not gb18030 text throughout"},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(c.body), 0o644)
		_, err := Open(p, "")
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a FileError saying %q", name, err, c.want)
		}
	}
}

// FuzzHTML: arbitrary bytes as a web page named .xls — no panic, no hang, increasing row numbers.
func FuzzHTML(f *testing.F) {
	f.Add([]byte(page))
	f.Add([]byte("<table><tr><td rowspan=99999 colspan=99999>x</td></tr><tr><td>y</td></tr></table>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x.xls")
		os.WriteFile(p, append([]byte("<html>"), data...), 0o644)
		drain(t, p)
	})
}
