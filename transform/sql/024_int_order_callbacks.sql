-- int_order_callbacks: int_callbacks_per_order with the first reached callback's score and
-- fixed_ok (CONTRACT §2 callbacks). Where reached calls of an order share the earliest called_at
-- and answered differently (`tied`, rare: the same instant to the microsecond), the one with the
-- smallest callback_id decides: arg_min over (called_at, callback_id), for those orders' callbacks
-- only (a semi join that finds none in the bench's data).
-- (File 024_int_order_callbacks runs after 024_int_callbacks_per_order: models run in file-name order.)
-- materialized: view
with ties as (
    select c.store_id, c.order_no,
           arg_min(callback_answer(c.score, c.fixed_ok), (c.called_at, c.callback_id)) as first_reached
    from raw_callbacks c
    semi join (select store_id, order_no from int_callbacks_per_order where tied) t
      on t.store_id = c.store_id and t.order_no = c.order_no
    where c.reached
    group by c.store_id, c.order_no
),

-- (the tied orders' rows apart and the others passed through, rather than a left join of every
-- order to the few ties: DuckDB built that join's hash table on the 1.6 M orders, 0.3 s at S)
final as (
    select
        store_id, order_no, callbacks, first_called_at, any_reached, any_complaint,
        complaint_callbacks, complaints_resolved_7d,
        nullif(first_reached // 3, 0) as first_score,
        case first_reached % 3 when 2 then true when 1 then false end as first_fixed_ok
    from (
        select * exclude (tied) from int_callbacks_per_order where tied is not true
        union all
        select p.* exclude (first_reached, tied), t.first_reached
        from (select * from int_callbacks_per_order where tied) p join ties t using (store_id, order_no)
    )
)

select * from final
