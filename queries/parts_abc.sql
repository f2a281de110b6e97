-- description: ABC classes of a store at a month end: parts, 6-month consumption value and stock value per class
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
