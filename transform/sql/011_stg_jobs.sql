-- stg_jobs: labour lines with the facts of their order. A line whose order is unknown is kept
-- (order_known = false) and counts in no KPI; it is reported as orphan_jobs.
-- materialized: view
-- One row per raw_order_jobs row (the join is on stg_orders' unique key): unique(store_id,
-- order_no, line_no) is the runner's test of raw_order_jobs, not repeated here (0.6 s at S).
with jobs as (
    select * from raw_order_jobs
),

orders as (
    select store_id, order_no, is_closed, is_customer, month_closed, ym_closed, order_type from stg_orders
),

final as (
    select
        j.store_id, j.order_no, j.line_no, j.job_code, j.job_name, j.fault_system,
        j.labor_hours, j.labor_amount, j.tech_id,
        o.order_no is not null as order_known,
        coalesce(o.is_closed, false) as is_closed,
        coalesce(o.is_customer, false) as is_customer,
        o.month_closed, o.ym_closed,
        o.order_type
    from jobs j
    left join orders o using (store_id, order_no)
)

select * from final
