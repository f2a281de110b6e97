-- description: data-quality findings per store (freshness, orphans, unknown parts, techs and store ids, negative stock, attendance days over the month, rejected rows, payroll exceptions)
-- description zh: 各门店的数据质量问题（数据时效、孤立记录、未知配件、技师和门店编号、负库存、考勤天数超过当月天数、被拒收的行、工资异常）
select store_id, "check", severity, count, amount, example from mart_data_quality order by store_id, severity desc, "check"
