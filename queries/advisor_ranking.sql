-- description: service advisors of a store-month ranked by revenue, with CSI, complaint and on-time rates
-- description zh: 门店某月服务顾问按产值排名，含满意度、投诉率和准时交车率
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_advisor_month where store_id = $store) else $month end as month
)
select
    rank() over (order by revenue desc) as rank,
    advisor_id, orders, revenue, revenue_per_order, csi, complaint_rate, on_time_rate
from mart_advisor_month
where store_id = $store and month = (select month from m)
order by rank, advisor_id
