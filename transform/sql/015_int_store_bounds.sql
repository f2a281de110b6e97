-- int_store_bounds: per store, the first and last instant of order or parts activity and as_of
-- (the latest opened_at of any work order: CONTRACT §2 "provisional"). Always over all loaded
-- rows, also in an incremental run (the spine and as_of depend on the whole history).
-- materialized: temp
-- incremental: full
-- test: unique(store_id)
with t as (
    select store_id, min(opened_at) as lo, max(greatest(opened_at, coalesce(delivered_at, opened_at))) as hi,
           max(opened_at) as as_of
    from raw_work_orders
    group by store_id
    union all
    select store_id, min(moved_at), max(moved_at), null
    from raw_parts_movements
    group by store_id
)

select store_id, min(lo) as lo, max(hi) as hi, max(as_of) as as_of
from t
group by store_id
