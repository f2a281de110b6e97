-- int_order_callbacks: per order, the callback facts the KPIs need (CONTRACT §2 callbacks).
--   first reached callback = the earliest called_at among reached ones (then smallest callback_id):
--   it gives the order's score and fixed_ok.
-- materialized: temp
-- test: unique(store_id, order_no)
with cb as (
    select * from raw_callbacks
),

first_reached as (
    select store_id, order_no, score, fixed_ok,
           row_number() over (partition by store_id, order_no order by called_at, callback_id) as rn
    from cb
    where reached
),

per_order as (
    select
        store_id, order_no,
        count(*) as callbacks,
        min(called_at) as first_called_at,
        bool_or(reached) as any_reached,
        bool_or(complaint) as any_complaint,
        count(*) filter (where complaint) as complaint_callbacks,
        count(*) filter (where complaint and resolved_at is not null and resolved_at <= called_at + interval 7 day) as complaints_resolved_7d
    from cb
    group by store_id, order_no
),

final as (
    select p.*, f.score as first_score, f.fixed_ok as first_fixed_ok
    from per_order p
    left join first_reached f on f.store_id = p.store_id and f.order_no = p.order_no and f.rn = 1
)

select * from final
