-- int_comebacks: every comeback C with its origin (CONTRACT §2 "Comebacks and first-time fix").
--   candidate origin of C: a customer order O of the same store and VIN with
--     O.delivered_at < C.opened_at <= O.delivered_at + W days        (W = comeback_window_days)
--   C is a comeback when is_comeback = true (flagged), or C is repair/warranty and some candidate
--     shares a fault system with C (suspected).
--   origin: the latest candidate sharing a fault system, else (flagged only) the latest candidate,
--     else none. "Latest" = latest delivered_at, then greatest order_no.
-- Note: list_intersect / list_sort are DuckDB list functions; on another engine use array_intersect.
-- materialized: temp
-- test: unique(store_id, order_no)
-- test: accepted_values(kind: flagged, suspected)
with cfg as (
    select store_id, comeback_window from cfg_store
),

c as (
    select o.store_id, o.order_no, o.vin, o.opened_at, o.month_opened, o.order_type, o.is_comeback, o.comeback_cause,
           coalesce(s.systems, []::varchar[]) as systems, cfg.comeback_window
    from stg_orders o
    join cfg using (store_id)
    left join int_order_systems s using (store_id, order_no)
    where o.is_active
),

origins as (
    select o.store_id, o.order_no, o.vin, o.delivered_at, o.month_closed,
           coalesce(s.systems, []::varchar[]) as systems
    from stg_orders o
    left join int_order_systems s using (store_id, order_no)
    where o.is_customer
),

candidates as (
    select
        c.store_id, c.order_no, o.order_no as origin_order_no, o.delivered_at as origin_delivered_at,
        o.month_closed as origin_month,
        list_sort(list_intersect(c.systems, o.systems)) as shared
    from c
    join origins o
      on o.store_id = c.store_id
     and o.vin = c.vin
     and o.delivered_at < c.opened_at
     and c.opened_at <= o.delivered_at + c.comeback_window
),

best as (
    select *,
        row_number() over (
            partition by store_id, order_no
            order by len(shared) > 0 desc, origin_delivered_at desc, origin_order_no desc
        ) as rn
    from candidates
),

final as (
    select
        c.store_id, c.order_no, c.vin, c.opened_at, c.month_opened, c.order_type,
        case when c.is_comeback then 'flagged' else 'suspected' end as kind,
        c.comeback_cause as cause,
        b.origin_order_no,
        b.origin_month,
        coalesce(b.shared, []::varchar[]) as fault_systems
    from c
    left join best b on b.store_id = c.store_id and b.order_no = c.order_no and b.rn = 1
    where c.is_comeback
       or (c.order_type in ('repair', 'warranty') and len(coalesce(b.shared, []::varchar[])) > 0)
)

select * from final
