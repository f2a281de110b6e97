-- description: comebacks opened in a store-month by cause (suspected ones have no recorded cause), most frequent first, with the cumulative share (Pareto)
-- description zh: 门店某月新开返修工单按原因统计（疑似返修没有记录原因），按次数从多到少，含累计占比（帕累托）
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
