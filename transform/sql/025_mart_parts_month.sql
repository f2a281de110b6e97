-- mart_parts_month: per store, month and catalogue part: stock, value, 6-month consumption, ABC
-- class, MAD, safety stock, suggested order and dead stock (CONTRACT §2.2, §5). Months run from
-- the store's first movement month to the end of its spine. Movements of parts missing from the
-- catalogue have no cost: they are left out here and reported as unknown_parts.
-- (A mart computed before the int_ layer ends: int_parts_store_month aggregates it.)
-- The grid is 2,000 parts × months per store (24 M rows at 500 stores), more than its windows
-- can hold in memory at once: it is computed for groups of stores (the stores of tf_window).
-- computed: by store groups
-- Quantities are DECIMAL(18, 2) and values DECIMAL(18, 4) (64-bit), cast back after each sum,
-- product and window: DuckDB widens those to DECIMAL(38, ·), 128-bit, and a stored 128-bit
-- column scans ≈ 50× slower (the data-quality and store-month models read this whole mart).
-- A part's stock beyond 10^16 units or value beyond 10^14 yuan fails the cast (and the run)
-- instead of being stored:
-- on overflow: A quantity or value of a part does not fit DECIMAL(18, ·) (over 10^16 units or 10^14 yuan): an input holds a mistyped quantity or cost. Find it among the largest values, e.g. aftersales query "SELECT file_id, row_number, part_no, qty FROM raw_parts_movements ORDER BY abs(qty) DESC LIMIT 5", then ingest a corrected export.
-- test: unique(store_id, month, part_no)
-- test: accepted_values(abc: A, B, C, N)
-- test: expression(suggested_order >= 0)
with mv as (
    select
        m.store_id, m.part_no, m.moved_at, m.movement_type, m.qty,
        strftime(m.moved_at, '%Y-%m') as month,
        case m.movement_type
            when 'receipt' then m.qty when 'return' then m.qty when 'transfer_in' then m.qty
            when 'issue' then -m.qty when 'supplier_return' then -m.qty when 'transfer_out' then -m.qty
            when 'adjust' then m.qty
        end as signed_qty
    from raw_parts_movements m
    join raw_parts p using (store_id, part_no)
    where m.store_id in (select store_id from tf_window)
),

monthly as (
    select
        store_id, part_no, month,
        sum(signed_qty)::decimal(18, 2) as net_qty,
        (coalesce(sum(qty) filter (where movement_type = 'issue'), 0)
          - coalesce(sum(qty) filter (where movement_type = 'return'), 0))::decimal(18, 2) as issued_net,
        max(moved_at) filter (where movement_type = 'issue') as last_issue_at
    from mv
    group by all
),

-- An incremental run computes the months from its window's first month m0 (tf_window) and
-- carries the five months before from the stored mart (tf_prev_parts, empty on a full rebuild):
-- the stock and last issue up to m0, the issues for the six-month windows.
prior as (
    select pp.store_id, pp.month, pp.part_no, pp.on_hand, pp.issued_net, pp.last_issue_at, w.m_prev
    from tf_prev_parts pp
    join tf_window w using (store_id)
),

first_month as (
    select store_id, min(month) as m0
    from (select store_id, month from monthly union all select store_id, month from prior)
    group by store_id
),

grid as (
    select s.store_id, s.month, s.next_month_start, p.part_no, p.unit_cost,
           p.order_cycle_days + p.lead_time_days as cover_days
    from int_store_months s
    join tf_window w on w.store_id = s.store_id and s.month >= w.m0
    join first_month f on f.store_id = s.store_id and s.month >= f.m0
    join raw_parts p on p.store_id = s.store_id
),

filled as (
    select g.store_id, g.month, g.next_month_start, g.part_no, g.unit_cost, g.cover_days, false as carried,
           coalesce(m.net_qty, 0) as net_qty,
           coalesce(m.issued_net, 0) as issued_net,
           m.last_issue_at,
           greatest(coalesce(m.issued_net, 0), 0) as q  -- MAD demand, floored at 0 (§5)
    from grid g
    left join monthly m using (store_id, part_no, month)
    union all
    -- carried months: the stock at the month before m0 enters as that month's net quantity
    select pr.store_id, pr.month, null, pr.part_no, null, null, true,
           case when pr.month = pr.m_prev then pr.on_hand else 0 end,
           pr.issued_net,
           pr.last_issue_at,
           greatest(pr.issued_net, 0)
    from prior pr
),

windowed as (
    select *,
        (sum(net_qty) over cum)::decimal(18, 2) as on_hand,
        max(last_issue_at) over cum as last_issue_cum,
        (sum(issued_net) over six)::decimal(18, 2) as issued_6m,
        (  1 * coalesce(lag(q, 5) over by_month, 0) + 2 * coalesce(lag(q, 4) over by_month, 0)
         + 3 * coalesce(lag(q, 3) over by_month, 0) + 4 * coalesce(lag(q, 2) over by_month, 0)
         + 5 * coalesce(lag(q, 1) over by_month, 0) + 6 * q)::decimal(18, 2) as mad_num
    from filled
    window cum as (partition by store_id, part_no order by month rows between unbounded preceding and current row),
           six as (partition by store_id, part_no order by month rows between 5 preceding and current row),
           by_month as (partition by store_id, part_no order by month)
),

valued as (
    select w.*,
        (issued_net * unit_cost)::decimal(18, 4) as issue_cost,
        (issued_6m * unit_cost)::decimal(18, 4) as consumption_value_6m,
        (greatest(on_hand, 0) * unit_cost)::decimal(18, 4) as inventory_value,
        greatest(issued_6m * unit_cost, 0)::decimal(18, 4) as v_pos,
        c.ss_divisor, c.dead_stock_window
    from windowed w
    join cfg_store c using (store_id)
    where not w.carried  -- the carried months served the windows above; ABC is per month
),

abc as (
    select *,
        sum(v_pos) over (partition by store_id, month) as v_total,
        coalesce(sum(v_pos) over (partition by store_id, month order by consumption_value_6m desc, part_no
                                  rows between unbounded preceding and 1 preceding), 0) as v_before
    from valued
),

final as (
    select
        store_id, month, part_no,
        on_hand,
        inventory_value,
        consumption_value_6m,
        case when consumption_value_6m <= 0 then 'N'
             when v_before * 100 < v_total * 80 then 'A'
             when v_before * 100 < v_total * 95 then 'B'
             else 'C' end as abc,
        mad_num / 21.0 as mad,
        mad_num * cover_days / (21.0 * ss_divisor) as safety_stock,
        -- suggested = max(0, ceil(SSQ) − on hand), ceil(SSQ) exactly in integers:
        -- ceil(mad_num * cover_days / (21 * ss_divisor))
        greatest(case when mad_num <= 0 or cover_days = 0 then 0
                      else (cast(mad_num * 100 as hugeint) * cover_days + 21 * ss_divisor * 100 - 1) // (21 * ss_divisor * 100)
                 end - on_hand, 0)::decimal(18, 2) as suggested_order,
        on_hand > 0 and (last_issue_cum is null or last_issue_cum < next_month_start - dead_stock_window) as dead,
        unit_cost,
        issued_net, issue_cost,
        last_issue_cum as last_issue_at
    from abc
)

select * from final order by store_id, month, part_no
