-- description: comebacks opened in a store-month by cause (suspected ones have no recorded cause), most frequent first, with the cumulative share (Pareto)
-- param: store
-- param: month
with c as (
    select coalesce(cause, case when kind = 'suspected' then 'suspected' else 'unrecorded' end) as cause, count(*) as comebacks
    from mart_comebacks
    where store_id = $store and month = $month
    group by 1
)
select cause, comebacks,
       sum(comebacks) over (order by comebacks desc, cause rows between unbounded preceding and current row) / sum(comebacks) over () as cumulative_share
from c
order by comebacks desc, cause
