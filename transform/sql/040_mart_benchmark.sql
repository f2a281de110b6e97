-- mart_benchmark: for each month and benchmark KPI, each store's value, rank (1 = best, by the
-- KPI's direction; ties share a rank), percentile (percent rank from worst = 0 to best = 1), group
-- median and quartiles, target and whether it is met, and the change against the previous month
-- (环比) and the same month last year (同比). Store-months without a closed customer order are
-- left out; a NULL value is not ranked; a store ranked alone has no percentile.
-- value is DOUBLE: it holds counts, rates and money side by side for ranking; the exact money
-- figures stay DECIMAL in mart_store_month.
-- incremental: full
-- test: unique(month, store_id, kpi)
-- test: expression(rank is null or rank >= 1)
-- test: expression(percentile is null or percentile between 0 and 1)
with src as (
    select
        store_id, month,
        cast(orders as double) as orders, cast(revenue as double) as revenue,
        cast(revenue_per_order as double) as revenue_per_order, appointment_rate, turnaround_hours_median,
        on_time_rate, ftfr, comeback_rate, callback_rate, callback_timely_rate, reach_rate, csi,
        complaint_rate, complaint_resolved_rate, cast(revenue_per_tech as double) as revenue_per_tech,
        fill_rate, turnover, cast(dead_stock_value as double) as dead_stock_value
    from mart_store_month
    where orders > 0
),

long as (
    select store_id, month, kpi, value
    from src
    unpivot include nulls (value for kpi in (
        orders, revenue, revenue_per_order, appointment_rate, turnaround_hours_median, on_time_rate, ftfr,
        comeback_rate, callback_rate, callback_timely_rate, reach_rate, csi, complaint_rate,
        complaint_resolved_rate, revenue_per_tech, fill_rate, turnover, dead_stock_value))
),

scored as (
    select l.*, d.direction, d.target,
           case when d.direction = 'up' then l.value else -l.value end as score
    from long l
    join kpi_dictionary d on d.kpi = l.kpi and d.benchmark
),

ranked as (
    select month, store_id, kpi,
           rank() over (partition by month, kpi order by score desc) as rank,
           -- a store ranked alone has no percentile (NULL): percent_rank's 0 there would read
           -- "worst" beside its rank 1 (a store running aftersales on its own data alone)
           case when count(*) over (partition by month, kpi) > 1
                then percent_rank() over (partition by month, kpi order by score asc) end as percentile
    from scored
    where value is not null
),

stats as (
    select month, kpi,
           quantile_cont(value, 0.5) as group_median,
           quantile_cont(value, 0.25) as group_q1,
           quantile_cont(value, 0.75) as group_q3,
           count(value) as stores_ranked
    from scored
    group by month, kpi
),

final as (
    select
        s.month, s.store_id, s.kpi, s.value,
        r.rank, r.percentile,
        st.group_median, st.group_q1, st.group_q3, st.stores_ranked,
        s.target,
        case when s.target is null or s.value is null then null
             when s.direction = 'up' then s.value >= s.target
             else s.value <= s.target end as meets_target,
        s.direction,
        pm.value as value_prev_month,
        s.value - pm.value as change_mom,
        py.value as value_prev_year,
        s.value - py.value as change_yoy
    from scored s
    left join ranked r using (month, store_id, kpi)
    left join stats st using (month, kpi)
    left join scored pm on pm.store_id = s.store_id and pm.kpi = s.kpi
        and pm.month = strftime(strptime(s.month || '-01', '%Y-%m-%d') - interval 1 month, '%Y-%m')
    left join scored py on py.store_id = s.store_id and py.kpi = s.kpi
        and py.month = strftime(strptime(s.month || '-01', '%Y-%m-%d') - interval 12 month, '%Y-%m')
)

select * from final order by month, kpi, rank nulls last, store_id
