-- int_comebacks: every comeback C with its origin (CONTRACT §2 "Comebacks and first-time fix").
--   candidate origin of C: a customer order O of the same store and VIN with
--     O.delivered_at < C.opened_at <= O.delivered_at + W days        (W = comeback_window_days)
--   C is a comeback when is_comeback = true (flagged), or C is repair/warranty and some candidate
--     shares a fault system with C (suspected).
--   origin: the latest candidate sharing a fault system, else (flagged only) the latest candidate,
--     else none. "Latest" = latest delivered_at, then greatest order_no.
-- Fault systems are bit masks (int_order_systems): shared = the bitwise and of the two orders'
-- masks, listed by name with fault_system_list (000_macros.sql).
-- Months travel as integers (stg_orders' ym_*) and are formatted for the comebacks found only.
-- Note: arg_max over a struct ordered by a tuple is DuckDB's; on Spark or Trino, max_by(struct, struct).
-- materialized: temp
-- test: unique(store_id, order_no)
-- test: accepted_values(kind: flagged, suspected)
with cfg as (
    select store_id, comeback_window from cfg_store
),

-- the orders that can be comebacks: flagged, or repair/warranty (any other order is neither, so
-- its candidates are never looked for: a third of the orders at scale S)
c as (
    select o.store_id, o.order_no, o.vin, o.opened_at, o.ym_opened, o.order_type, o.is_comeback, o.comeback_cause,
           coalesce(s.systems_mask, 0) as systems_mask, cfg.comeback_window
    from stg_orders o
    join cfg using (store_id)
    left join int_order_systems s using (store_id, order_no)
    where o.is_active and (o.is_comeback or o.order_type in ('repair', 'warranty'))
),

origins as (
    select o.store_id, o.order_no, o.vin, o.delivered_at, o.ym_closed,
           coalesce(s.systems_mask, 0) as systems_mask
    from stg_orders o
    left join int_order_systems s using (store_id, order_no)
    where o.is_customer
),

candidates as (
    select
        c.store_id, c.order_no, o.order_no as origin_order_no, o.delivered_at as origin_delivered_at,
        o.ym_closed as origin_ym,
        c.systems_mask & o.systems_mask as shared_mask
    from c
    join origins o
      on o.store_id = c.store_id
     and o.vin = c.vin
     and o.delivered_at < c.opened_at
     and c.opened_at <= o.delivered_at + c.comeback_window
),

-- the origin: the candidate sharing a fault system first, then the latest delivered_at, then the
-- greatest order_no (one arg_max instead of a row_number() window joined back)
best as (
    select store_id, order_no,
           arg_max({'origin_order_no': origin_order_no, 'origin_ym': origin_ym, 'shared_mask': shared_mask},
                   (shared_mask <> 0, origin_delivered_at, origin_order_no)) as b
    from candidates
    group by store_id, order_no
),

final as (
    select
        c.store_id, c.order_no, c.vin, c.opened_at, month_text(c.ym_opened) as month_opened, c.order_type,
        case when c.is_comeback then 'flagged' else 'suspected' end as kind,
        c.comeback_cause as cause,
        bt.b.origin_order_no,
        month_text(bt.b.origin_ym) as origin_month,
        fault_system_list(coalesce(bt.b.shared_mask, 0)) as fault_systems
    from c
    left join best bt on bt.store_id = c.store_id and bt.order_no = c.order_no
    where c.is_comeback
       or (c.order_type in ('repair', 'warranty') and coalesce(bt.b.shared_mask, 0) <> 0)
)

select * from final
