package read

// Reading a worksheet part of an XLSX package directly, for what excelize would answer only by
// reading the whole sheet into memory: the merged areas and which cells hold numbers.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	pathpkg "path"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"
)

// readSheetPart streams the sheet's worksheet part, found through the workbook's
// relationships, to read: from the parts excelize has read into memory when it holds them (f not
// nil), else from the file.
func readSheetPart(f *excelize.File, path, sheet string, read func(io.Reader) error) error {
	if f != nil {
		// excelize unzips every part when it opens a workbook (large worksheets to temporary
		// files, which are not found here): unzipping the sheet again cost a third of reading
		// a small workbook
		open := pkgOpener(f)
		if part, err := sheetPart(open, sheet); err == nil {
			if r, err := open(part); err == nil {
				defer r.Close()
				return read(r)
			}
		}
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer z.Close()
	open := zipOpener(&z.Reader)
	part, err := sheetPart(open, sheet)
	if err != nil {
		return err
	}
	r, err := open(part)
	if err != nil {
		return err
	}
	defer r.Close()
	return read(r)
}

// partOpener opens a package part by name.
type partOpener func(name string) (io.ReadCloser, error)

// zipOpener opens the parts of a zip file.
func zipOpener(z *zip.Reader) partOpener {
	return func(name string) (io.ReadCloser, error) {
		for _, e := range z.File {
			if e.Name == name {
				return e.Open()
			}
		}
		return nil, fmt.Errorf("no part %s", name)
	}
}

// pkgOpener opens the parts excelize holds in memory.
func pkgOpener(f *excelize.File) partOpener {
	return func(name string) (io.ReadCloser, error) {
		if v, ok := f.Pkg.Load(name); ok {
			if b, ok := v.([]byte); ok {
				return io.NopCloser(bytes.NewReader(b)), nil
			}
		}
		return nil, fmt.Errorf("no part %s in memory", name)
	}
}

// sheetHasValue reports whether a sheet holds a cell with a value (<v>) or an inline string
// (<is>), with any namespace prefix. excelize holds a small worksheet part in memory after
// opening the workbook; one it does not (a large part, kept in a temporary file, or a part not
// found) is taken to hold values. Excel's untouched Sheet2 and Sheet3 hold none.
func sheetHasValue(f *excelize.File, sheet string) bool {
	open := pkgOpener(f)
	part, err := sheetPart(open, sheet)
	if err != nil {
		return true
	}
	v, ok := f.Pkg.Load(part)
	b, isBytes := v.([]byte)
	if !ok || !isBytes {
		return true
	}
	for _, tag := range []string{"v>", "is>"} {
		for off := 0; ; {
			j := bytes.Index(b[off:], []byte(tag))
			if j < 0 {
				break
			}
			j += off
			// "<v>" or "<x:v>": the byte before the name opens the tag or ends its prefix
			if j > 0 && (b[j-1] == '<' || b[j-1] == ':') {
				return true
			}
			off = j + len(tag)
		}
	}
	return false
}

// streamMergeRefs returns the ref of each <mergeCell> of the sheet.
func streamMergeRefs(f *excelize.File, path, sheet string) (refs []string, err error) {
	err = readSheetPart(f, path, sheet, func(r io.Reader) error {
		refs, err = scanMergeRefs(r)
		return err
	})
	return refs, err
}

// sheetPart resolves a sheet name to its worksheet part: the package's office document (the
// workbook), its <sheet name r:id>, and the workbook's relationship of that id.
func sheetPart(open partOpener, sheet string) (string, error) {
	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	readRels := func(name string) ([]rel, error) {
		var doc struct {
			Rels []rel `xml:"Relationship"`
		}
		return doc.Rels, readXMLPart(open, name, &doc)
	}
	wb := "xl/workbook.xml"
	if rels, err := readRels("_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wb = resolvePart("", r.Target)
			}
		}
	}
	var doc struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readXMLPart(open, wb, &doc); err != nil {
		return "", err
	}
	id := ""
	for _, sh := range doc.Sheets {
		if sh.Name == sheet {
			for _, a := range sh.Attrs {
				if a.Name.Local == "id" && a.Name.Space != "" {
					id = a.Value
				}
			}
		}
	}
	if id == "" {
		return "", fmt.Errorf("sheet %q has no relationship id", sheet)
	}
	dir, file := pathpkg.Split(wb)
	rels, err := readRels(dir + "_rels/" + file + ".rels")
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if r.ID == id {
			return resolvePart(dir, r.Target), nil
		}
	}
	return "", fmt.Errorf("no relationship %s", id)
}

// resolvePart turns a relationship's target into a part name: absolute from the package root
// when it starts with "/", else relative to the source part's folder.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(pathpkg.Clean(target), "/")
	}
	return strings.TrimPrefix(pathpkg.Clean("/"+dir+target), "/")
}

func readXMLPart(open partOpener, name string, v any) error {
	r, err := open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	return xml.NewDecoder(io.LimitReader(r, maxHeldPart)).Decode(v)
}

// keep: a start tag with its prefix fits in this many bytes
const keep = 64

var scanBufs = sync.Pool{New: func() any { b := make([]byte, keep+256<<10); return &b }}

// scanMergeRefs reads a worksheet part up to its <mergeCells> start tag (with any namespace
// prefix; a '<' in text is always escaped, so the bytes can only be the tag) by a byte search,
// then decodes the refs of the <mergeCell> elements in it.
func scanMergeRefs(r io.Reader) ([]string, error) {
	bp := scanBufs.Get().(*[]byte) // (allocating and zeroing it per workbook cost more than the scan)
	defer scanBufs.Put(bp)
	buf := *bp
	k := 0 // bytes carried over from the previous read
	for {
		n, err := io.ReadFull(r, buf[k:])
		data := buf[:k+n]
		if i := mergeCellsTag(data); i >= 0 {
			return decodeMergeRefs(io.MultiReader(bytes.NewReader(data[i:]), r))
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, nil // no merged cells
		}
		if err != nil {
			return nil, err
		}
		k = copy(buf, data[len(data)-keep:])
	}
}

// mergeCellsTag returns where a "<mergeCells" or "<prefix:mergeCells" start tag begins in b,
// or -1.
func mergeCellsTag(b []byte) int {
	const name = "mergeCells"
	for off := 0; ; {
		j := bytes.Index(b[off:], []byte(name))
		if j < 0 {
			return -1
		}
		j += off
		off = j + len(name)
		if off < len(b) && !(b[off] == '>' || b[off] == '/' || b[off] == ' ' || b[off] == '\t' || b[off] == '\r' || b[off] == '\n') {
			continue // a longer name
		}
		i := j - 1
		if i >= 0 && b[i] == ':' {
			i--
			for i >= 0 && (b[i] >= 'a' && b[i] <= 'z' || b[i] >= 'A' && b[i] <= 'Z' || b[i] >= '0' && b[i] <= '9' || b[i] == '_' || b[i] == '-' || b[i] == '.') {
				i--
			}
		}
		if i >= 0 && b[i] == '<' {
			return i
		}
	}
}

func decodeMergeRefs(r io.Reader) ([]string, error) {
	d := xml.NewDecoder(r)
	var refs []string
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "mergeCell" {
				for _, a := range t.Attr {
					if a.Name.Local == "ref" {
						refs = append(refs, a.Value)
					}
				}
			}
		case xml.EndElement:
			if t.Name.Local == "mergeCells" {
				return refs, nil
			}
		}
	}
}

// scanNumericCells lists the rows of column col's number cells (no t attribute, or t="n") whose
// value has a '.', an 'E' or an 'e', 1-based.
func scanNumericCells(f *excelize.File, path, sheet string, col int) (rows map[int]bool, err error) {
	err = readSheetPart(f, path, sheet, func(r io.Reader) error {
		rows, err = numericCells(bufio.NewReaderSize(r, 256<<10), col)
		return err
	})
	return rows, err
}

// numericCells reads the tags of a worksheet part: for each <c r=… t=…>, the text of its <v>.
// Anything it does not expect (a comment, CDATA, a cell without r) is an
// error, and the caller asks excelize instead.
func numericCells(br *bufio.Reader, col int) (map[int]bool, error) {
	out := map[int]bool{}
	var ref, typ string
	inCell, inV := false, false
	var text []byte
	for {
		// text up to the next tag
		chunk, err := br.ReadSlice('<')
		if inV {
			text = append(text, chunk...)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil && err != bufio.ErrBufferFull {
			return nil, err
		}
		if err == bufio.ErrBufferFull {
			continue // a long text: keep reading to its '<'
		}
		if inV {
			v := text[:len(text)-1]
			if (typ == "" || typ == "n") && bytes.ContainsAny(v, ".Ee") {
				c, r, err := excelize.CellNameToCoordinates(ref)
				if err != nil {
					return nil, err
				}
				if c == col {
					out[r] = true
				}
			}
			inV, text = false, text[:0]
		}
		tag, err := br.ReadSlice('>')
		if err != nil {
			return nil, fmt.Errorf("a tag too long or cut: %v", err)
		}
		if len(tag) > 0 && tag[0] == '!' {
			return nil, fmt.Errorf("a comment or CDATA in the sheet") // it may hold a '>'
		}
		closing := len(tag) > 0 && tag[0] == '/'
		name := tag
		if closing {
			name = name[1:]
		}
		if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
			name = name[:i]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		switch {
		case string(name) == "c" && !closing:
			ref, typ = attr(tag, "r"), attr(tag, "t")
			if ref == "" {
				return nil, fmt.Errorf("a cell without its reference")
			}
			inCell = !bytes.HasSuffix(tag, []byte("/>"))
		case string(name) == "c":
			inCell = false
		case string(name) == "v" && !closing && inCell && !bytes.HasSuffix(tag, []byte("/>")):
			inV = true
		}
	}
}

// attr returns the value of the attribute name (without a prefix) in a start tag's bytes.
func attr(tag []byte, name string) string {
	for i := 0; i+len(name)+1 < len(tag); i++ {
		if (tag[i] == ' ' || tag[i] == '\t' || tag[i] == '\r' || tag[i] == '\n') && string(tag[i+1:i+1+len(name)]) == name {
			j := i + 1 + len(name)
			for j < len(tag) && tag[j] == ' ' {
				j++
			}
			if j+1 < len(tag) && tag[j] == '=' {
				j++
				for j < len(tag) && tag[j] == ' ' {
					j++
				}
				if j < len(tag) && (tag[j] == '"' || tag[j] == '\'') {
					q := tag[j]
					if k := bytes.IndexByte(tag[j+1:], q); k >= 0 {
						return string(tag[j+1 : j+1+k])
					}
				}
			}
		}
	}
	return ""
}
