package read

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rawZip writes a zip whose one part carries the given bytes but claims the given size,
// as a damaged (or crafted) workbook does.
func rawZip(t *testing.T, name string, method uint16, data []byte, compressed, claimed uint64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.xlsx")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: method,
		CompressedSize64: compressed, UncompressedSize64: claimed})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// A part that claims far more than its compressed bytes can hold is refused before
// excelize reserves the claimed size (found by FuzzXLSX: 6 kB files that made the reader
// allocate up to 4 GB each), and so is a part excelize would hold whole in memory that is
// bigger than any real one. Worksheets, which excelize streams, keep their sizes.
func TestXLSXClaimedSizeRefused(t *testing.T) {
	for _, c := range []struct {
		name       string
		method     uint16
		size       int
		claimed    uint64
		compressed uint64 // 0: size
		want       string // "" = not refused by the size check
	}{
		{"xl/workbook.xml", zip.Deflate, 404, 4 << 30, 0, "claims 4.0 GB from 404 compressed bytes"},
		{"xl/worksheets/sheet1.xml", zip.Deflate, 400, 3 << 30, 2 << 30, "claims 2147483648 compressed bytes in a file of"},
		{"xl/styles.xml", zip.Store, 100, 101, 0, "claims 101 bytes from 100 compressed bytes"},
		{"xl/theme/theme1.xml", zip.Deflate, 300 << 10, 300 << 20, 0, "is 300.0 MB, far more"},
		{"xl/workbook.xml", zip.Deflate, 1000, 1000 * maxDeflateRatio, 0, ""},
		{"xl/worksheets/sheet1.xml", zip.Deflate, 300 << 10, 300 << 20, 0, ""},
	} {
		if c.compressed == 0 {
			c.compressed = uint64(c.size)
		}
		p := rawZip(t, c.name, c.method, make([]byte, c.size), c.compressed, c.claimed)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err := Open(p, "")
		runtime.ReadMemStats(&m1)
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("%s claiming %d: want a FileError, got %v", c.name, c.claimed, err)
		}
		refused := strings.Contains(err.Error(), "part "+c.name)
		if c.want == "" {
			if refused {
				t.Errorf("%s claiming %d refused by the size check: %v", c.name, c.claimed, err)
			}
			continue
		}
		if !refused || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s claiming %d: got %v, want %q", c.name, c.claimed, err, c.want)
		}
		if a := m1.TotalAlloc - m0.TotalAlloc; a > 64<<20 {
			t.Errorf("%s claiming %d: %d MB allocated before refusing", c.name, c.claimed, a>>20)
		}
	}
}

// mergedWorkbook writes a workbook of two sheets; the second ("工单") has a title merged over
// columns A–D, an order number merged over the three rows of its lines, a merged block of two
// rows and columns, and n filler rows after them (a large sheet part).
func mergedWorkbook(t *testing.T, n int) string {
	t.Helper()
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "other sheet")
	f.MergeCell("Sheet1", "A1", "C3")
	if _, err := f.NewSheet("工单"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("工单")
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"维修工单导出"})
	sw.SetRow("A2", []any{"工单号", "行号", "技师", "备注"})
	sw.SetRow("A3", []any{"WO1", 1, "T1", "x"})
	sw.SetRow("A4", []any{nil, 2, "T2", nil})
	sw.SetRow("A5", []any{nil, 3, "T3", nil})
	sw.SetRow("A6", []any{"WO2", 1, "T1", "mergeCells <mergeCells> in a cell"})
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, 7+i)
		sw.SetRow(cell, []any{fmt.Sprintf("WO%06d", i), 1, "T9", "填充 filler text of a long row"})
	}
	for _, m := range [][2]string{{"A1", "D1"}, {"A3", "A5"}, {"C4", "D5"}} {
		if err := sw.MergeCell(m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "merged.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Merged cells take their anchor's value, read from the streamed rows: the worksheet is never
// held whole in memory (excelize's GetMergeCells would: a 200,000-row export took 80 s and
// 2.3 GB that way), and the refs are the ones excelize finds.
func TestXLSXMergesStreamed(t *testing.T) {
	for _, n := range []int{0, 20000} { // 20,000 rows: the part is several read buffers long
		p := mergedWorkbook(t, n)
		src, err := OpenXLSX(p, "工单")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			cols, _, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < 6 {
				got = append(got, strings.Join(cols, "|"))
			}
		}
		want := []string{
			"维修工单导出|维修工单导出|维修工单导出|维修工单导出",
			"工单号|行号|技师|备注",
			"WO1|1|T1|x",
			"WO1|2|T2|T2",
			"WO1|3|T2|T2",
			"WO2|1|T1|mergeCells <mergeCells> in a cell",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%d filler rows: rows\n%s\nwant\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		xs := src.(*xlsxSource)
		if _, held := xs.f.Sheet.Load("xl/worksheets/sheet2.xml"); held {
			t.Errorf("%d filler rows: the worksheet was read whole into memory", n)
		}
		refs, err := streamMergeRefs(nil, p, "工单") // from the file
		if err != nil {
			t.Fatal(err)
		}
		held, err := streamMergeRefs(xs.f, p, "工单") // from excelize's parts in memory, when it holds the sheet's
		if err != nil || strings.Join(held, " ") != strings.Join(refs, " ") {
			t.Errorf("%d filler rows: refs from excelize's parts %v (%v), from the file %v", n, held, err, refs)
		}
		if part, err := sheetPart(pkgOpener(xs.f), "工单"); err != nil {
			t.Errorf("%d filler rows: the sheet part is not in excelize's memory: %v", n, err)
		} else if _, err := pkgOpener(xs.f)(part); err != nil {
			t.Errorf("%d filler rows: %v", n, err)
		}
		mcs, err := xs.f.GetMergeCells("工单")
		if err != nil {
			t.Fatal(err)
		}
		var ex []string
		for _, mc := range mcs {
			ex = append(ex, mc.GetStartAxis()+":"+mc.GetEndAxis())
		}
		if strings.Join(refs, " ") != strings.Join(ex, " ") {
			t.Errorf("refs %v, excelize finds %v", refs, ex)
		}
		src.Close()
	}
}

func TestScanMergeRefs(t *testing.T) {
	filler := strings.Repeat("<row><c><v>1</v></c></row>", 20000) // longer than a read
	for _, c := range []struct {
		name, xml string
		want      string
	}{
		{"none", `<worksheet><sheetData>` + filler + `</sheetData></worksheet>`, ""},
		{"plain", `<worksheet><sheetData/><mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="C3:C9"/></mergeCells></worksheet>`, "A1:B2 C3:C9"},
		{"prefixed", `<x:worksheet xmlns:x="s"><x:sheetData>` + filler + `</x:sheetData><x:mergeCells><x:mergeCell ref="D4:E4"/></x:mergeCells></x:worksheet>`, "D4:E4"},
		{"escaped text first", `<worksheet><sheetData><row><c t="inlineStr"><is><t>&lt;mergeCells&gt; mergeCells</t></is></c></row></sheetData><mergeCells><mergeCell ref="A2:A3"/></mergeCells></worksheet>`, "A2:A3"},
		{"longer name", `<worksheet><mergeCellsX/><mergeCells><mergeCell ref="B1:B2"/></mergeCells></worksheet>`, "B1:B2"},
	} {
		// every offset of the tag against the read buffer's end
		for _, pad := range []int{0, 256<<10 - 40, 256<<10 - 5, 256<<10 + 3} {
			x := c.xml
			if pad > 0 {
				i := strings.Index(x, "<mergeCells")
				if i < 0 {
					i = strings.Index(x, "<x:mergeCells")
				}
				if i < 0 || i > pad {
					continue
				}
				x = x[:i] + strings.Repeat(" ", pad-i) + x[i:]
			}
			refs, err := scanMergeRefs(strings.NewReader(x))
			if err != nil {
				t.Fatalf("%s (pad %d): %v", c.name, pad, err)
			}
			if got := strings.Join(refs, " "); got != c.want {
				t.Errorf("%s (pad %d): %q, want %q", c.name, pad, got, c.want)
			}
		}
	}
}

// The number cells an ID column asks about come from a byte scan of the worksheet part, not
// from excelize's whole-sheet read; the scan knows prefixes, attributes in any order, formulas,
// shared, inline and formula strings, and gives up (so excelize answers) on a comment.
func TestNumericCells(t *testing.T) {
	sheet := `<?xml version="1.0"?><x:worksheet xmlns:x="s"><x:sheetData><x:row r="1">` +
		`<x:c r="A1"><x:v>1.5</x:v></x:c>` + // number with a '.'
		`<x:c t="n" r="B1"><x:v>1E+20</x:v></x:c>` + // t before r, exponent
		`<x:c r="C1" t="s"><x:v>3</x:v></x:c>` + // shared string
		`<x:c r="D1" t="str"><x:f>A1&amp;""</x:f><x:v>1.5</x:v></x:c>` + // formula text
		`<x:c r="E1" t="inlineStr"><x:is><x:t>2.5</x:t></x:is></x:c>` +
		`<x:c r="F1"/><x:c r="G1" s="1"><x:f>A1*2</x:f><x:v>3.0</x:v></x:c>` + // empty; formula number
		`<x:c r="H1"><x:v>12</x:v></x:c>` + // an integer: never asked
		`</x:row><row r="2"><c r='A2' t='n'><v>0.25</v></c></row></x:sheetData></x:worksheet>`
	got := map[[2]int]bool{}
	for col := 1; col <= 8; col++ {
		rows, err := numericCells(bufio.NewReader(strings.NewReader(sheet)), col)
		if err != nil {
			t.Fatal(err)
		}
		for r := range rows {
			got[[2]int{r, col}] = true
		}
	}
	want := map[[2]int]bool{{1, 1}: true, {1, 2}: true, {1, 7}: true, {2, 1}: true}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("numeric cells %v, want %v", got, want)
	}
	if _, err := numericCells(bufio.NewReader(strings.NewReader(`<worksheet><!-- <c r="A1"> --></worksheet>`)), 1); err == nil {
		t.Error("a comment did not make the scan give up")
	}
	// the fixture of TestXLSXTitleRowsSerialDates: phone 138.5 is a number (row 6), 1.38E+10 text (row 5)
	p := filepath.Join("..", "testdata", "title_serial.xlsx")
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, held := range []*excelize.File{nil, f} { // from the file, and from excelize's parts
		m, err := scanNumericCells(held, p, "Sheet1", 4)
		if err != nil {
			t.Fatal(err)
		}
		if !m[6] || m[5] {
			t.Errorf("title_serial.xlsx: D6 numeric %v (want true), D5 %v (want false)", m[6], m[5])
		}
	}
}
