-- description: complaint callbacks not yet resolved, oldest first, for the customer-service desk
-- description zh: 尚未解决的投诉回访，最早的在前，供客服跟进
-- param: store
select
    cb.callback_id, cb.called_at, cb.order_no, cb.complaint_type,
    o.customer_name, o.phone, o.plate, o.advisor_id,
    date_diff('day', cb.called_at, (select max(opened_at) from raw_work_orders where store_id = $store)) as days_open
from raw_callbacks cb
left join raw_work_orders o using (store_id, order_no)
where cb.store_id = $store and cb.complaint and cb.resolved_at is null
order by cb.called_at, cb.callback_id
