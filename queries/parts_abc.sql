-- description: ABC classes of a store at a month end: parts, 6-month consumption value and stock value per class
-- description zh: 门店月末的 ABC 分类：各类的配件数、6 个月消耗金额和库存金额
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_parts_month where store_id = $store) else $month end as month
)
select abc, count(*) as parts, sum(consumption_value_6m) as consumption_value_6m, sum(inventory_value) as inventory_value,
       count(*) filter (where dead) as dead_parts
from mart_parts_month
where store_id = $store and month = (select month from m)
group by abc
order by abc
