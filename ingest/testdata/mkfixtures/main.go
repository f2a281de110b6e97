// mkfixtures writes the ingest test fixtures into ingest/testdata. Run from the repo root:
//
//	go run ./ingest/testdata/mkfixtures
//
// The fixtures are committed; this program documents how each was made.
package main

import (
	"archive/zip"
	"bytes"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var dir = filepath.Join("ingest", "testdata")

func write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		log.Fatal(err)
	}
}

func gbk(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		log.Fatal(err)
	}
	return b
}

func xlsx(name string, rows [][]any, setup func(f *excelize.File)) {
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if r != nil {
			f.SetSheetRow("Sheet1", cell, &r)
		}
	}
	if setup != nil {
		setup(f)
	}
	f.SetDocProps(&excelize.DocProperties{Created: "2026-01-01T00:00:00Z", Modified: "2026-01-01T00:00:00Z"})
	if err := f.SaveAs(filepath.Join(dir, name)); err != nil {
		log.Fatal(err)
	}
}

const woHeaderZH = "门店编号,工单号,车架号,车牌号,客户姓名,联系电话,维修类别,是否预约,服务顾问,进厂时间,预计交车时间,交车时间,工单状态,是否返修,返修原因,工时费(元),材料费(元),其他费用,优惠金额\n"

func main() {
	// 1. GBK work orders with Chinese headers and enum names; a ¥ amount with thousands separators.
	write("gbk_work_orders.csv", gbk(woHeaderZH+
		"S001,WO0001,LSVAA4180E2123456,沪A12345,张三,13800138000,保养,是,SA01,2026/3/5 14:30,2026/3/5 17:00,2026/3/5 16:45,已结算,否,,\"￥1,234.50\",800,0,34.5\n"+
		"S001,WO0002,LSVAA4180E2123457,沪B54321,李四,13900139000,机修,否,SA02,2026/3/6 09:00,,,在修,否,,300.00,0,0,0\n"))

	// 2. GBK with an undecodable byte sequence on line 3.
	good := gbk(woHeaderZH + "S001,WO0001,LSVAA4180E2123456,沪A12345,张三,13800138000,保养,是,SA01,2026/3/5 14:30,,2026/3/5 16:45,已结算,否,,100,0,0,0\n")
	bad := append(append([]byte{}, good...), []byte("S001,WO0002,LSVAA4180E2123457,\x81\x20\xff,")...)
	bad = append(bad, gbk("李四,13900139000,机修,否,SA02,2026/3/6 09:00,,,在修,否,,300.00,0,0,0\n")...)
	write("gbk_bad_byte.csv", bad)

	// 3. UTF-8 with BOM: stores.
	write("bom_stores.csv", []byte("\xef\xbb\xbf门店编号,门店名称,区域,品牌\nS001,上海浦东大众4S店,华东区,大众\nS002,杭州西湖丰田4S店,华东区,丰田\n"))

	// 8. Every text date form, full-width digits, an ISO 'T', a date-only value and bad dates.
	write("date_forms.csv", []byte("store_id,order_no,vin,order_type,opened_at,delivered_at,status,labor_amount\n"+
		"S001,D01,LSVAA4180E2123456,repair,2026-03-05 14:30,2026-03-05 18:00:00,delivered,100\n"+
		"S001,D02,LSVAA4180E2123456,repair,2026/3/5 14:30,2026/3/6,delivered,100\n"+
		"S001,D03,LSVAA4180E2123456,repair,2026.3.5,2026.3.5 09:15,delivered,100\n"+
		"S001,D04,LSVAA4180E2123456,repair,2026年3月5日 14:30,2026年3月5日 18:00,delivered,１２３\n"+
		"S001,D05,LSVAA4180E2123456,repair,２０２６－０３－０５　１４：３０,2026-03-05T18:00:00,delivered,100\n"+
		"S001,D06,LSVAA4180E2123456,repair,05/03/2026,,open,100\n"+
		"S001,D07,LSVAA4180E2123456,repair,2026-02-30 10:00,,open,100\n"))

	// Row-level rules on work orders (UTF-8, English headers) with summary and blank rows.
	write("work_orders_rules.csv", []byte("store_id,order_no,vin,plate,phone,order_type,appointment,opened_at,completed_at,delivered_at,status,is_comeback,comeback_cause,labor_amount,parts_amount,other_amount,discount_amount,mileage_km\n"+
		"S001,R01,lsvaa4180e2123456 ,沪A1,1.38E+10,repair,Y,2026-03-01 08:00,,2026-03-01 12:00,delivered,N,,100,0,0,0,12000\n"+ // sci phone → reject
		"S001,R02,LSVAI4180E2123456,沪A2,13800138000,repair,Y,2026-03-01 08:00,,2026-03-01 12:00,delivered,N,,100,0,0,0,\n"+ // VIN with I
		"S001,R03,LSVAA4180E212345,沪A3,13800138000,repair,Y,2026-03-01 08:00,,2026-03-01 12:00,delivered,N,,100,0,0,0,\n"+ // 16 chars
		"S001,R04,LSVAQ4180E2123456,沪A4,,repair,,2026-03-01 08:00,,2026-03-01 12:00,delivered,N,,100,0,0,0,\n"+ // Q
		"S001,R05,LSVAA4180E2123456,沪A5,,repair,,2026-03-01 08:00,,2026-03-01 07:59,delivered,N,,100,0,0,0,\n"+ // delivered before opened
		"S001,R06,LSVAA4180E2123456,沪A6,,快修,,2026-03-01 08:00,,2026-03-01 12:00,delivered,N,,100,0,0,0,\n"+ // unknown enum
		"S001,R07,LSVAA4180E2123456,沪A7,,repair,,2026-03-01 08:00,,,delivered,N,,100,0,0,0,\n"+ // delivered without delivered_at
		"S001,R08,LSVAA4180E2123456,沪A8,,repair,,2026-03-01 08:00,,2026-03-01 12:00,delivered,N,,-5,0,0,0,\n"+ // negative amount
		"S001,R09,LSVAA4180E2123456,沪A9,,repair,,2026-03-01 08:00,,2026-03-01 12:00,delivered,N,,(12.5),0,0,0,\n"+ // brackets
		",,,,,,,,,,,,,,,,,\n"+ // blank
		"S001,R10,LSVAA4180E2123456,沪A10,013800138000,warranty,√,2026-03-02 08:00,2026-03-02 11:00,2026-03-02 12:00,delivered,是,配件不良,\"¥1,234.50\",200.005,0.004,10,\"12,345\"\n"+
		"S001,R11,LSVAA4180E2123456,,,internal,×,2026-03-03 08:00,2026-03-02 11:00,,completed,,,0,0,0,0,\n"+ // completed before opened
		"合计,11,,,,,,,,,,,,,,,,\n"))

	// 12. Leading-zero and letter-E part numbers; summary row 小计.
	write("parts_leading_zero.csv", []byte("门店编号,配件编号,配件名称,成本价(元),采购周期,到货周期\nS001,00123,机油滤清器,12.50,7,3\nS001,8E0698151,刹车片,\"¥1,234.50\",14,5\nS001,1.2E+5,火花塞,3,0,0\n小计,,,,,\n"))

	// 14. A required column missing (opened_at).
	write("missing_column.csv", []byte("store_id,order_no,vin,order_type,status\nS001,X1,LSVAA4180E2123456,repair,open\n"))
	// a required column under a name no alias has, beside a column no kind has
	write("unknown_header.csv", []byte("门店编号,工单号,车辆识别码XX,工单类型,进厂时间,状态,备注\nS001,W1,LSVAA4180E2100001,保养,2026-09-01 10:00,在修,\n"))

	// 20. An old .xls (OLE2 signature) and an HTML table saved as .xls.
	write("renamed.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 504)...))
	write("html_as.xls", []byte("<html><body><table><tr><td>工单号</td></tr></table></body></html>"))
	write("renamed_xls.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 504)...))
	// 20b. A password-protected workbook: Office keeps an encrypted .xlsx in a compound file
	// whose directory names an EncryptionInfo stream (here: the header sector, then a directory
	// sector with that name in UTF-16).
	enc := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	dirSector := make([]byte, 512)
	for i, r := range "EncryptionInfo" {
		dirSector[2*i] = byte(r)
	}
	write("encrypted.xlsx", append(append(enc, dirSector...), make([]byte, 1024)...))

	// 21. Store conflict: the file says S002, the command line says S001.
	write("store_conflict.csv", []byte("store_id,tech_id,month,days_worked,days_scheduled\nS001,T1,2026-03,20,22\nS002,T2,2026-03,21,22\n"))
	// attendance without store_id: needs --store.
	write("attendance_nostore.csv", []byte("工号,月份,出勤天数,应出勤天数\nT1,2026年3月,20.5,22\nT2,2026/3,22,22\n"))

	// Re-exports: the same orders, one corrected (amount), one added.
	write("reexport_v1.csv", []byte("store_id,order_no,vin,order_type,opened_at,delivered_at,status,labor_amount\nS001,E1,LSVAA4180E2123456,repair,2026-03-01 08:00,2026-03-01 12:00,delivered,100\nS001,E2,LSVAA4180E2123456,repair,2026-03-02 08:00,,open,50\n"))
	write("reexport_v2.csv", []byte("store_id,order_no,vin,order_type,opened_at,delivered_at,status,labor_amount\nS001,E1,LSVAA4180E2123456,repair,2026-03-01 08:00,2026-03-01 12:00,delivered,110\nS001,E2,LSVAA4180E2123456,repair,2026-03-02 08:00,2026-03-03 10:00,delivered,50\nS001,E3,LSVAA4180E2123456,maintenance,2026-03-04 08:00,,open,0\n"))

	// 4/7. XLSX: two title rows above the header, serial dates (1900 system), numeric cells,
	// a boolean cell, a numeric ID cell, a text ID in scientific notation and a summary row.
	xlsx("title_serial.xlsx", [][]any{
		{"上海浦东大众4S店 工单明细"},
		{"导出时间：2026-04-01"},
		{"门店编号", "工单号", "车架号", "联系电话", "维修类别", "进厂时间", "交车时间", "工单状态", "是否预约", "工时费"},
		{"S001", "X01", "LSVAA4180E2123456", 13800138000, "保养", 46086.604166666664, 46086.75, "已交车", true, 1234.5},
		{"S001", "X02", "LSVAA4180E2123456", "1.38E+10", "保养", 46087.0, 46087.5, "已交车", false, 88},
		{"S001", "X03", "LSVAA4180E2123456", 138.5, "保养", 46087.0, 46087.5, "已交车", false, 88},
		nil,
		{"S001", "X04", "LSVAA4180E2123456", nil, "机修", "2026-03-07 09:00", "2026/3/7 17:30", "已交车", "否", 99.999},
		{"合计", nil, nil, nil, nil, nil, nil, nil, nil, 1510.5},
	}, func(f *excelize.File) { f.MergeCell("Sheet1", "A1", "J1") })

	// 5. Merged header cells: a two-level header whose first cells are merged vertically.
	xlsx("merged_header.xlsx", [][]any{
		{"门店编号", "技师编号", "姓名", "班组", "级别信息", nil, "保底工资", "生效月份"},
		{nil, nil, nil, nil, "岗位级别", "技术系数", nil, nil},
		{"S001", "T001", "王师傅", "A组", "主修", 4.5, 4500, "2026-01"},
		{"S001", "T002", "李师傅", "A组", "学徒", 1.2, 2200, "2026年1月"},
		{"S001", "T003", "赵师傅", "A组", "辅修", 2.5, 3000, 46023},
	}, func(f *excelize.File) {
		for _, c := range []string{"A", "B", "C", "D", "G", "H"} {
			f.MergeCell("Sheet1", c+"1", c+"2")
		}
		f.MergeCell("Sheet1", "E1", "F1")
	})

	// 6. A 1904-date workbook: serial 44624.604166666664 is 2026-03-05 14:30 there.
	xlsx("date1904.xlsx", [][]any{
		{"门店编号", "回访编号", "工单号", "回访时间", "是否接通", "满意度"},
		{"S001", "C1", "WO0001", 44624.604166666664, true, 5},
		{"S001", "C2", "WO0001", 44625.0, false, nil},
		{"S001", "C3", "WO0001", 44625.5, true, 7},
	}, func(f *excelize.File) {
		t := true
		f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &t})
	})
	checkZip(filepath.Join(dir, "date1904.xlsx"))
}

// checkZip makes sure the 1904 flag was written.
func checkZip(path string) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		log.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			rc, _ := f.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			if !strings.Contains(b.String(), "date1904") {
				log.Fatal("1904 flag missing")
			}
		}
	}
}
