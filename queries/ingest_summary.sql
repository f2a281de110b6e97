-- description: every ingested file with its counts and status, newest first
-- description zh: 每个已导入文件的行数和状态，最新的在前
select file_id, path, kind, store_id, status, rows_read, rows_loaded, rows_rejected, rows_skipped, message, ingested_at
from ingest_files
order by file_id desc
