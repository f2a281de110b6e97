-- stg_tech_months: the technicians row in force for each store-month: the latest valid_from ≤ month.
-- Months are every month in which the store has a job line, an attendance row or a comeback.
-- materialized: temp
-- test: unique(store_id, month, tech_id)
with months as (
    select distinct store_id, month from int_tech_jobs
    union
    select distinct store_id, month from raw_attendance
    union
    select store_id, month_text(ym_opened) from (select distinct store_id, ym_opened from stg_orders)
),

in_force as (
    select
        m.store_id, m.month, t.tech_id, t.tech_name, t.team_id, t.grade, t.coefficient, t.base_wage, t.valid_from,
        row_number() over (partition by m.store_id, m.month, t.tech_id order by t.valid_from desc) as rn
    from months m
    join raw_technicians t on t.store_id = m.store_id and t.valid_from <= m.month
),

final as (
    select store_id, month, tech_id, tech_name, team_id, grade, coefficient, base_wage, valid_from
    from in_force
    where rn = 1
)

select * from final
