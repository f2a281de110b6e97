-- int_store_months: the store-month spine — every month from a store's first to its last month
-- of order or parts activity, with the month's first instant and the next month's. An
-- incremental run keeps the months from its window's first month m0 (tf_window).
-- materialized: temp
-- test: unique(store_id, month)
with spine as (
    select b.store_id,
           unnest(generate_series(greatest(cast(date_trunc('month', b.lo) as timestamp), w.m0_start),
                                  cast(date_trunc('month', b.hi) as timestamp), interval 1 month)) as month_start
    from int_store_bounds b
    join tf_window w using (store_id)
),

final as (
    select store_id,
           strftime(month_start, '%Y-%m') as month,
           month_start,
           month_start + interval 1 month as next_month_start
    from spine
)

select * from final
