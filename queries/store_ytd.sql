-- description: every store's year to date (本年累计) to a month — orders, revenue, labour and parts revenue, flagged hours — against the same months last year, ranked by revenue
-- description zh: 截至某月各门店的本年累计（台次、产值、工时费、材料费、派工工时）及去年同期累计，按产值排名
-- param: month default latest
-- The year to date is monthly_review's: January to the month, summed over mart_store_month; a
-- store whose data begins after that January has none (NULL, ranked last), nor last year's where
-- it begins after last January.
with m as (
    -- latest: as store_benchmark's, the most recent month with the most stores ranked
    select case when $month = 'latest'
                then (select month from mart_benchmark where kpi = 'orders' group by month order by count(*) desc, month desc limit 1)
                else $month end as month
),
months as (
    select month as cur, strftime(strptime(month || '-01', '%Y-%m-%d') - interval 12 month, '%Y-%m') as py from m
),
firsts as (
    select store_id, min(month) as first_month from mart_store_month group by store_id
),
sums as (
    select s.store_id,
           left(s.month, 4) = left(months.cur, 4) as this_year,
           sum(s.orders)::double as orders, sum(s.revenue)::double as revenue, sum(s.labor_revenue)::double as labor_revenue,
           sum(s.parts_revenue)::double as parts_revenue, sum(s.flagged_hours)::double as flagged_hours
    from mart_store_month s
    join firsts f using (store_id)
    cross join months
    where (s.month between left(months.cur, 4) || '-01' and months.cur or s.month between left(months.py, 4) || '-01' and months.py)
      and left(s.month, 4) || '-01' >= f.first_month
    group by all
),
stores as (
    -- the stores with a row in the month (as the benchmark's)
    select store_id from mart_store_month where month = (select cur from months)
)
select
    (select cur from months) as month,
    case when y.revenue is not null then rank() over (order by y.revenue desc nulls last) end as rank,
    st.store_id, rs.store_name,
    y.orders as orders_ytd, p.orders as orders_ytd_prev_year,
    y.revenue as revenue_ytd, p.revenue as revenue_ytd_prev_year,
    y.revenue - p.revenue as change_revenue_ytd,
    case when p.revenue > 0 then (y.revenue - p.revenue) / p.revenue end as change_revenue_ytd_pct,
    y.labor_revenue as labor_revenue_ytd, y.parts_revenue as parts_revenue_ytd, y.flagged_hours as flagged_hours_ytd
from stores st
left join sums y on y.store_id = st.store_id and y.this_year
left join sums p on p.store_id = st.store_id and not p.this_year
left join raw_stores rs on rs.store_id = st.store_id
order by rank nulls last, st.store_id
