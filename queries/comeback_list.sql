-- description: comebacks opened in a store-month with their origin order, shared fault systems, cause and the technicians charged
-- description zh: 门店某月新开的返修工单，含源头工单、共同故障系统、原因和被扣款的技师
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_comebacks where store_id = $store) else $month end as month
)
select
    c.order_no, c.opened_at, c.kind, c.cause, c.vin,
    c.origin_order_no, o.delivered_at as origin_delivered_at,
    c.fault_systems, c.charged_tech_ids
from mart_comebacks c
left join stg_orders o on o.store_id = c.store_id and o.order_no = c.origin_order_no
where c.store_id = $store and c.month = (select month from m)
order by c.opened_at, c.order_no
