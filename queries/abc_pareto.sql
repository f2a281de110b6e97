-- description: parts of a store at a month end by 6-month consumption value, with cumulative share and ABC class (Pareto)
-- description zh: 门店月末各配件按 6 个月消耗金额排序，含累计占比和 ABC 分类（帕累托）
-- param: store
-- param: month
select part_no, consumption_value_6m, abc,
       sum(consumption_value_6m) over (order by consumption_value_6m desc, part_no rows between unbounded preceding and current row)
         / sum(consumption_value_6m) over () as cumulative_share
from mart_parts_month
where store_id = $store and month = $month and consumption_value_6m > 0
order by consumption_value_6m desc, part_no
