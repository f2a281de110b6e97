-- description: data-quality findings per store (freshness, orphans, unknown parts and techs, negative stock, rejected rows, payroll exceptions)
select store_id, "check", severity, count, amount, example from mart_data_quality order by store_id, severity desc, "check"
