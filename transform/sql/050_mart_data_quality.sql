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

orphan_jobs as (
    select store_id, 'orphan_jobs', 'warn', count(*), min(order_no), null
    from stg_jobs where not order_known group by store_id
),

orphan_callbacks as (
    select c.store_id, 'orphan_callbacks', 'warn', count(*), min(c.order_no), null
    from raw_callbacks c
    anti join raw_work_orders o using (store_id, order_no)
    group by c.store_id
),

orphan_movements as (
    select m.store_id, 'orphan_movements', 'warn', count(*), min(m.order_no), null
    from raw_parts_movements m
    anti join raw_work_orders o using (store_id, order_no)
    where m.order_no is not null
    group by m.store_id
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
-- Q), positions their weights 8 7 6 5 4 3 2 10 · 9 8 7 6 5 4 3 2; written out term by term (a
-- lambda over the positions was 4× slower).
vins as (
    select distinct store_id, vin from raw_work_orders
),

vin_digits as (
    select store_id, vin, translate(vin, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '12345678012345070923456789') as d
    from vins
),

vin_check as (
    select store_id, vin,
        (8 * (ascii(d[1]) - 48) + 7 * (ascii(d[2]) - 48) + 6 * (ascii(d[3]) - 48) + 5 * (ascii(d[4]) - 48)
         + 4 * (ascii(d[5]) - 48) + 3 * (ascii(d[6]) - 48) + 2 * (ascii(d[7]) - 48) + 10 * (ascii(d[8]) - 48)
         + 9 * (ascii(d[10]) - 48) + 8 * (ascii(d[11]) - 48) + 7 * (ascii(d[12]) - 48) + 6 * (ascii(d[13]) - 48)
         + 5 * (ascii(d[14]) - 48) + 4 * (ascii(d[15]) - 48) + 3 * (ascii(d[16]) - 48) + 2 * (ascii(d[17]) - 48)) % 11 as r
    from vin_digits
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
    union all select * from orphan_jobs
    union all select * from orphan_callbacks
    union all select * from orphan_movements
    union all select * from unknown_parts
    union all select * from unknown_techs
    union all select * from negative_stock
    union all select * from vin_check_digit
    union all select * from rejected_rows
    union all select * from payroll
)

select * from final order by store_id, "check"
