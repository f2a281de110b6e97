-- stg_tech_months: the technicians row in force for each store-month: the latest valid_from ≤ month.
-- Months are every month in which the store has a job line, an attendance row or a comeback.
-- materialized: temp
with months as (
    select distinct store_id, month from int_tech_jobs
    union
    select distinct store_id, month from raw_attendance
    union
    select store_id, month_text(ym_opened) from (select distinct store_id, ym_opened from stg_orders)
),

-- the row in force: arg_max over the technicians rows up to the month, by valid_from (unique per
-- store and tech: their natural key), instead of a row_number() window over the same rows (whose
-- 21 k one-row partitions cost 0.24 s of operator time at S)
in_force as (
    select
        m.store_id, m.month, t.tech_id,
        arg_max({'tech_name': t.tech_name, 'team_id': t.team_id, 'grade': t.grade, 'coefficient': t.coefficient,
                 'base_wage': t.base_wage, 'valid_from': t.valid_from}, t.valid_from) as r
    from months m
    join raw_technicians t on t.store_id = m.store_id and t.valid_from <= m.month
    group by m.store_id, m.month, t.tech_id
),

final as (
    select store_id, month, tech_id, r.tech_name, r.team_id, r.grade, r.coefficient, r.base_wage, r.valid_from
    from in_force
)

select * from final
