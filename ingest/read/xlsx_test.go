package read

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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
