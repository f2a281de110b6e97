-- stg_orders: work orders classified by CONTRACT §2.
-- An order is closed when status = delivered; its month is the month of delivered_at.
-- A customer order is a closed order whose order_type <> internal. Cancelled orders count nowhere.
-- materialized: view
-- One row per raw_work_orders row: its key is unique because raw_work_orders' is (the runner
-- tests unique(store_id, order_no) on every raw table before any model; testing it again here
-- read the same rows twice).
-- test: not_null(store_id, order_no, vin, opened_at)
with src as (
    select * from raw_work_orders
),

final as (
    select
        -- keys and vehicle
        store_id, order_no, vin, plate, model, mileage_km, customer_name, phone,
        -- classification
        order_type, coalesce(appointment, false) as appointment, advisor_id, status,
        coalesce(is_comeback, false) as is_comeback, comeback_cause,
        -- times (store-local, no zone)
        opened_at, promised_at, completed_at, delivered_at,
        strftime(opened_at, '%Y-%m') as month_opened,
        case when status = 'delivered' then strftime(delivered_at, '%Y-%m') end as month_closed,
        -- the same months as integers, year * 100 + month (month_text() gives the text back)
        year(opened_at) * 100 + month(opened_at) as ym_opened,
        case when status = 'delivered' then year(delivered_at) * 100 + month(delivered_at) end as ym_closed,
        status = 'delivered' as is_closed,
        status = 'delivered' and order_type <> 'internal' as is_customer,
        status <> 'cancelled' as is_active,
        -- money (yuan, DECIMAL)
        labor_amount, parts_amount, other_amount, discount_amount,
        cast(labor_amount + parts_amount + other_amount - discount_amount as decimal(18, 2)) as revenue,
        -- lineage
        file_id, row_number
    from src
)

select * from final
