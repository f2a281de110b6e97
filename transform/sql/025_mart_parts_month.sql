-- mart_parts_month: per store, month and catalogue part: stock, value, 6-month consumption, ABC
-- class, MAD, safety stock, suggested order and dead stock (CONTRACT §2.2, §5). Months run from
-- the store's first movement month to the end of its spine. Movements of parts missing from the
-- catalogue have no cost: they are left out here and reported as unknown_parts.
-- (A mart computed before the int_ layer ends: int_parts_store_month aggregates it.)
-- The grid is 2,000 parts × months per store (24 M rows at 500 stores), more than its windows
-- can hold in memory at once: it is computed for groups of stores (the stores of tf_window).
-- computed: by store groups
-- An incremental run computes it in tf_window_parts (the runner puts that in tf_window): from the
-- first month a parts movement, catalogue row or new spine month changes, not from the comeback
-- look-back the order models need; its spine (int_store_months) may start before that m0.
-- window: parts
--
-- How: the grid is dense, the movements are not (at S, 0.87 M part-months moved of 2.4 M). The
-- running stock, the last issue and the six-month windows are computed over the part-months that
-- moved ("cells"), each with the months and issues of the five cells before it; each cell is then
-- expanded into the grid months up to the next cell (unnest of a range), where the six-month sums
-- are the cells within the last six months. The dense grid never goes through the window sort
-- (full transform at S: the model 5.1 → 3.7 s). Months are integers (year * 12 + month − 1) for
-- the arithmetic, issues integer cents (BIGINT) in the sums, and the suggested order is computed
-- in BIGINT instead of HUGEINT. On Spark or Trino: explode(sequence(…)) / UNNEST(sequence(…)).
-- Quantities are DECIMAL(18, 2) and values DECIMAL(18, 4) (64-bit), cast back after each sum,
-- product and window: DuckDB widens those to DECIMAL(38, ·), 128-bit, and a stored 128-bit
-- column scans ≈ 50× slower (the data-quality and store-month models read this whole mart).
-- A part's stock beyond 10^16 units, a month's net quantity beyond 10^14 units or a value beyond
-- 10^14 yuan fails the cast (and the run) instead of being stored:
-- on overflow: A quantity or value of a part does not fit DECIMAL(18, ·) (over 10^14 units in a month, 10^16 in stock or 10^14 yuan): an input holds a mistyped quantity or cost. Find it among the largest values, e.g. aftersales query "SELECT file_id, row_number, part_no, qty FROM raw_parts_movements ORDER BY abs(qty) DESC LIMIT 5", then ingest a corrected export.
-- on overflow zh: 某个配件的数量或金额超出了 DECIMAL(18, ·) 的范围（单月超过 10^14 件、库存超过 10^16 件或金额超过 10^14 元）：某个输入的数量或成本录错了。请在最大的数值中查找，例如 aftersales query "SELECT file_id, row_number, part_no, qty FROM raw_parts_movements ORDER BY abs(qty) DESC LIMIT 5"，然后导入修正后的导出文件。
-- test: unique(store_id, month, part_no)
-- test: accepted_values(abc: A, B, C, N)
-- test: expression(suggested_order >= 0)
with sm as (
    select s.store_id, s.month, s.next_month_start,
           cast(left(s.month, 4) as integer) * 12 + cast(right(s.month, 2) as integer) - 1 as mi,
           dense_rank() over (order by s.store_id) as sr
    from int_store_months s
),

mv as (
    select
        m.store_id, m.part_no, m.moved_at, m.movement_type, m.qty,
        year(m.moved_at) * 12 + month(m.moved_at) - 1 as mi,
        case m.movement_type
            when 'receipt' then m.qty when 'return' then m.qty when 'transfer_in' then m.qty
            when 'issue' then -m.qty when 'supplier_return' then -m.qty when 'transfer_out' then -m.qty
            when 'adjust' then m.qty
        end as signed_qty
    from raw_parts_movements m
    join tf_window w on w.store_id = m.store_id and m.moved_at >= w.m0_start
),

-- the part-months that moved, of catalogue parts (joined after the grouping: 0.9 M rows, not
-- 4.2 M), with the part's cost and cover days (carried through the window: joining them to the
-- 2.4 M grid rows instead cost 0.9 s when DuckDB misjudged the expansion's size)
monthly as (
    select g.*, p.unit_cost, p.order_cycle_days + p.lead_time_days as cover_days
    from (
        select
            store_id, part_no, mi,
            sum(signed_qty)::decimal(18, 2) as net_qty,
            -- (CASE inside the sums rather than FILTER clauses: 0.30–0.35 → 0.27–0.29 s alone)
            sum(case movement_type when 'issue' then qty when 'return' then -qty else 0 end)::decimal(18, 2) as issued_net,
            max(case when movement_type = 'issue' then moved_at end) as last_issue_at
        from mv
        group by all
    ) g
    join raw_parts p using (store_id, part_no)
),

-- An incremental run computes the months from its window's first month m0 (tf_window) and
-- carries the five months before from the stored mart (tf_prev_parts, empty on a full rebuild):
-- the stock and (cumulative) last issue at the month before m0, and the months with issues for
-- the six-month windows (the others add nothing to them).
prior as (
    select pp.store_id, pp.part_no,
           cast(left(pp.month, 4) as integer) * 12 + cast(right(pp.month, 2) as integer) - 1 as mi,
           case when pp.month = w.m_prev then pp.on_hand else 0 end as net_qty,
           pp.issued_net, pp.last_issue_at,
           p.unit_cost, p.order_cycle_days + p.lead_time_days as cover_days
    from tf_prev_parts pp
    join tf_window w using (store_id)
    join raw_parts p using (store_id, part_no)
    where pp.month = w.m_prev or pp.issued_net <> 0
),

first_month as (
    select store_id, min(mi) as f0
    from (select store_id, mi from monthly union all select store_id, mi from prior)
    group by store_id
),

-- per store, the grid's months: gs (its first: the store's first movement month, or m0) up to
-- ge (exclusive: the month after the spine's end); gs is NULL where the spine has no month from
-- m0 on (nothing to compute)
bounds as (
    select sm.store_id, max(sm.mi) + 1 as ge, min(sm.mi) filter (where sm.mi >= f.f0 and sm.month >= w.m0) as gs
    from sm join first_month f using (store_id) join tf_window w using (store_id)
    group by sm.store_id
),

-- at most one cell per part and month: the months that moved, the carried months (all before
-- gs), and for every catalogue part that did not move in gs a cell of nothing there, so that its
-- grid starts at gs. (An anti join written as one: as NOT EXISTS, correlated with two tables,
-- DuckDB 1.4 planned a LEFT_DELIM_JOIN, whose parallel hash aggregate crashed now and then —
-- "INTERNAL Error: Attempting to combine TupleDataCollection with mismatching types", a NULL
-- unique_ptr or a segmentation fault in TupleDataCollection::Combine — in 7 of 12 full runs on
-- generated data of 200 stores × 3 months; 0 of 15 with the anti join.)
cells as (
    select store_id, part_no, mi, net_qty, issued_net, last_issue_at, unit_cost, cover_days from monthly
    union all
    select store_id, part_no, mi, net_qty, issued_net, last_issue_at, unit_cost, cover_days from prior
    union all
    select p.store_id, p.part_no, b.gs, 0, 0, null, p.unit_cost, p.order_cycle_days + p.lead_time_days
    from raw_parts p
    join bounds b on b.store_id = p.store_id and b.gs is not null
    anti join monthly m on m.store_id = p.store_id and m.part_no = p.part_no and m.mi = b.gs
),

-- per cell: the stock and last issue so far, the next cell's month, and the months and issues
-- (ic: integer cents) of the five cells before it. With one cell per month at most, the cells in
-- a six-month window ending in any month m are among the latest cell up to m and its five lags.
win as (
    select store_id, part_no, mi, ic, unit_cost, cover_days,
        (sum(nc) over w)::bigint as on_hand_c,
        max(last_issue_at) over w as last_issue_cum,
        lead(mi) over w as next_mi,
        lag(mi, 1) over w as mi1, lag(mi, 2) over w as mi2, lag(mi, 3) over w as mi3, lag(mi, 4) over w as mi4, lag(mi, 5) over w as mi5,
        lag(ic, 1) over w as i1, lag(ic, 2) over w as i2, lag(ic, 3) over w as i3, lag(ic, 4) over w as i4, lag(ic, 5) over w as i5
    -- (cents: DECIMAL(18, 2) × 100 is a checked 64-bit product, so a month's net quantity of 10^14
    -- units or more fails the run with the message above; widening to DECIMAL(38, 2) first cost
    -- 0.37 s at S. The stock is summed in these cents and turned back into DECIMAL(18, 2) only in
    -- the expanded rows: no 128-bit arithmetic on the 2.4 M grid rows)
    from (select *, (issued_net * 100)::bigint as ic, (net_qty * 100)::bigint as nc from cells)
    window w as (partition by store_id, part_no order by mi)
),

-- each cell covers the grid months from its own up to the next cell's (or the grid's end)
expanded as (
    select w.*,
           unnest(range(greatest(w.mi, b.gs), least(coalesce(w.next_mi, b.ge), b.ge))) as m
    from win w join bounds b using (store_id)
    where b.gs is not null
),

-- issued_6m: the issues of the cells in months m-5 … m; mad_c: the MAD numerator
-- 1·q(m-5) + 2·q(m-4) + … + 6·q(m) in cents, q = issues floored at 0 (§5)
dense as (
    select e.store_id, s.month, s.next_month_start, e.part_no,
        -- sk: the store-month as one integer in (month, store_id) order (2^20 stores at most),
        -- the ABC buckets' key and the sort key of the written rows
        s.mi::bigint * 1048576 + s.sr as sk, e.unit_cost, e.cover_days,
        e.on_hand_c, e.last_issue_cum,
        case when e.m = e.mi then e.ic else 0 end as issued_c,
        ((case when e.mi > e.m - 6 then e.ic else 0 end
         + case when e.mi1 > e.m - 6 then e.i1 else 0 end
         + case when e.mi2 > e.m - 6 then e.i2 else 0 end
         + case when e.mi3 > e.m - 6 then e.i3 else 0 end
         + case when e.mi4 > e.m - 6 then e.i4 else 0 end
         + case when e.mi5 > e.m - 6 then e.i5 else 0 end)::decimal(18, 0) * 0.01) as issued_6m,
        (case when e.mi > e.m - 6 then (6 - (e.m - e.mi)) * greatest(e.ic, 0) else 0 end
         + case when e.mi1 > e.m - 6 then (6 - (e.m - e.mi1)) * greatest(e.i1, 0) else 0 end
         + case when e.mi2 > e.m - 6 then (6 - (e.m - e.mi2)) * greatest(e.i2, 0) else 0 end
         + case when e.mi3 > e.m - 6 then (6 - (e.m - e.mi3)) * greatest(e.i3, 0) else 0 end
         + case when e.mi4 > e.m - 6 then (6 - (e.m - e.mi4)) * greatest(e.i4, 0) else 0 end
         + case when e.mi5 > e.m - 6 then (6 - (e.m - e.mi5)) * greatest(e.i5, 0) else 0 end) as mad_c
    from expanded e
    join sm s on s.store_id = e.store_id and s.mi = e.m
),

-- the columns ABC carries (consumption value and dead stock need the grid's month); the others
-- are derived from them after it. bkt: the consumption value's bucket, ⌊4·log2 v⌋ — never larger
-- for a smaller value — and NULL for v ≤ 0 (class N), taken from the stored DECIMAL(18, 4) value
-- that ABC ranks (equal values, one bucket), not from the product before its cast. Materialized:
-- read by the buckets and the three branches of abc
valued as materialized (
    select store_id, month, sk, part_no, on_hand_c, unit_cost, cover_days, c.ss_divisor, mad_c, issued_c,
        (issued_6m * unit_cost)::decimal(18, 4) as consumption_value_6m,
        case when (issued_6m * unit_cost)::decimal(18, 4) > 0
             then floor(log2((issued_6m * unit_cost)::decimal(18, 4)::double) * 4)::integer end as bkt,
        on_hand_c > 0 and (last_issue_cum is null or last_issue_cum < next_month_start - c.dead_stock_window) as dead,
        last_issue_cum as last_issue_at
    from dense
    join cfg_store c using (store_id)
),

-- ABC per store and month (§5): c = the share of the positive six-month values before each part,
-- largest first (then part_no); A if c < 0.80, B if c < 0.95, else C. Without sorting every part:
-- per store-month and bucket, the values' sum s and the sum lo of the buckets above it (all
-- larger values). A part's c·total lies in [lo, lo + s − v] ⊂ [lo, lo + s), so a bucket with
-- lo + s ≤ 0.80·total is all A, lo ≥ 0.80·total and lo + s ≤ 0.95·total all B, lo ≥ 0.95·total
-- all C (cls); only the parts of the buckets that straddle 0.80 or 0.95 (at S 74 k of 1.7 M) are
-- ordered, within their bucket, for the sum before them. Exact: the same decimal sums and
-- comparisons as one window over every part (which sorted all 2.4 M rows: the model 3.4–3.6 →
-- 2.8–2.9 s alone at S, the same rows).
buckets as (
    select sk, bkt, sum(consumption_value_6m) as s
    from valued
    where bkt is not null
    group by all
),

bclass as (
    select sk, bkt, lo, v_total,
        case when (lo + s) * 100 <= v_total * 80 then 'A'
             when lo * 100 >= v_total * 80 and (lo + s) * 100 <= v_total * 95 then 'B'
             when lo * 100 >= v_total * 95 then 'C' end as cls
    from (
        select *,
            coalesce(sum(s) over (w rows between unbounded preceding and 1 preceding), 0) as lo,
            sum(s) over (w rows between unbounded preceding and unbounded following) as v_total
        from buckets
        window w as (partition by sk order by bkt desc)
    )
),

abc as (
    select v.*, 'N' as abc from valued v where v.bkt is null
    union all
    select v.*, b.cls from valued v join bclass b using (sk, bkt) where b.cls is not null
    union all
    select v.* exclude (lo, v_total, v_before),
        case when v_before * 100 < v_total * 80 then 'A' when v_before * 100 < v_total * 95 then 'B' else 'C' end
    from (
        select v.*, b.lo, b.v_total,
            b.lo + coalesce(sum(v.consumption_value_6m) over (partition by v.sk, v.bkt order by v.consumption_value_6m desc, v.part_no
                                                              rows between unbounded preceding and 1 preceding), 0) as v_before
        from valued v join bclass b using (sk, bkt)
        where b.cls is null
    ) v
),

-- The rows are written in month and store order: a month's rows are one run of blocks (zone maps
-- on month), and an incremental run's months are the last blocks, so replacing them touches those
-- only (in store order, every block held some of the window's months: the incremental run at S
-- 4.4 → 4.0–4.3 s, its commit 0.47–0.53 → 0.42–0.43 s), and the months later runs append keep
-- the order; within a month a store's rows are one run, which reads of one store can skip by the
-- zone maps (the dashboards at L took the same time with the month alone: 55.7 / 49.2 against
-- 50.7 / 54.4 s). Not by part too: that sort cost ≈ 0.2–0.4 s more of the model at S. Sorted by
-- the one integer sk rather than the two texts (abc's rows arrive in part order), and only the
-- columns the output is computed from: a sort moves every column of its rows, and the derived
-- ones (stock and values as decimals, MAD, safety stock, suggested order, issue cost) are
-- computed after it (scratch, the 2.4 M rows at S sorted with the 13 columns here against the
-- 15 written: 0.66–1.24 against 1.40–1.60 s; the model in alternating full runs −0.2 s). Not
-- narrower still with store and month taken back after the sort by sk: a join to them did not
-- keep the order and cost more than it saved, a cross product with lists of them copied the
-- lists into every row (1.3 s). reference_test checks the order of the written rows.
sorted as (
    select store_id, month, part_no, on_hand_c, unit_cost, cover_days, ss_divisor, mad_c, issued_c, consumption_value_6m, abc, dead, last_issue_at
    from abc
    order by sk
),

-- mad and safety_stock are DOUBLE (§5 divides by 21): computed from the integer cents in double
-- arithmetic, the same values as from the decimals (DuckDB divides decimals as doubles, a cent
-- count as its double ÷ 100), without a 128-bit decimal product per row. The same to the bit
-- while a part's weighted demand in cents × cover days stays under 2^53 (both products exact;
-- above that they may differ in the last bit), and no BIGINT product that could overflow
final as (
    select
        store_id, month, part_no,
        on_hand,
        (greatest(on_hand, 0) * unit_cost)::decimal(18, 4) as inventory_value,
        consumption_value_6m,
        abc,
        mad_c::double / 100.0 / 21.0 as mad,
        mad_c::double * cover_days / 100.0 / (21.0 * ss_divisor)::double as safety_stock,
        -- suggested = max(0, ceil(SSQ) − on hand), ceil(SSQ) = ceil(mad_c · cover / (2100 · ss_divisor))
        -- exactly in integers, as (a div d)·c + ceil((a mod d)·c / d), in cents
        (greatest(case when mad_c <= 0 or cover_days = 0 then 0
                      else (mad_c // (2100 * ss_divisor)) * cover_days
                           + ((mad_c % (2100 * ss_divisor)) * cover_days + 2100 * ss_divisor - 1) // (2100 * ss_divisor)
                 end * 100 - on_hand_c, 0)::decimal(18, 0) * 0.01) as suggested_order,
        dead, unit_cost, issued_net,
        (issued_net * unit_cost)::decimal(18, 4) as issue_cost,
        last_issue_at
    from (
        select *,
            (on_hand_c::decimal(18, 0) * 0.01)::decimal(18, 2) as on_hand,
            (issued_c::decimal(18, 0) * 0.01)::decimal(18, 2) as issued_net
        from sorted
    )
)

select * from final
