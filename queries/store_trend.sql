-- description: 13-month trend of a store's main KPIs ending at a month, with whether each month met the targets
-- description zh: 截至某月的门店主要指标 13 个月趋势，含各月是否达标
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_store_month where store_id = $store and orders > 0) else $month end as month
),
-- whether each month met its KPI's target, as mart_benchmark judges it (NULL: no target, or no value)
met as (
    select month,
           bool_or(meets_target) filter (where kpi = 'ftfr') as ftfr_meets_target,
           bool_or(meets_target) filter (where kpi = 'csi') as csi_meets_target,
           bool_or(meets_target) filter (where kpi = 'on_time_rate') as on_time_rate_meets_target,
           bool_or(meets_target) filter (where kpi = 'complaint_rate') as complaint_rate_meets_target
    from mart_benchmark
    where store_id = $store and kpi in ('ftfr', 'csi', 'on_time_rate', 'complaint_rate')
    group by month
)
select s.month, orders, revenue, labor_revenue, parts_revenue, other_revenue, ftfr, ftfr_provisional, csi, on_time_rate,
       turnaround_hours_median, turnaround_hours_p90, comeback_rate, complaint_rate, inventory_value, turnover,
       ftfr_meets_target, csi_meets_target, on_time_rate_meets_target, complaint_rate_meets_target
from mart_store_month s
left join met using (month)
where s.store_id = $store
  and s.month <= (select month from m)
  and s.month > strftime(strptime((select month from m) || '-01', '%Y-%m-%d') - interval 13 month, '%Y-%m')
order by s.month
