-- mart_data_quality: findings about the data, never failures of the run (CONTRACT §3, §5).
-- check names: freshness, orphan_jobs, orphan_callbacks, orphan_movements, unknown_parts,
-- unknown_techs, negative_stock (at the latest month end), vin_check_digit, undistributed_pool,
-- unassigned_labour, no_attendance, rejected_rows. severity: info | warn. amount (yuan) for payroll findings.
-- anti join is DuckDB's spelling of NOT EXISTS (same rows: a NULL key matches nothing).
-- incremental: full
-- test: accepted_values(severity: info, warn)
with stores as (
    select store_id from cfg_store
),

as_of as (
    select store_id, max(opened_at) as as_of from raw_work_orders group by store_id
),

last_ingest as (
    select store_id, max(ingested_at) as last_ingest from ingest_files where status = 'loaded' group by store_id
),

freshness as (
    select s.store_id, 'freshness' as "check",
           case when a.as_of is null or a.as_of < (select max(as_of) from as_of) - interval 31 day then 'warn' else 'info' end as severity,
           0::bigint as count,
           'as of ' || coalesce(strftime(a.as_of, '%Y-%m-%d %H:%M'), '—') || '; last ingest '
               || coalesce(strftime(li.last_ingest, '%Y-%m-%d %H:%M'), '—') as example,
           cast(null as decimal(18, 2)) as amount
    from stores s
    left join as_of a using (store_id)
    left join last_ingest li using (store_id)
),

-- job lines, callbacks and parts movements whose order is unknown: one anti join against the
-- orders for the three (stg_orders holds every raw order, so a job line is orphaned exactly
-- when stg_jobs says order_known = false)
order_refs as (
    select store_id, order_no, 'orphan_jobs' as "check" from raw_order_jobs
    union all
    select store_id, order_no, 'orphan_callbacks' from raw_callbacks
    union all
    select store_id, order_no, 'orphan_movements' from raw_parts_movements where order_no is not null
),

orphans as (
    select r.store_id, r."check", 'warn' as severity, count(*) as count, min(r.order_no) as example, null as amount
    from order_refs r
    anti join raw_work_orders o using (store_id, order_no)
    group by r.store_id, r."check"
),

unknown_parts as (
    select m.store_id, 'unknown_parts', 'warn', count(*), min(m.part_no), null
    from raw_parts_movements m
    anti join raw_parts p using (store_id, part_no)
    group by m.store_id
),

unknown_techs as (
    select j.store_id, 'unknown_techs', 'warn', count(*), min(j.tech_id), null
    from raw_order_jobs j
    anti join (select distinct store_id, tech_id from raw_technicians) t using (store_id, tech_id)
    group by j.store_id
),

negative_stock as (
    select p.store_id, 'negative_stock', 'warn', count(*), min(p.part_no), null
    from mart_parts_month p
    join (select store_id, max(month) as month from mart_parts_month group by store_id) l using (store_id, month)
    where p.on_hand < 0
    group by p.store_id
),

-- ISO 3779 check digit (position 9); a mismatch is a warning only: many imported VINs do not use it.
-- Letters take their transliteration values (A=1 … H=8, J=1 … R=9, S=2 … Z=9; ingest rejects I, O,
-- Q and any VIN not of 17 characters), positions their weights 8 7 6 5 4 3 2 10 · 9 8 7 6 5 4 3 2.
-- The transliterated positions 1–8 and 10–17 are read as two 8-digit integers and their digits
-- taken arithmetically (a lambda over the positions was 4× slower, a substring per position 1.7×).
vins as (
    select distinct store_id, vin from raw_work_orders
),

vin_digits as (
    select store_id, vin, translate(vin, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '12345678012345070923456789') as d
    from vins
),

vin_numbers as (
    select store_id, vin, cast(d[1:8] as bigint) as a, cast(d[10:17] as bigint) as b
    from vin_digits
),

vin_check as (
    select store_id, vin,
        (8 * (a // 10000000) + 7 * (a // 1000000 % 10) + 6 * (a // 100000 % 10) + 5 * (a // 10000 % 10)
         + 4 * (a // 1000 % 10) + 3 * (a // 100 % 10) + 2 * (a // 10 % 10) + 10 * (a % 10)
         + 9 * (b // 10000000) + 8 * (b // 1000000 % 10) + 7 * (b // 100000 % 10) + 6 * (b // 10000 % 10)
         + 5 * (b // 1000 % 10) + 4 * (b // 100 % 10) + 3 * (b // 10 % 10) + 2 * (b % 10)) % 11 as r
    from vin_numbers
),

vin_check_digit as (
    select store_id, 'vin_check_digit', 'info', count(*), min(vin), null
    from vin_check
    where substr(vin, 9, 1) <> case when r = 10 then 'X' else cast(r as varchar) end
    group by store_id
),

rejected_rows as (
    select f.store_id, 'rejected_rows', 'warn', sum(f.rows_rejected)::bigint, min(f.path), null
    from ingest_files f
    where f.rows_rejected > 0 and f.store_id is not null
    group by f.store_id
),

payroll as (
    select store_id, "check", severity, count, example, amount from int_payroll_exceptions
),

final as (
    select * from freshness
    union all select * from orphans
    union all select * from unknown_parts
    union all select * from unknown_techs
    union all select * from negative_stock
    union all select * from vin_check_digit
    union all select * from rejected_rows
    union all select * from payroll
)

select * from final order by store_id, "check"
