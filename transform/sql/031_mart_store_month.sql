-- mart_store_month: every KPI of CONTRACT §2 per store and month. Rates are fractions; an empty
-- denominator gives NULL. Rows: every month of the store's spine (a superset of the months with a
-- closed customer order).
-- test: unique(store_id, month)
-- test: not_null(store_id, month, orders, revenue)
-- test: expression(ftfr between 0 and 1 and coalesce(csi, 0) between 0 and 1 and coalesce(on_time_rate, 0) between 0 and 1)
-- test: expression(orders >= 0 and comebacks_flagged + comebacks_suspected = comebacks)
with spine as (
    select * from int_store_months
),

cfg as (
    select * from cfg_store
),

-- the customer orders, only the columns used below
cust as (
    select store_id, order_no, ym_closed, revenue, labor_amount, parts_amount, other_amount,
           discount_amount, appointment, opened_at, promised_at, delivered_at
    from stg_orders where is_customer
),

-- orders, revenue, appointment, turnaround, on-time: customer orders closed in the month
orders_agg as (
    select
        o.store_id, month_text(o.ym_closed) as month,
        count(*) as orders,
        sum(o.revenue) as revenue,
        sum(o.labor_amount) as labor_revenue,
        sum(o.parts_amount) as parts_revenue,
        sum(o.other_amount) as other_revenue,
        sum(o.discount_amount) as discount,
        count(*) filter (where o.appointment) as appointments,
        -- exact: an integer sum of microseconds, then one division (a DOUBLE avg depends on row order)
        sum(epoch_us(o.delivered_at) - epoch_us(o.opened_at))::hugeint / count(*) / 3600000000.0 as turnaround_hours_avg,
        -- (both quantiles from one list aggregate: one collection and sort per group). Of the
        -- integer microseconds, divided into hours after: a median between two of them is then
        -- exact before its one division, so equal medians are equal doubles and tie in the
        -- benchmark's ranks (interpolated between the hours' inexact doubles, orders of 150 and
        -- 158 minutes gave 2.5666666666666664 h and one of 154 minutes 2.566666666666667 h:
        -- ranked 1 and 2, benchmark_ties.yaml)
        quantile_cont(epoch_us(o.delivered_at) - epoch_us(o.opened_at), [0.5, 0.9]) as turnaround_q_us,
        count(*) filter (where o.promised_at is not null) as promised,
        count(*) filter (where o.promised_at is not null and o.delivered_at <= o.promised_at + c.on_time_grace) as on_time
    from cust o
    join cfg c using (store_id)
    group by o.store_id, o.ym_closed
),

-- comebacks by the month they opened, over non-cancelled orders opened that month
opened_agg as (
    select store_id, month_text(ym_opened) as month, count(*) as orders_opened
    from stg_orders where is_active
    group by store_id, ym_opened
),

comeback_agg as (
    select store_id, month_opened as month,
           count(*) as comebacks,
           count(*) filter (where kind = 'flagged') as comebacks_flagged,
           count(*) filter (where kind = 'suspected') as comebacks_suspected
    from int_comebacks
    group by all
),

as_of as (
    select store_id, as_of from int_store_bounds
),

-- first-time fix (orders that became a comeback's origin) and callbacks of the month's customer
-- orders: the sums of the store's advisors' rows (int_cust_advisor_month); avg_score as their
-- score sum over the scored orders, the same DOUBLE as avg() over the orders
callback_agg as (
    select
        store_id, month,
        sum(failed)::bigint as failed,
        sum(with_callback) as with_callback,
        sum(timely) as timely,
        sum(reached) as reached,
        sum(scored) as scored,
        sum(satisfied) as satisfied,
        case when sum(scored) > 0 then cast(sum(score_sum) as double) / sum(scored) end as avg_score,
        sum(fix_known) as fix_known,
        sum(fixed) as fixed,
        sum(complained) as complained,
        sum(complaint_callbacks) as complaint_callbacks,
        sum(complaints_resolved) as complaints_resolved
    from int_cust_advisor_month
    group by all
),

-- job lines of all closed orders, internal included (int_tech_jobs: per technician)
jobs_agg as (
    select store_id, month,
           sum(flagged_hours) as flagged_hours,
           count(distinct tech_id) as techs
    from int_tech_jobs
    group by all
),

final as (
    select
        s.store_id, s.month,
        -- throughput and revenue
        coalesce(o.orders, 0) as orders,
        coalesce(o.revenue, 0)::decimal(18, 2) as revenue,
        coalesce(o.labor_revenue, 0)::decimal(18, 2) as labor_revenue,
        coalesce(o.parts_revenue, 0)::decimal(18, 2) as parts_revenue,
        coalesce(o.other_revenue, 0)::decimal(18, 2) as other_revenue,
        coalesce(o.discount, 0)::decimal(18, 2) as discount,
        money_div(o.revenue, o.orders) as revenue_per_order,
        rate(o.appointments, o.orders) as appointment_rate,
        -- turnaround and on-time delivery
        o.turnaround_hours_avg, o.turnaround_q_us[1] / 3600000000.0 as turnaround_hours_median,
        o.turnaround_q_us[2] / 3600000000.0 as turnaround_hours_p90,
        rate(o.on_time, o.promised) as on_time_rate,
        -- first-time fix and comebacks
        case when o.orders > 0 then 1 - cast(k.failed as double) / o.orders end as ftfr,
        a.as_of < s.next_month_start + c.comeback_window as ftfr_provisional,
        coalesce(k.failed, 0) as failed_orders,
        rate(coalesce(cb.comebacks, 0), op.orders_opened) as comeback_rate,
        coalesce(cb.comebacks, 0) as comebacks,
        coalesce(cb.comebacks_flagged, 0) as comebacks_flagged,
        coalesce(cb.comebacks_suspected, 0) as comebacks_suspected,
        coalesce(op.orders_opened, 0) as orders_opened,
        -- callbacks, satisfaction, complaints
        rate(k.with_callback, o.orders) as callback_rate,
        rate(k.timely, o.orders) as callback_timely_rate,
        rate(k.reached, k.with_callback) as reach_rate,
        rate(k.satisfied, k.scored) as csi,
        k.avg_score,
        rate(k.fixed, k.fix_known) as reported_fix_rate,
        rate(k.complained, o.orders) as complaint_rate,
        rate(k.complaints_resolved, k.complaint_callbacks) as complaint_resolved_rate,
        coalesce(k.complaint_callbacks, 0) as complaint_callbacks,
        -- workshop
        coalesce(j.flagged_hours, 0)::decimal(18, 2) as flagged_hours,
        coalesce(j.techs, 0) as techs,
        money_div(o.revenue, j.techs) as revenue_per_tech,
        -- parts
        p.fill_rate,
        p.inventory_value,
        p.turnover,
        p.days_of_supply,
        p.dead_stock_value,
        a.as_of
    from spine s
    join cfg c using (store_id)
    left join orders_agg o using (store_id, month)
    left join opened_agg op using (store_id, month)
    left join comeback_agg cb using (store_id, month)
    left join callback_agg k using (store_id, month)
    left join jobs_agg j using (store_id, month)
    left join int_parts_store_month p using (store_id, month)
    left join as_of a using (store_id)
)

select * from final order by store_id, month
