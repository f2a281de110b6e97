-- int_order_systems: the fault systems of each order's job lines, not counting maintenance and
-- other (CONTRACT §2: two orders share a fault system when these sets intersect). Sorted list.
-- materialized: temp
-- test: unique(store_id, order_no)
select
    store_id,
    order_no,
    list_sort(list_distinct(list(fault_system))) as systems
from raw_order_jobs
where fault_system not in ('maintenance', 'other')
group by store_id, order_no
