-- raw
-- incremental: full
-- An incremental run leaves the months before its window as they were, but as_of and
-- ftfr_provisional follow the store's latest order: refresh them on every row (on a full
-- rebuild this sets the values 031 computed).
UPDATE mart_store_month
SET as_of = b.as_of,
    ftfr_provisional = b.as_of < strptime(mart_store_month.month || '-01', '%Y-%m-%d') + INTERVAL 1 MONTH + c.comeback_window
FROM int_store_bounds b, cfg_store c
WHERE b.store_id = mart_store_month.store_id AND c.store_id = mart_store_month.store_id;
