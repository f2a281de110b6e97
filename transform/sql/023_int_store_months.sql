-- int_store_months: the store-month spine — every month from a store's first to its last month
-- of order or parts activity, with the month's first instant and the next month's.
-- test: unique(store_id, month)
with bounds as (
    select store_id, min(t) as lo, max(t) as hi
    from (
        select store_id, opened_at as t from raw_work_orders
        union all
        select store_id, delivered_at from raw_work_orders where delivered_at is not null
        union all
        select store_id, moved_at from raw_parts_movements
    )
    group by store_id
),

spine as (
    select store_id,
           unnest(generate_series(cast(date_trunc('month', lo) as timestamp),
                                  cast(date_trunc('month', hi) as timestamp), interval 1 month)) as month_start
    from bounds
),

final as (
    select store_id,
           strftime(month_start, '%Y-%m') as month,
           month_start,
           month_start + interval 1 month as next_month_start
    from spine
)

select * from final
