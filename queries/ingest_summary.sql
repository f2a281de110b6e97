-- description: every ingested file with its counts and status, newest first; rows_current: how many of its loaded rows are still the current row of their key (the others were replaced by a later file, or by a later row of the same file)
-- description zh: 每个已导入文件的行数和状态，最新的在前；rows_current：导入的行中至今仍是其键当前行的行数（其余的已被之后导入的文件、或同一文件中靠后的同键行替换）
with current_rows as (
  select file_id, count(*) as n
  from (select file_id from raw_stores
        union all select file_id from raw_technicians
        union all select file_id from raw_attendance
        union all select file_id from raw_work_orders
        union all select file_id from raw_order_jobs
        union all select file_id from raw_parts
        union all select file_id from raw_parts_movements
        union all select file_id from raw_callbacks)
  group by file_id
)
select f.file_id, f.path, f.kind, f.store_id, f.status, f.rows_read, f.rows_loaded,
       case when f.status = 'loaded' then coalesce(c.n, 0) end as rows_current,
       f.rows_rejected, f.rows_skipped, f.message, f.ingested_at
from ingest_files f
left join current_rows c using (file_id)
order by f.file_id desc
