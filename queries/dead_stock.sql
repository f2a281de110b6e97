-- description: dead stock (滞库件) at a month end: parts with stock and no issue in the dead-stock window, by value
-- description zh: 月末呆滞库存（滞库件）：有库存但在呆滞期内没有出库的配件，按金额排序
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_parts_month where store_id = $store) else $month end as month
)
select p.part_no, r.part_name, r.category, p.on_hand, p.unit_cost, (p.on_hand * p.unit_cost) as stock_value, p.last_issue_at, p.abc
from mart_parts_month p
left join raw_parts r using (store_id, part_no)
where p.store_id = $store and p.month = (select month from m) and p.dead
order by stock_value desc, p.part_no
