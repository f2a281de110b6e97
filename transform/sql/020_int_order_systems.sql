-- int_order_systems: the fault systems of each order's job lines, not counting maintenance and
-- other (CONTRACT §2: two orders share a fault system when these sets intersect), as a bit mask
-- over shareable_fault_systems() (000_macros.sql). Orders with no such line have no row.
-- materialized: temp
-- test: unique(store_id, order_no)
select
    store_id,
    order_no,
    bit_or(fault_system_bit(fault_system)) as systems_mask
from raw_order_jobs
where fault_system not in ('maintenance', 'other')
group by store_id, order_no
