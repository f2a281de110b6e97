-- mart_advisor_month: per service advisor and month, over the advisor's customer orders closed in
-- the month: orders, revenue, csi, complaint_rate, on_time_rate (same definitions as the store's).
-- Orders without an advisor form one row with advisor_id NULL.
-- test: unique(store_id, month, advisor_id)
with cust as (
    select o.*, c.on_time_grace from stg_orders o join cfg_store c using (store_id) where o.is_customer
),

final as (
    select
        o.store_id, o.month_closed as month, o.advisor_id,
        count(*) as orders,
        sum(o.revenue)::decimal(18, 2) as revenue,
        rate(count(*) filter (where cb.first_score >= 4), count(*) filter (where cb.first_score is not null)) as csi,
        rate(count(*) filter (where cb.any_complaint), count(*)) as complaint_rate,
        rate(count(*) filter (where o.promised_at is not null and o.delivered_at <= o.promised_at + o.on_time_grace),
             count(*) filter (where o.promised_at is not null)) as on_time_rate,
        money_div(sum(o.revenue), count(*)) as revenue_per_order
    from cust o
    left join int_order_callbacks cb using (store_id, order_no)
    group by all
)

select * from final order by store_id, month, advisor_id
