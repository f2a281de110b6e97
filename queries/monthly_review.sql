-- description: every KPI of one store-month with its target, previous month (环比), same month last year (同比) and, for the KPIs that add up, the year to date (本年累计) against last year's
-- description zh: 门店某月的全部指标，含目标、上月（环比）、去年同月（同比），以及可累加指标的本年累计和去年同期累计
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_store_month where store_id = $store and orders > 0) else $month end as month
),
months as (
    -- this month, the previous month (环比) and the same month last year (同比)
    select month as cur,
           strftime(strptime(month || '-01', '%Y-%m-%d') - interval 1 month, '%Y-%m') as prev,
           strftime(strptime(month || '-01', '%Y-%m-%d') - interval 12 month, '%Y-%m') as py
    from m
),
three as (
    select case s.month when months.cur then 'cur' when months.prev then 'prev' else 'py' end as which,
           s.orders::double as orders, s.revenue::double as revenue, s.labor_revenue::double as labor_revenue,
           s.parts_revenue::double as parts_revenue, s.revenue_per_order::double as revenue_per_order, s.appointment_rate,
           s.turnaround_hours_avg, s.turnaround_hours_median, s.turnaround_hours_p90, s.on_time_rate, s.ftfr, s.comeback_rate,
           s.comebacks_flagged::double as comebacks_flagged, s.comebacks_suspected::double as comebacks_suspected,
           s.callback_rate, s.callback_timely_rate, s.reach_rate, s.csi, s.avg_score, s.reported_fix_rate, s.complaint_rate,
           s.complaint_resolved_rate, s.flagged_hours::double as flagged_hours, s.techs::double as techs,
           s.revenue_per_tech::double as revenue_per_tech, s.fill_rate, s.inventory_value::double as inventory_value, s.turnover,
           s.dead_stock_value::double as dead_stock_value
    from mart_store_month s, months
    where s.store_id = $store and s.month in (months.cur, months.prev, months.py)
),
long as (
    select which, kpi, value
    from three
    unpivot include nulls (value for kpi in (orders, revenue, labor_revenue, parts_revenue, revenue_per_order, appointment_rate,
        turnaround_hours_avg, turnaround_hours_median, turnaround_hours_p90, on_time_rate, ftfr, comeback_rate, comebacks_flagged,
        comebacks_suspected, callback_rate, callback_timely_rate, reach_rate, csi, avg_score, reported_fix_rate, complaint_rate,
        complaint_resolved_rate, flagged_hours, techs, revenue_per_tech, fill_rate, inventory_value, turnover, dead_stock_value))
),
-- 本年累计 (year to date) of the KPIs that add up over months: this year's January … the month,
-- and last year's January … the same month; and the revenue per order of those months (their
-- revenue ÷ their orders, as the month's is). A year whose January is before the store's first
-- month in the mart (its data begins later) has no year to date: a sum of part of it would read
-- as a fall (or, last year's, a rise) that is only missing data.
ytd as (
    select case when left(s.month, 4) = left(months.cur, 4) then 'ytd' else 'ytd_py' end as which,
           sum(s.orders)::double as orders, sum(s.revenue)::double as revenue, sum(s.labor_revenue)::double as labor_revenue,
           sum(s.parts_revenue)::double as parts_revenue, sum(s.comebacks_flagged)::double as comebacks_flagged,
           sum(s.comebacks_suspected)::double as comebacks_suspected, sum(s.flagged_hours)::double as flagged_hours,
           -- (rounded half away from zero to the cent in integers, as mart_store_month's money_div)
           case when sum(s.orders) > 0
                then ((cast(sum(s.revenue) * 100 as hugeint) * 2 + sign(sum(s.revenue)) * sum(s.orders)) // (2 * sum(s.orders)))::double / 100
           end as revenue_per_order
    from mart_store_month s, months
    where s.store_id = $store
      and (s.month between left(months.cur, 4) || '-01' and months.cur or s.month between left(months.py, 4) || '-01' and months.py)
      and left(s.month, 4) || '-01' >= (select min(month) from mart_store_month where store_id = $store)
    group by all
),
ytd_long as (
    select which, kpi, value
    from ytd
    unpivot include nulls (value for kpi in (orders, revenue, labor_revenue, parts_revenue, comebacks_flagged, comebacks_suspected, flagged_hours, revenue_per_order))
),
cur as (
    select * from mart_store_month where store_id = $store and month = (select month from m)
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
    d.formula_zh, d.formula_en,
    yc.value as value_ytd,
    yp.value as value_ytd_prev_year,
    yc.value - yp.value as change_ytd
from kpi_dictionary d
join long c on c.kpi = d.kpi and c.which = 'cur'
left join long p on p.kpi = d.kpi and p.which = 'prev'
left join long y on y.kpi = d.kpi and y.which = 'py'
left join ytd_long yc on yc.kpi = d.kpi and yc.which = 'ytd'
left join ytd_long yp on yp.kpi = d.kpi and yp.which = 'ytd_py'
order by d.position
