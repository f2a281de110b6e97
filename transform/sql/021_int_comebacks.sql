-- int_comebacks: every comeback C with its origin (CONTRACT §2 "Comebacks and first-time fix").
--   candidate origin of C: a customer order O of the same store and VIN with
--     O.delivered_at < C.opened_at <= O.delivered_at + W days        (W = comeback_window_days)
--   C is a comeback when is_comeback = true (flagged), or C is repair/warranty and some candidate
--     shares a fault system with C (suspected).
--   origin: the latest candidate sharing a fault system, else (flagged only) the latest candidate,
--     else none. "Latest" = latest delivered_at, then greatest order_no.
-- Fault systems are bit masks (systems below): shared = the bitwise and of the two orders' masks,
-- listed by name with fault_system_list (000_macros.sql).
-- Months travel as integers (stg_orders' ym_*) and are formatted for the comebacks found only.
-- Note: arg_max over a struct ordered by a tuple is DuckDB's; on Spark or Trino, max_by(struct, struct).
-- materialized: temp
-- computed: by store ranges in full runs
-- test: unique(store_id, order_no)
-- test: accepted_values(kind: flagged, suspected)
with cfg as (
    select store_id, comeback_window from cfg_store
),

-- the orders that can be comebacks: flagged, or repair/warranty (any other order is neither, so
-- its candidates are never looked for: a third of the orders at scale S)
c as (
    select o.store_id, o.order_no, o.vin, o.opened_at, o.ym_opened, o.order_type, o.is_comeback, o.comeback_cause,
           o.opened_at - cfg.comeback_window as window_start
    from stg_orders o
    join cfg using (store_id)
    where o.is_active and (o.is_comeback or o.order_type in ('repair', 'warranty'))
),

origins as (
    select o.store_id, o.order_no, o.vin, o.delivered_at, o.ym_closed
    from stg_orders o
    where o.is_customer
),

pairs as (
    select
        c.store_id, c.order_no, c.vin, c.opened_at, c.ym_opened, c.order_type, c.is_comeback, c.comeback_cause,
        o.order_no as origin_order_no, o.delivered_at as origin_delivered_at, o.ym_closed as origin_ym
    from c
    join origins o
      on o.store_id = c.store_id
     and o.vin = c.vin
     and o.delivered_at < c.opened_at
     -- C.opened_at <= O.delivered_at + W, written with one side per operand so that DuckDB makes
     -- it a join condition (the same for W in whole days): as an expression of both sides it was
     -- a filter after the join, which emitted 1.17 M pairs for 0.12 M candidates at S
     and o.delivered_at >= c.window_start
),

-- the orders of the pairs found (0.1 M pairs at S) and their fault systems: the systems of their
-- job lines, not counting maintenance and other (CONTRACT §2: two orders share a fault system
-- when these sets intersect), as a bit mask over shareable_fault_systems() (000_macros.sql); an
-- order with no such line has none (0). Computed for these orders only, not for the 1.0 M orders
-- with such lines, and joined to the pairs rather than to every order before the VIN join
pair_orders as (
    select store_id, order_no from pairs
    union
    select store_id, origin_order_no from pairs
),

systems as (
    select j.store_id, j.order_no, bit_or(fault_system_bit(j.fault_system)) as systems_mask
    from raw_order_jobs j
    semi join pair_orders p on p.store_id = j.store_id and p.order_no = j.order_no
    where j.fault_system not in ('maintenance', 'other')
    group by j.store_id, j.order_no
),

candidates as (
    select p.*, coalesce(sc.systems_mask, 0) & coalesce(so.systems_mask, 0) as shared_mask
    from pairs p
    left join systems sc on sc.store_id = p.store_id and sc.order_no = p.order_no
    left join systems so on so.store_id = p.store_id and so.order_no = p.origin_order_no
),

-- the origin: the candidate sharing a fault system first, then the latest delivered_at, then the
-- greatest order_no (one arg_max instead of a row_number() window joined back). The comeback's
-- own columns travel with its pairs (one value per order), so the orders with candidates need no
-- join back to the 0.6 M possible comebacks
best as (
    select store_id, order_no, vin, opened_at, ym_opened, order_type, is_comeback, comeback_cause,
           arg_max({'origin_order_no': origin_order_no, 'origin_ym': origin_ym, 'shared_mask': shared_mask},
                   (shared_mask <> 0, origin_delivered_at, origin_order_no)) as b
    from candidates
    group by all
),

-- the comebacks: orders with candidates that are flagged or share a fault system with their
-- origin, and flagged orders without any candidate (no origin)
found as (
    select * from best
    where is_comeback or (order_type in ('repair', 'warranty') and b.shared_mask <> 0)
    union all
    -- (the flagged orders from stg_orders, not from c: read once, c is not materialized — its
    -- 0.6 M rows cost 0.23 s of operator time at S)
    -- (an anti join written as one: DuckDB 1.4 planned NOT EXISTS here as a LEFT_DELIM_JOIN,
    -- the operator that crashed now and then in mart_parts_month: see there)
    select o.store_id, o.order_no, o.vin, o.opened_at, o.ym_opened, o.order_type, o.is_comeback, o.comeback_cause, null
    from stg_orders o
    anti join best bt on bt.store_id = o.store_id and bt.order_no = o.order_no
    where o.is_active and o.is_comeback
),

final as (
    select
        store_id, order_no, vin, opened_at, month_text(ym_opened) as month_opened, order_type,
        case when is_comeback then 'flagged' else 'suspected' end as kind,
        comeback_cause as cause,
        b.origin_order_no,
        month_text(b.origin_ym) as origin_month,
        fault_system_list(coalesce(b.shared_mask, 0)) as fault_systems
    from found
)

select * from final
