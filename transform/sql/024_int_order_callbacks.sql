-- int_order_callbacks: per order, the callback facts the KPIs need (CONTRACT §2 callbacks).
--   first reached callback = the earliest called_at among reached ones (then smallest callback_id):
--   it gives the order's score and fixed_ok, NULL where that call has none (a later call's
--   answer does not stand in). One pass: arg_min over the pair {score, fixed_ok}, which is never
--   NULL itself (arg_min of a bare column skips the rows where it is NULL), instead of a
--   row_number() window joined back (1.6 s → 0.7 s for 1.9 M callbacks). The pair is packed in
--   one integer, score × 3 + fixed_ok (true 2, false 1, NULL 0) with a NULL score as 0 (a score
--   is 1–5: ingest rejects others), and unpacked below: as a struct the query took 0.55 s, as
--   an integer 0.4 s (1.9 M callbacks, alone).
--   Note: on Spark or Trino, min_by(value, struct) does the same.
-- A temp table, not a view: as a view its one reader (int_cust_advisor_month) aggregated it straight
-- into its join, 0.05–0.1 s faster at S, but at L (19 M callbacks, 16 M orders) the aggregate and
-- the join's hash table then had to fit in memory together, and the full transform ran out of its
-- 3.3 GB (session 21, `make bench SCALE=L`).
-- materialized: temp
-- One row per (store_id, order_no), its GROUP BY keys: a unique test on them could not fail
-- (it cost 0.18 s of a full run at S), so there is none.
with per_order as (
    select
        store_id, order_no,
        count(*) as callbacks,
        min(called_at) as first_called_at,
        bool_or(reached) as any_reached,
        bool_or(complaint) as any_complaint,
        count(*) filter (where complaint) as complaint_callbacks,
        count(*) filter (where complaint and resolved_at is not null and resolved_at <= called_at + interval 7 day) as complaints_resolved_7d,
        arg_min(coalesce(score, 0) * 3 + case fixed_ok when true then 2 when false then 1 else 0 end,
                (called_at, callback_id)) filter (where reached) as first_reached
    from raw_callbacks
    group by store_id, order_no
),

final as (
    select
        store_id, order_no, callbacks, first_called_at, any_reached, any_complaint,
        complaint_callbacks, complaints_resolved_7d,
        nullif(first_reached // 3, 0) as first_score,
        case first_reached % 3 when 2 then true when 1 then false end as first_fixed_ok
    from per_order
)

select * from final
