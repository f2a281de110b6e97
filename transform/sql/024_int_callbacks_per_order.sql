-- int_callbacks_per_order: per order, the callback facts the KPIs need (CONTRACT §2 callbacks), in
-- one pass over the callbacks; int_order_callbacks (a view) completes the first reached callback
-- where this pass cannot decide it.
--   first reached callback = the earliest called_at among reached ones (then smallest callback_id):
--   it gives the order's score and fixed_ok, NULL where that call has none (a later call's
--   answer does not stand in). The answer is one integer a ∈ [0, 17] (callback_answer in
--   000_macros.sql), and the earliest call's is the low 5 bits of min(epoch_us(called_at) × 32 + a)
--   (ingest keeps years in 1900–2199: no overflow). That minimum breaks a tie of called_at by the
--   smaller a, not the smaller callback_id; min(… × 32 + 31 − a) breaks it by the larger a. Where
--   the two agree every reached call at the earliest instant gave the same answer and the tie does
--   not matter; where they differ (`tied`), int_order_callbacks takes the answer by callback_id.
--   Two integer minima instead of arg_min over (called_at, callback_id), which compared a struct
--   per row: the model 1.06 / 0.83 / 1.01 → 0.81 / 0.59 / 0.39 s in alternating full runs at S (1.96 M callbacks).
--   Before that, arg_min replaced a row_number() window joined back (1.6 s → 0.7 s).
--   Note: on Spark or Trino, min_by(value, struct) does the same.
-- A temp table, not a view: as a view its one reader (int_cust_advisor_month) aggregated it straight
-- into its join, 0.05–0.1 s faster at S, but at L (19 M callbacks, 16 M orders) the aggregate and
-- the join's hash table then had to fit in memory together, and the full transform ran out of its
-- 3.3 GB (session 21, `make bench SCALE=L`).
-- materialized: temp
-- computed: by store ranges in full runs
-- One row per (store_id, order_no), its GROUP BY keys: a unique test on them could not fail
-- (it cost 0.18 s of a full run at S), so there is none.
with callbacks as (
    select store_id, order_no, called_at, reached, complaint, resolved_at,
           callback_answer(score, fixed_ok) as a
    from raw_callbacks
),

per_order as (
    select
        store_id, order_no,
        count(*) as callbacks,
        min(called_at) as first_called_at,
        bool_or(reached) as any_reached,
        bool_or(complaint) as any_complaint,
        count(*) filter (where complaint) as complaint_callbacks,
        count(*) filter (where complaint and resolved_at is not null and resolved_at <= called_at + interval 7 day) as complaints_resolved_7d,
        min(epoch_us(called_at) * 32 + a) filter (where reached) as lo,
        min(epoch_us(called_at) * 32 + 31 - a) filter (where reached) as hi
    from callbacks
    group by store_id, order_no
),

final as (
    select
        store_id, order_no, callbacks, first_called_at, any_reached, any_complaint,
        complaint_callbacks, complaints_resolved_7d,
        lo & 31 as first_reached,                  -- a of the earliest reached call (NULL: none reached)
        (lo & 31) <> 31 - (hi & 31) as tied        -- reached calls at that instant answered differently
    from per_order
)

select * from final
