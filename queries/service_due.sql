-- description: VINs whose next maintenance falls due next month, by last maintenance date + interval or by estimated mileage — the appointment (预约) call list
-- description zh: 下个月到期保养的车辆，按上次保养日期加间隔或按估算里程 —— 预约回访名单
-- param: store
-- param: month default latest
-- Ties: of two orders of a VIN opened at the same minute, the greater order_no gives its mileage,
-- name, phone and plate (arg_max over (opened_at, order_no)), so the list is the same each run.
with cfg as (
    select service_interval_days as days, service_interval_km as km from cfg_store where store_id = $store
),
m as (
    select case when $month = 'latest' then (select max(month) from mart_store_month where store_id = $store and orders > 0) else $month end as month
),
next_month as (
    select strptime((select month from m) || '-01', '%Y-%m-%d') + interval 1 month as start,
           strptime((select month from m) || '-01', '%Y-%m-%d') + interval 2 month as stop
),
maint as (
    select vin, max(opened_at) as last_maintenance, arg_max(mileage_km, (opened_at, order_no)) as km_at_maintenance
    from raw_work_orders
    where store_id = $store and order_type = 'maintenance' and status <> 'cancelled'
    group by vin
),
pace as (
    -- km per day from the VIN's first and last mileage readings
    select vin, arg_max(customer_name, (opened_at, order_no)) as customer_name, arg_max(phone, (opened_at, order_no)) as phone, arg_max(plate, (opened_at, order_no)) as plate,
           case when max(opened_at) > min(opened_at) and max(mileage_km) > min(mileage_km)
                then (max(mileage_km) - min(mileage_km)) / (date_diff('second', min(opened_at), max(opened_at)) / 86400.0) end as km_per_day
    from raw_work_orders where store_id = $store and status <> 'cancelled' group by vin
),
due as (
    select mt.vin, p.plate, p.customer_name, p.phone, mt.last_maintenance, mt.km_at_maintenance,
           mt.last_maintenance + to_days((select days from cfg)) as due_by_date,
           case when p.km_per_day > 0 and mt.km_at_maintenance is not null
                then mt.last_maintenance + to_days(cast(ceil((select km from cfg) / p.km_per_day) as integer)) end as due_by_km,
           p.km_per_day
    from maint mt join pace p using (vin)
)
select vin, plate, customer_name, phone, last_maintenance, km_at_maintenance, round(km_per_day, 1) as km_per_day,
       least(due_by_date, coalesce(due_by_km, due_by_date)) as due_at,
       case when due_by_km is not null and due_by_km < due_by_date then 'mileage' else 'date' end as due_by
from due, next_month
where least(due_by_date, coalesce(due_by_km, due_by_date)) >= next_month.start
  and least(due_by_date, coalesce(due_by_km, due_by_date)) < next_month.stop
order by due_at, vin
