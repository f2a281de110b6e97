-- mart_tech_month: per technician and month (CONTRACT §2 "Technician month", §5): a row for every
-- tech with a job line on a closed order, an attendance row, or a comeback charged in the month.
-- team_id and grade come from the technicians row in force; NULL without one. days_worked and
-- efficiency are NULL without attendance.
-- test: unique(store_id, month, tech_id)
-- test: not_null(store_id, month, tech_id, jobs, flagged_hours, labor_amount, comebacks)
with jobs as (
    select store_id, month, tech_id, jobs, flagged_hours, labor_amount from int_tech_jobs
),

charges as (
    select store_id, month, tech_id, count(*) as comebacks
    from int_comeback_charges
    group by all
),

att as (
    select store_id, month, tech_id, days_worked, days_scheduled from raw_attendance
),

keys as (
    select store_id, month, tech_id from jobs
    union
    select store_id, month, tech_id from charges
    union
    select store_id, month, tech_id from att
),

final as (
    select
        k.store_id, k.month, k.tech_id,
        t.tech_name, t.team_id, t.grade, t.coefficient,
        coalesce(j.jobs, 0) as jobs,
        coalesce(j.flagged_hours, 0)::decimal(18, 2) as flagged_hours,
        coalesce(j.labor_amount, 0)::decimal(18, 2) as labor_amount,
        coalesce(c.comebacks, 0) as comebacks,
        a.days_worked,
        a.days_scheduled,
        case when a.days_worked > 0
             then cast(coalesce(j.flagged_hours, 0) as double) / (cast(a.days_worked as double) * cast(cfg.hours_per_day as double)) end as efficiency
    from keys k
    join cfg_store cfg using (store_id)
    left join jobs j using (store_id, month, tech_id)
    left join charges c using (store_id, month, tech_id)
    left join att a using (store_id, month, tech_id)
    left join stg_tech_months t using (store_id, month, tech_id)
)

select * from final order by store_id, month, tech_id
