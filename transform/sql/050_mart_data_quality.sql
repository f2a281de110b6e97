-- mart_data_quality: findings about the data, never failures of the run (CONTRACT §3, §5).
-- check names: freshness, orphan_jobs, orphan_callbacks, orphan_movements, unknown_parts,
-- unknown_techs, negative_stock (at the latest month end), vin_check_digit, undistributed_pool,
-- unassigned_labour, no_attendance, unknown_store, attendance_days, rejected_rows, file_notes. severity: info | warn. amount (yuan) for payroll findings.
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

-- job lines, callbacks and parts movements whose order is unknown, movements of parts missing
-- from the catalogue, job lines of technicians not on file: the rows are kept in dq_unmatched (a
-- Go step, transform/dq.go, that re-checks only what was loaded since the last run)
unmatched as (
    select store_id, finding, 'warn' as severity, count(*) as count, min(value) as example, null as amount
    from dq_unmatched
    where finding <> 'vin_check_digit'
    group by store_id, finding
),

negative_stock as (
    select p.store_id, 'negative_stock', 'warn', count(*), min(p.part_no), null
    from mart_parts_month p
    join (select store_id, max(month) as month from mart_parts_month group by store_id) l using (store_id, month)
    where p.on_hand < 0
    group by p.store_id
),

-- ISO 3779 check digit (position 9), per distinct VIN: a mismatch is a warning only, many imported
-- VINs do not use it. The work orders whose VIN fails are in dq_unmatched (transform/dq.go).
vin_check_digit as (
    select store_id, 'vin_check_digit', 'info', count(distinct value), min(value), null
    from dq_unmatched
    where finding = 'vin_check_digit'
    group by store_id
),

-- store ids with data but no row in the stores file (s001 typed for S001 in a hand-made sheet):
-- their rows make a store of their own, and S001's payroll misses them. Only once a stores file
-- is loaded. count: the files loaded under that id; example: the store id it differs from only
-- in case or spaces (s001 → S001?), else the first such file
unknown_store as (
    select c.store_id, 'unknown_store', 'warn',
           (select count(*) from ingest_files f where f.store_id = c.store_id and f.status = 'loaded')::bigint,
           coalesce((select c.store_id || ' → ' || min(s.store_id) || '?' from raw_stores s
                     where upper(replace(s.store_id, ' ', '')) = upper(replace(c.store_id, ' ', ''))),
                    (select arg_min(f.path, f.file_id) from ingest_files f where f.store_id = c.store_id and f.status = 'loaded')),
           null
    from cfg_store c
    where not exists (select 1 from raw_stores s where s.store_id = c.store_id)
      and exists (select 1 from raw_stores)
),

-- attendance rows with more days worked or scheduled than their month has (220 typed for 22.0):
-- the payroll ratio is capped at 1, but the technician's efficiency divides by the days as written
attendance_days as (
    select store_id, 'attendance_days', 'warn', count(*)::bigint,
           arg_min(tech_id || ' ' || month || ': ' || days_worked::varchar || ' / ' || days_scheduled::varchar, (month, tech_id)), null
    from raw_attendance
    where greatest(days_worked, days_scheduled) > day(last_day(strptime(month || '-01', '%Y-%m-%d')))
    group by store_id
),

rejected_rows as (
    select f.store_id, 'rejected_rows', 'warn', sum(f.rows_rejected)::bigint, min(f.path), null
    from ingest_files f
    where f.rows_rejected > 0 and f.store_id is not null
    group by f.store_id
),

-- files loaded with a note (ingest_files.message: columns or sheets not read, headers or keys
-- repeated): information, since a DMS export may lack an optional column for good; the latest is
-- the example (its notes on one line, the first 200 characters: ingest_files has them whole)
file_notes as (
    select f.store_id, 'file_notes', 'info', count(*)::bigint,
           arg_max(f.path || ': ' || left(replace(f.message, chr(10), ' · '), 200)
                   || CASE WHEN length(replace(f.message, chr(10), ' · ')) > 200 THEN '…' ELSE '' END, f.file_id), null
    from ingest_files f
    where f.status = 'loaded' and f.message <> '' and f.store_id is not null
    group by f.store_id
),

payroll as (
    select store_id, "check", severity, count, example, amount from int_payroll_exceptions
),

final as (
    select * from freshness
    union all select * from unmatched
    union all select * from negative_stock
    union all select * from vin_check_digit
    union all select * from unknown_store
    union all select * from attendance_days
    union all select * from rejected_rows
    union all select * from file_notes
    union all select * from payroll
)

select * from final order by store_id, "check"
