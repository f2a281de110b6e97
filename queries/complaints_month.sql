-- description: complaint callbacks of a store-month's customer orders, with resolution time
-- description zh: 门店某月客户工单的投诉回访，含处理时长
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_store_month where store_id = $store and orders > 0) else $month end as month
)
select cb.callback_id, cb.called_at, cb.order_no, o.advisor_id, cb.complaint_type, o.customer_name, o.phone,
       cb.resolved_at,
       round(date_diff('second', cb.called_at, cb.resolved_at) / 86400.0, 1) as days_to_resolve,
       cb.resolved_at is not null and cb.resolved_at <= cb.called_at + interval 7 day as resolved_in_7d
from raw_callbacks cb
join stg_orders o using (store_id, order_no)
where cb.store_id = $store and cb.complaint and o.is_customer and o.month_closed = (select month from m)
order by cb.called_at, cb.callback_id
