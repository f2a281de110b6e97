-- int_comeback_charges: one row per (comeback, technician charged).
-- A comeback is charged to the techs of the origin's job lines in the shared fault systems; where
-- none is shared, to every tech of the origin. Each tech once per comeback, in the month C opened.
-- materialized: temp
-- computed: by store ranges in full runs
-- test: unique(store_id, order_no, tech_id)
select distinct
    cb.store_id,
    cb.order_no,
    cb.month_opened as month,
    j.tech_id
from int_comebacks cb
join raw_order_jobs j
  on j.store_id = cb.store_id
 and j.order_no = cb.origin_order_no
where len(cb.fault_systems) = 0
   or list_contains(cb.fault_systems, j.fault_system)
