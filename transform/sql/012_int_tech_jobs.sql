-- int_tech_jobs: job lines of closed orders (internal included) per store, month closed and
-- technician: lines, flagged hours and labour amount. The store month, the technician month,
-- the technicians' months and payroll all read these sums; stg_jobs joins every job line to its
-- order, so the join is done once here instead of once per reader (1 s each at scale S).
-- materialized: temp
-- computed: by store ranges in full runs
-- test: unique(store_id, month, tech_id)
select store_id, month_text(ym_closed) as month, tech_id, jobs, flagged_hours, labor_amount
from (
    select store_id, ym_closed, tech_id,
           count(*) as jobs,
           sum(labor_hours) as flagged_hours,
           sum(labor_amount) as labor_amount
    from stg_jobs
    where is_closed
    group by all
)
