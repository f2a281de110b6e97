-- description: data-quality findings per store (freshness, orphans, unknown parts and techs, negative stock, rejected rows, payroll exceptions)
-- description zh: 各门店的数据质量问题（数据时效、孤立记录、未知配件和技师、负库存、被拒收的行、工资异常）
select store_id, "check", severity, count, amount, example from mart_data_quality order by store_id, severity desc, "check"
