-- int_parts_store_month: store-level parts KPIs per month (CONTRACT §2.2): inventory value,
-- issue cost, annualised turnover, days of supply, dead-stock value and fill rate.
-- test: unique(store_id, month)
with parts as (
    select store_id, month,
           sum(inventory_value) as inventory_value,
           sum(issue_cost) as issue_cost,
           sum(case when dead then on_hand * unit_cost else 0 end) as dead_stock_value,
           count(*) filter (where dead) as dead_parts,
           count(*) filter (where on_hand < 0) as negative_parts
    from mart_parts_month
    group by store_id, month
),

fill as (
    select m.store_id, month_text(year(m.moved_at) * 100 + month(m.moved_at)) as month,
           count(*) as issues,
           count(*) filter (where not coalesce(m.backorder, false)) as issues_filled
    from raw_parts_movements m
    join raw_parts p using (store_id, part_no)
    where m.movement_type = 'issue'
    group by m.store_id, year(m.moved_at) * 100 + month(m.moved_at)
),

turn as (
    select *,
        coalesce(lag(inventory_value) over (partition by store_id order by month), 0) as inventory_value_prev
    from parts
),

final as (
    select
        t.store_id, t.month, t.inventory_value, t.inventory_value_prev, t.issue_cost,
        case when (t.inventory_value_prev + t.inventory_value) = 0 then null
             else 12 * cast(t.issue_cost as double) / (cast(t.inventory_value_prev + t.inventory_value as double) / 2) end as turnover,
        t.dead_stock_value, t.dead_parts, t.negative_parts,
        f.issues, f.issues_filled,
        rate(f.issues_filled, f.issues) as fill_rate
    from turn t
    left join fill f using (store_id, month)
)

select *, case when turnover is null or turnover = 0 then null else 365 / turnover end as days_of_supply from final
