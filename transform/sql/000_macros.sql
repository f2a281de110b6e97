-- raw
-- Helper macros used by the models (DuckDB macros; on another engine, a UDF of the same name).
-- money_div(num, den): num / den rounded half away from zero to 0.01, exactly (DECIMAL in, DECIMAL out):
-- DuckDB's "/" on DECIMAL returns DOUBLE, which can round 333.335 to 333.33.
CREATE OR REPLACE MACRO money_div(num, den) AS
    CASE WHEN den IS NULL OR den = 0 OR num IS NULL THEN NULL
    ELSE CAST(CAST((CAST(num * 100 AS HUGEINT) * 2 + sign(num) * den) // (2 * den) AS DECIMAL(38, 0))
              * CAST(0.01 AS DECIMAL(3, 2)) AS DECIMAL(18, 2))
    END;
-- rate(n, d): a fraction in [0, 1]; NULL when the denominator is empty (CONTRACT §3).
CREATE OR REPLACE MACRO rate(n, d) AS CASE WHEN d IS NULL OR d = 0 THEN NULL ELSE CAST(n AS DOUBLE) / d END;
-- month_text(ym): the 'YYYY-MM' text of a month given as year * 100 + month, the same text as
-- strftime(t, '%Y-%m') of any instant t in it. Models group by the integer (stg_orders' ym_opened,
-- ym_closed) and format only the groups: strftime on every row of 1.8 M orders cost ≈ 0.06 s a
-- pass at scale S, and an integer is a cheaper key to hash and join.
CREATE OR REPLACE MACRO month_text(ym) AS strftime(make_date(CAST(ym // 100 AS INTEGER), CAST(ym % 100 AS INTEGER), 1), '%Y-%m');
-- The fault systems two orders can share (CONTRACT §2: every one but maintenance and other),
-- sorted. An order's systems are a bit mask, bit i − 1 standing for the i-th of this list: a
-- bitwise or/and of integers instead of lists of texts (the comeback candidates' fault systems).
-- TestShareableFaultSystems pins the list to the fault_system enum of ingest. (Spark has bit_or,
-- shiftleft and filter with an index; Trino bitwise_or_agg, bitwise_and and zip_with.)
CREATE OR REPLACE MACRO shareable_fault_systems() AS
    ['body', 'chassis', 'electrical', 'engine', 'hvac', 'interior', 'paint', 'transmission'];
-- fault_system_bit(s): the bit of a shareable fault system (a value not in the list fails the run).
CREATE OR REPLACE MACRO fault_system_bit(s) AS
    1 << (coalesce(list_position(shareable_fault_systems(), s),
                   error('fault_system "' || s || '" is not in shareable_fault_systems() (transform/sql/000_macros.sql)')) - 1);
-- fault_system_list(mask): the sorted list of the shareable fault systems of a mask ([] for 0).
CREATE OR REPLACE MACRO fault_system_list(mask) AS
    list_filter(shareable_fault_systems(), (s, i) -> (mask >> (i - 1)) & 1 = 1);
-- A reached callback's answer as one integer in [0, 17]: score × 3 + fixed_ok (true 2, false 1,
-- NULL 0), a NULL score as 0 (ingest keeps scores in 1–5). int_callbacks_per_order packs it
-- below the call's instant; first_score = nullif(a // 3, 0), first_fixed_ok from a % 3.
CREATE OR REPLACE MACRO callback_answer(score, fixed_ok) AS
    coalesce(score, 0) * 3 + CASE fixed_ok WHEN true THEN 2 WHEN false THEN 1 ELSE 0 END;
