package ingest

import (
	"strconv"
	"testing"
)

// BenchmarkRowChecks: the two per-row checks of every data row — the header-repeat check and the
// file's repeated-key set — over a work-orders-like file of 20,000 rows (the bench's larger
// files), no row a repeat.
func BenchmarkRowChecks(b *testing.B) {
	head := [][]string{{"XX汽车4S店 工单明细"}, {}, {"门店编号", "工单号", "车牌号", "进厂时间", "服务顾问", "工时费", "材料费", "备注", "", ""}}
	mapping := []int{0, 1, 2, 3, 4, 5, 6, -1}
	rows := make([][]string, 20000)
	for i := range rows {
		rows[i] = []string{"S001", "WO" + strconv.Itoa(100000+i), "粤A12345", "2026-09-01 08:30:00", "张三", "120.00", "340.50", "", "", ""}
	}
	b.Run("headerRepeats", func(b *testing.B) {
		for b.Loop() {
			hr := newHeaderRepeats(head, 2, mapping)
			for i, r := range rows {
				if hr.is(r, i+4, firstNonEmpty(r)) {
					b.Fatal("a data row taken for the header")
				}
			}
		}
	})
	b.Run("keySeen", func(b *testing.B) {
		hashes := make([]uint64, len(rows))
		for i := range hashes {
			hashes[i] = fnv1a(14695981039346656037, rows[i][1])
		}
		for b.Loop() {
			s := newKeySeen(len(rows))
			for i, h := range hashes {
				if _, again := s.add(h, i+4); again {
					b.Fatal("a repeat that is none")
				}
			}
			s.release()
		}
	})
}
