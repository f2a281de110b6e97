-- int_cust_advisor_month: per store, month closed and service advisor (NULL: none), the customer
-- orders closed in the month with their callback facts (int_order_callbacks) and whether they
-- became a comeback's origin, summed: the counts behind the advisor month's KPIs and the store
-- month's callback and first-time-fix KPIs. All are sums of counts, so the store month adds up
-- its advisors' rows instead of joining 1.7 M orders to their callbacks a second time (at S the
-- join cost ≈ 0.45 s of operator time in each mart).
-- materialized: temp
-- computed: by store ranges in full runs
-- One row per (store_id, month, advisor_id), its GROUP BY keys (no unique test: it could not fail).
with cust as (
    select o.store_id, o.order_no, o.ym_closed, o.advisor_id, o.revenue, o.promised_at, o.delivered_at, c.on_time_grace
    from stg_orders o
    join cfg_store c using (store_id)
    where o.is_customer
),

-- the orders that became the origin of a comeback (first-time fix)
failed as (
    select distinct store_id, origin_order_no as order_no from int_comebacks where origin_order_no is not null
),

final as (
    select
        o.store_id, o.ym_closed, o.advisor_id,
        count(*) as orders,
        sum(o.revenue) as revenue,
        count(*) filter (where o.promised_at is not null) as promised,
        count(*) filter (where o.promised_at is not null and o.delivered_at <= o.promised_at + o.on_time_grace) as on_time,
        count(f.order_no) as failed,
        count(cb.order_no) as with_callback,
        count(*) filter (where cb.first_called_at <= o.delivered_at + interval 7 day) as timely,
        count(*) filter (where cb.any_reached) as reached,
        count(*) filter (where cb.first_score is not null) as scored,
        count(*) filter (where cb.first_score >= 4) as satisfied,
        coalesce(sum(cb.first_score), 0) as score_sum,
        count(*) filter (where cb.first_fixed_ok is not null) as fix_known,
        count(*) filter (where cb.first_fixed_ok) as fixed,
        count(*) filter (where cb.any_complaint) as complained,
        coalesce(sum(cb.complaint_callbacks), 0) as complaint_callbacks,
        coalesce(sum(cb.complaints_resolved_7d), 0) as complaints_resolved
    from cust o
    left join int_order_callbacks cb using (store_id, order_no)
    left join failed f using (store_id, order_no)
    group by all
)

select store_id, month_text(ym_closed) as month, * exclude (store_id, ym_closed) from final
