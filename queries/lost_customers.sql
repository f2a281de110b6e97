-- description: VINs seen in the 24 months before the last N months (setting lost_customer_months) but not in the last N — for win-back calls
-- description zh: 最近 N 个月之前的 24 个月里来过、最近 N 个月没来的车辆（参数 lost_customer_months）—— 用于流失客户回访
-- param: store
-- Ties: of two orders of a VIN opened at the same minute, the greater order_no gives its name,
-- phone, plate and model (arg_max over (opened_at, order_no)), so the list is the same each run.
with cfg as (
    select lost_customer_months as n from cfg_store where store_id = $store
),
as_of as (
    select max(opened_at) as t from raw_work_orders where store_id = $store
),
visits as (
    select vin, order_no, opened_at, customer_name, phone, plate, model, mileage_km
    from raw_work_orders
    where store_id = $store and status <> 'cancelled'
),
bounds as (
    select t - to_months((select n from cfg)) as recent_from,
           t - to_months((select n from cfg) + 24) as earlier_from
    from as_of
),
last_visit as (
    select vin, arg_max(customer_name, (opened_at, order_no)) as customer_name, arg_max(phone, (opened_at, order_no)) as phone,
           arg_max(plate, (opened_at, order_no)) as plate, arg_max(model, (opened_at, order_no)) as model, max(opened_at) as last_visit,
           count(*) as visits
    from visits group by vin
)
select l.vin, l.plate, l.model, l.customer_name, l.phone, l.last_visit, l.visits
from last_visit l, bounds b
where l.last_visit < b.recent_from and l.last_visit >= b.earlier_from
order by l.last_visit desc, l.vin
