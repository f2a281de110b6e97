-- int_order_systems: the fault systems of each order's job lines, not counting maintenance and
-- other (CONTRACT §2: two orders share a fault system when these sets intersect), as a bit mask
-- over shareable_fault_systems() (000_macros.sql). Orders with no such line have no row.
-- materialized: temp
-- One row per (store_id, order_no), its GROUP BY keys: a unique test on them could not fail
-- (it cost 0.11 s of a full run at S), so there is none.
select
    store_id,
    order_no,
    bit_or(fault_system_bit(fault_system)) as systems_mask
from raw_order_jobs
where fault_system not in ('maintenance', 'other')
group by store_id, order_no
