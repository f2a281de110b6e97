-- mart_advisor_month: per service advisor and month, over the advisor's customer orders closed in
-- the month: orders, revenue, csi, complaint_rate, on_time_rate (same definitions as the store's).
-- Orders without an advisor form one row with advisor_id NULL. The counts come from
-- int_cust_advisor_month (the store month sums the same rows).
-- test: unique(store_id, month, advisor_id)
with final as (
    select
        store_id, month, advisor_id,
        orders,
        revenue::decimal(18, 2) as revenue,
        rate(satisfied, scored) as csi,
        rate(complained, orders) as complaint_rate,
        rate(on_time, promised) as on_time_rate,
        money_div(revenue, orders) as revenue_per_order
    from int_cust_advisor_month
)

select * from final order by store_id, month, advisor_id
