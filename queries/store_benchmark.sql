-- description: head-office benchmark of a month: every store's value, rank, percentile, group median and target per KPI
-- description zh: 某月集团对标：每项指标下各门店的值、排名、百分位、集团中位数和目标
-- param: month default latest
with m as (
        -- latest: the most recent month with the most stores ranked (a stray order in a new month does not make it "latest")
    select case when $month = 'latest'
                then (select month from mart_benchmark where kpi = 'orders' group by month order by count(*) desc, month desc limit 1)
                else $month end as month
)
select b.kpi, d.label_zh, d.label_en, d.direction, b.store_id, s.store_name, b.value, b.rank, b.percentile,
       b.group_median, b.group_q1, b.group_q3, b.target, b.meets_target, b.change_mom, b.change_yoy,
       d.formula_zh, d.formula_en, b.value_prev_month, b.value_prev_year
from mart_benchmark b
join kpi_dictionary d using (kpi)
left join raw_stores s using (store_id)
where b.month = (select month from m)
order by d.position, b.rank nulls last, b.store_id
