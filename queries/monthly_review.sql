-- description: every KPI of one store-month with its target, previous month (环比) and same month last year (同比)
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_store_month where store_id = $store and orders > 0) else $month end as month
),
cur as (
    select * from mart_store_month where store_id = $store and month = (select month from m)
),
prev as (
    select * from mart_store_month where store_id = $store
      and month = strftime(strptime((select month from m) || '-01', '%Y-%m-%d') - interval 1 month, '%Y-%m')
),
py as (
    select * from mart_store_month where store_id = $store
      and month = strftime(strptime((select month from m) || '-01', '%Y-%m-%d') - interval 12 month, '%Y-%m')
),
long as (
    select 'cur' as which, kpi, value from (
        select orders::double as orders, revenue::double as revenue, labor_revenue::double as labor_revenue, parts_revenue::double as parts_revenue,
               revenue_per_order::double as revenue_per_order, appointment_rate, turnaround_hours_avg, turnaround_hours_median, turnaround_hours_p90,
               on_time_rate, ftfr, comeback_rate, comebacks_flagged::double as comebacks_flagged, comebacks_suspected::double as comebacks_suspected,
               callback_rate, callback_timely_rate, reach_rate, csi, avg_score, reported_fix_rate, complaint_rate, complaint_resolved_rate,
               flagged_hours::double as flagged_hours, techs::double as techs, revenue_per_tech::double as revenue_per_tech, fill_rate,
               inventory_value::double as inventory_value, turnover, dead_stock_value::double as dead_stock_value
        from cur) unpivot include nulls (value for kpi in (orders, revenue, labor_revenue, parts_revenue, revenue_per_order, appointment_rate,
            turnaround_hours_avg, turnaround_hours_median, turnaround_hours_p90, on_time_rate, ftfr, comeback_rate, comebacks_flagged,
            comebacks_suspected, callback_rate, callback_timely_rate, reach_rate, csi, avg_score, reported_fix_rate, complaint_rate,
            complaint_resolved_rate, flagged_hours, techs, revenue_per_tech, fill_rate, inventory_value, turnover, dead_stock_value))
    union all
    select 'prev', kpi, value from (
        select orders::double as orders, revenue::double as revenue, labor_revenue::double as labor_revenue, parts_revenue::double as parts_revenue,
               revenue_per_order::double as revenue_per_order, appointment_rate, turnaround_hours_avg, turnaround_hours_median, turnaround_hours_p90,
               on_time_rate, ftfr, comeback_rate, comebacks_flagged::double as comebacks_flagged, comebacks_suspected::double as comebacks_suspected,
               callback_rate, callback_timely_rate, reach_rate, csi, avg_score, reported_fix_rate, complaint_rate, complaint_resolved_rate,
               flagged_hours::double as flagged_hours, techs::double as techs, revenue_per_tech::double as revenue_per_tech, fill_rate,
               inventory_value::double as inventory_value, turnover, dead_stock_value::double as dead_stock_value
        from prev) unpivot include nulls (value for kpi in (orders, revenue, labor_revenue, parts_revenue, revenue_per_order, appointment_rate,
            turnaround_hours_avg, turnaround_hours_median, turnaround_hours_p90, on_time_rate, ftfr, comeback_rate, comebacks_flagged,
            comebacks_suspected, callback_rate, callback_timely_rate, reach_rate, csi, avg_score, reported_fix_rate, complaint_rate,
            complaint_resolved_rate, flagged_hours, techs, revenue_per_tech, fill_rate, inventory_value, turnover, dead_stock_value))
    union all
    select 'py', kpi, value from (
        select orders::double as orders, revenue::double as revenue, labor_revenue::double as labor_revenue, parts_revenue::double as parts_revenue,
               revenue_per_order::double as revenue_per_order, appointment_rate, turnaround_hours_avg, turnaround_hours_median, turnaround_hours_p90,
               on_time_rate, ftfr, comeback_rate, comebacks_flagged::double as comebacks_flagged, comebacks_suspected::double as comebacks_suspected,
               callback_rate, callback_timely_rate, reach_rate, csi, avg_score, reported_fix_rate, complaint_rate, complaint_resolved_rate,
               flagged_hours::double as flagged_hours, techs::double as techs, revenue_per_tech::double as revenue_per_tech, fill_rate,
               inventory_value::double as inventory_value, turnover, dead_stock_value::double as dead_stock_value
        from py) unpivot include nulls (value for kpi in (orders, revenue, labor_revenue, parts_revenue, revenue_per_order, appointment_rate,
            turnaround_hours_avg, turnaround_hours_median, turnaround_hours_p90, on_time_rate, ftfr, comeback_rate, comebacks_flagged,
            comebacks_suspected, callback_rate, callback_timely_rate, reach_rate, csi, avg_score, reported_fix_rate, complaint_rate,
            complaint_resolved_rate, flagged_hours, techs, revenue_per_tech, fill_rate, inventory_value, turnover, dead_stock_value))
)
select
    (select month from m) as month,
    d.kpi, d.label_zh, d.label_en, d.unit, d.direction,
    c.value,
    d.target,
    case when d.target is null or c.value is null then null
         when d.direction = 'up' then c.value >= d.target else c.value <= d.target end as meets_target,
    p.value as value_prev_month,
    c.value - p.value as change_mom,
    y.value as value_prev_year,
    c.value - y.value as change_yoy,
    case when d.kpi = 'ftfr' then (select ftfr_provisional from cur) end as provisional,
    d.formula_zh, d.formula_en
from kpi_dictionary d
join long c on c.kpi = d.kpi and c.which = 'cur'
left join long p on p.kpi = d.kpi and p.which = 'prev'
left join long y on y.kpi = d.kpi and y.which = 'py'
order by d.position
