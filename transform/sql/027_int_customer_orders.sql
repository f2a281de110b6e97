-- int_customer_orders: every customer order (closed, not internal: CONTRACT §2) with the columns
-- the store and advisor months aggregate, and its callback facts (int_order_callbacks; NULL
-- without a callback). Both marts read it, so customer orders are joined to their callbacks once
-- (0.6–0.9 s each at scale S).
-- materialized: temp
-- test: unique(store_id, order_no)
select
    o.store_id, o.order_no, o.month_closed as month, o.advisor_id,
    o.revenue, o.labor_amount, o.parts_amount, o.other_amount, o.discount_amount,
    o.appointment, o.opened_at, o.promised_at, o.delivered_at,
    cb.order_no is not null as with_callback,
    cb.first_called_at, cb.any_reached, cb.first_score, cb.first_fixed_ok,
    cb.any_complaint, cb.complaint_callbacks, cb.complaints_resolved_7d
from stg_orders o
left join int_order_callbacks cb using (store_id, order_no)
where o.is_customer
