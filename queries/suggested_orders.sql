-- description: parts to order now: suggested quantity = ceil(safety stock) − on hand, with MAD and ABC class
-- description zh: 现在应订的配件：建议订货量 = 安全库存向上取整 − 现有库存，含 MAD 和 ABC 分类
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_parts_month where store_id = $store) else $month end as month
)
select p.part_no, r.part_name, p.abc, p.on_hand, round(p.mad, 2) as mad, round(p.safety_stock, 2) as safety_stock,
       p.suggested_order, p.unit_cost, (p.suggested_order * p.unit_cost) as order_value
from mart_parts_month p
left join raw_parts r using (store_id, part_no)
where p.store_id = $store and p.month = (select month from m) and p.suggested_order > 0
order by p.abc, order_value desc, p.part_no
