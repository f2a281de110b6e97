-- description: orders in the shop at a month end (opened before it, not delivered by then, not cancelled) with their age — the month-end in-shop list
-- description zh: 月末在厂车辆（月前开单、到月末未交车、未作废）及其在厂天数 —— 月末在厂清单
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_store_month where store_id = $store and orders > 0) else $month end as month
),
cutoff as (
    select strptime((select month from m) || '-01', '%Y-%m-%d') + interval 1 month as t
)
select o.order_no, o.order_type, o.status, o.opened_at, o.promised_at, o.advisor_id, o.plate,
       round(date_diff('second', o.opened_at, c.t) / 86400.0, 1) as age_days,
       o.promised_at is not null and o.promised_at < c.t as past_promise
from raw_work_orders o, cutoff c
where o.store_id = $store and o.status <> 'cancelled'
  and o.opened_at < c.t and (o.delivered_at is null or o.delivered_at >= c.t)
order by o.opened_at, o.order_no
