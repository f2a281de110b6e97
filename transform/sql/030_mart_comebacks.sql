-- mart_comebacks: every comeback with its origin, the shared fault systems, the cause and the
-- technicians charged (CONTRACT §3). Lists are sorted; an empty list is [], never NULL.
-- test: unique(store_id, order_no)
-- test: not_null(store_id, order_no, vin, kind, fault_systems, charged_tech_ids)
-- test: accepted_values(kind: flagged, suspected)
with charges as (
    select store_id, order_no, list_sort(list(tech_id)) as charged_tech_ids
    from int_comeback_charges
    group by store_id, order_no
),

final as (
    select
        cb.store_id, cb.order_no, cb.origin_order_no, cb.vin, cb.kind, cb.fault_systems, cb.cause,
        coalesce(ch.charged_tech_ids, []::varchar[]) as charged_tech_ids,
        cb.month_opened as month, cb.opened_at, cb.order_type, cb.origin_month
    from int_comebacks cb
    left join charges ch using (store_id, order_no)
)

select * from final order by store_id, order_no
