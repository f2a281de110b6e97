package workbook

// checks: the data-quality checks' names (mart_data_quality.check, CONTRACT §3) in Chinese and
// English, each with what to do about it; shared by the dashboards and the payroll sheet.
var checks = map[string][2][2]string{
	"freshness":          {{"数据截至", "最新工单的进厂时间与最近一次导入；比集团最新数据早31天以上为警告：导入该门店最近的工单"}, {"Freshness", "the latest work order and the last ingest; a warning when more than 31 days behind the group: ingest the store's latest work orders"}},
	"orphan_jobs":        {{"工时行无对应工单", "工时行的工单号在工单中找不到：导入这些工单所在月份的工单导出"}, {"Job lines without an order", "the job line's order number is not among the work orders: ingest the work orders of that month"}},
	"orphan_callbacks":   {{"回访无对应工单", "回访记录的工单号在工单中找不到：导入这些工单所在月份的工单导出"}, {"Callbacks without an order", "the callback's order number is not among the work orders: ingest the work orders of that month"}},
	"orphan_movements":   {{"出入库引用的工单不存在", "出入库记录引用的工单号在工单中找不到；仍计入库存与满足率"}, {"Movements citing an unknown order", "the movement's order number is not among the work orders; it still counts for stock and fill rate"}},
	"unknown_parts":      {{"配件档案中无此配件", "出入库的配件号不在配件档案中，无成本、不计库存金额：导入最新的配件档案"}, {"Parts not in the catalogue", "movements of a part number missing from the parts file have no cost and no value: ingest the current parts file"}},
	"unknown_techs":      {{"技师档案中无此技师", "工时行或考勤的技师编号不在技师档案中：导入最新的技师档案"}, {"Technicians not on file", "a job line's or attendance row's technician is not in the technicians file: ingest the current technicians file"}},
	"negative_stock":     {{"负库存", "最近月末账面库存为负的配件数：核对出入库导出是否缺月"}, {"Negative stock", "parts with negative stock at the latest month end: check for a missing month of movements"}},
	"vin_check_digit":    {{"VIN校验位不符", "第9位校验位不符的VIN数（部分进口车VIN不含校验位，仅提示）"}, {"VIN check digit", "VINs whose 9th-position check digit does not match (some imported cars have none: information only)"}},
	"undistributed_pool": {{"工资池无法分配", "班组有工资池但无人有考勤，无法分配：补导考勤"}, {"Pool not distributed", "a team's pool has no member with attendance to share it: ingest the attendance"}},
	"unassigned_labour":  {{"工时未归属班组", "技师不在当月有效的技师档案中，其工时费不进任何班组的工资池：补导技师档案"}, {"Labour in no team", "labour of technicians with no technicians row in force goes to no team's pool: ingest the technicians file"}},
	"no_attendance":      {{"有派工无考勤", "技师有工时行但无考勤，出勤比例为0、不分配：补导考勤"}, {"Job lines, no attendance", "technicians with job lines but no attendance row get ratio 0 and no share: ingest the attendance"}},
	"unknown_store":      {{"门店档案中无此门店", "该门店编号有数据，但不在门店档案中（如把 S001 录成 s001），这些数据被当作另一家门店、不计入原门店的指标和工资：修正门店编号后重新导入，或导入包含该门店的门店档案"}, {"Store not in the stores file", "data under a store id the stores file does not have (s001 typed for S001) counts as a store of its own, not in the store's KPIs or payroll: correct the store id and ingest again, or ingest a stores file that has it"}},
	"attendance_days":    {{"出勤天数超过当月天数", "考勤的出勤或应出勤天数多于该月的天数（如把 22.0 录成 220）：出勤比例最多按 1 计，但工时效率按所填天数计算：修正考勤后重新导入"}, {"Attendance days over the month", "attendance rows with more days worked or scheduled than the month has (220 typed for 22.0): the payroll ratio is capped at 1, but efficiency divides by the days as written: correct the attendance and ingest it again"}},
	"file_notes":         {{"导入文件的提示", "已导入但带有提示的文件（未读取的列或工作表、重复的表头或键，见 ingest_files.message）：检查这些文件，必要时修改表头或重新导出后再导入"}, {"Files with a note", "files loaded with a note (columns or sheets not read, headers or keys repeated; ingest_files.message): check them, and rename a header or export again where needed"}},
	"rejected_rows":      {{"导入拒收的行", "导入时被拒收的行（文件、行号、列、原值与原因见 ingest_rejects）：修正后重新导出并导入"}, {"Rows rejected at ingest", "rows rejected at ingest (file, row, column, value and reason in ingest_rejects): correct them and ingest a new export"}},
}

// Check names a data-quality check in the language and says what to do about it; an unknown
// check keeps its name and has no advice.
func Check(lang, check string) (name, what string) {
	c, ok := checks[check]
	if !ok {
		return check, ""
	}
	i := 0
	if lang == "en" {
		i = 1
	}
	return c[i][0], c[i][1]
}
