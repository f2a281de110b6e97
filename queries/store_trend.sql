-- description: 13-month trend of a store's main KPIs ending at a month
-- description zh: 截至某月的门店主要指标 13 个月趋势
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_store_month where store_id = $store and orders > 0) else $month end as month
)
select month, orders, revenue, labor_revenue, parts_revenue, other_revenue, ftfr, ftfr_provisional, csi, on_time_rate,
       turnaround_hours_median, turnaround_hours_p90, comeback_rate, complaint_rate, inventory_value, turnover
from mart_store_month
where store_id = $store
  and month <= (select month from m)
  and month > strftime(strptime((select month from m) || '-01', '%Y-%m-%d') - interval 13 month, '%Y-%m')
order by month
