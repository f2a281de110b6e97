#!/usr/bin/env python3
"""An independent reading of CONTRACT.md §2, in plain Python (standard library only), compared
with the marts a transform wrote.

It reads the clean UTF-8 CSV that `make bench` leaves (bench/work-S/clean-csv: the rows loaded,
canonical columns), recomputes for a few stores every column of mart_store_month, and of
mart_comebacks, mart_advisor_month, mart_tech_month, mart_payroll, mart_benchmark, mart_parts_month
the columns that are figures, and the counts of mart_data_quality's findings about rows (orphans,
unknown parts and techs, negative stock, VIN check digits), and compares them with the database's
rows (read through `aftersales query --format csv`). The settings are the defaults (a transform
without --config). Nothing here is shared with the SQL models or with transform/reference_test.go: it was
written from the contract's text, as an outside checker would.

    python3 internal/crosscheck/crosscheck.py --csv bench/work-S/clean-csv \
        --db bench/work-S/ingest2/a.duckdb --stores S001,S002,S003

`make crosscheck` runs it after `make bench`; `TestPythonCrosscheck` (transform/) in `make test`, on
generated data with the marts given as CSV (--marts). Exit status 1 on any difference.

How values are compared: decimals (money, hours, quantities) exactly; revenue_per_order and
revenue_per_tech, which the mart rounds to the cent, within half a cent; doubles (rates, hours of
turnaround, MAD, safety stock, turnover) to 1e-9 relative. Safety stock's ceiling is taken on exact
fractions (in decimals, 245/21 × 18 / 30 comes out 7.000…01, whose ceiling is 8, not 7), and so
are payroll's ratios, points and largest remainders (exact ties of remainders, of ½ or ⅔ of a
cent, happen in generated data, and 28-digit decimals break them either way).
"""
import argparse
import csv
import datetime as dt
import io
import math
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal as D, ROUND_HALF_UP
from fractions import Fraction

p = argparse.ArgumentParser()
p.add_argument("--csv", required=True, help="folder of the clean CSV, one file per input kind")
p.add_argument("--db", help="the database whose marts are compared (read with `aftersales query`)")
p.add_argument("--marts", help="instead of --db: a folder of the marts as CSV, <mart>.csv (the Go test's way)")
p.add_argument("--bin", default="bin/aftersales")
p.add_argument("--stores", default="S001,S002,S003")
p.add_argument("--parts-stores", default="", help="stores whose parts mart is compared (default: the first)")
a = p.parse_args()
if not a.db and not a.marts:
    sys.exit("crosscheck: give --db (with --bin) or --marts")
for need in [f"{a.csv}/work_orders.csv"] + ([a.marts] if a.marts else [a.db, a.bin]):
    if not os.path.exists(need):
        sys.exit(f"crosscheck: {need} does not exist: run `make bench` (scale S) first, which leaves the clean CSV "
                 "and the database of its last full transform, or give --csv, --db and --bin")
STORES = a.stores.split(",")
PSTORES = a.parts_stores.split(",") if a.parts_stores else STORES[:1]
W = dt.timedelta(days=30)          # comeback_window_days
GRACE = dt.timedelta(0)            # on_time_grace_minutes
HOURS_PER_DAY = D(8)
POOL_RATE = D("0.35")
DEDUCTION = D("100.00")
DEAD_DAYS = dt.timedelta(days=180)
SS_DIVISOR = 30
ZERO = D(0)


def rows(kind):
    with open(f"{a.csv}/{kind}.csv", newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        hdr = next(r)
        for line in r:
            if line[0] in STORES:
                yield dict(zip(hdr, line))


def ts(s):
    return dt.datetime.fromisoformat(s) if s else None


def month(t):
    return f"{t.year:04d}-{t.month:02d}"


def mi(m):
    return int(m[:4]) * 12 + int(m[5:]) - 1


def month_start(i):
    return dt.datetime(i // 12, i % 12 + 1, 1)


def qcont(xs, q):  # DuckDB quantile_cont: linear interpolation
    xs = sorted(xs)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def rate(n, d):
    return n / d if d else None


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def rhu(x):
    return x.quantize(D("0.01"), ROUND_HALF_UP)


# ---- inputs (the clean CSV holds one row per natural key: the rows loaded, after upserts)
orders = {}
for r in rows("work_orders"):
    for c in ("opened_at", "promised_at", "delivered_at"):
        r[c] = ts(r[c])
    for c in ("labor_amount", "parts_amount", "other_amount", "discount_amount"):
        r[c] = D(r[c] or "0")
    r["revenue"] = r["labor_amount"] + r["parts_amount"] + r["other_amount"] - r["discount_amount"]
    orders[(r["store_id"], r["order_no"])] = r
jobs = defaultdict(list)
for r in rows("order_jobs"):
    jobs[(r["store_id"], r["order_no"])].append(r)
cbs = defaultdict(list)
for r in rows("callbacks"):
    r["called_at"], r["resolved_at"] = ts(r["called_at"]), ts(r["resolved_at"])
    cbs[(r["store_id"], r["order_no"])].append(r)
parts = {(r["store_id"], r["part_no"]): r for r in rows("parts")}
movs = defaultdict(list)
for r in rows("parts_movements"):
    r["moved_at"] = ts(r["moved_at"])
    movs[r["store_id"]].append(r)
techrows = defaultdict(list)
for r in rows("technicians"):
    techrows[(r["store_id"], r["tech_id"])].append(r)
att = {(r["store_id"], r["month"], r["tech_id"]): r for r in rows("attendance")}


def closed(o):
    return o["status"] == "delivered"


def customer(o):
    return closed(o) and o["order_type"] != "internal"


def systems(k):
    return {j["fault_system"] for j in jobs.get(k, ()) if j["fault_system"] not in ("maintenance", "other")}


def inforce(s, t, m):
    rs = [r for r in techrows.get((s, t), ()) if r["valid_from"] <= m]
    return max(rs, key=lambda r: r["valid_from"]) if rs else None


# ---- comebacks (§2): candidate origins, shared fault systems, the latest origin, attribution
by_vin = defaultdict(list)
for k, o in orders.items():
    if customer(o):
        by_vin[(k[0], o["vin"])].append(k)
comeback = {}                      # C -> (origin or None, flagged)
want_cb = {}                       # mart_comebacks' rows
charged = defaultdict(int)         # (store, month C opened, tech) -> comebacks charged
for k, c in orders.items():
    if c["status"] == "cancelled":
        continue
    cands = [x for x in by_vin.get((k[0], c["vin"]), ())
             if orders[x]["delivered_at"] < c["opened_at"] <= orders[x]["delivered_at"] + W]
    sc = systems(k)
    sharing = [x for x in cands if sc & systems(x)]

    def latest(ks):
        return max(ks, key=lambda x: (orders[x]["delivered_at"], x[1]))
    if c["is_comeback"] == "true":
        comeback[k] = (latest(sharing) if sharing else (latest(cands) if cands else None), True)
    elif c["order_type"] in ("repair", "warranty") and sharing:
        comeback[k] = (latest(sharing), False)
    else:
        continue
    o = comeback[k][0]
    shared, techs = set(), set()
    if o is not None:
        shared = sc & systems(o)
        techs = {j["tech_id"] for j in jobs[o] if j["fault_system"] in shared} or {j["tech_id"] for j in jobs[o]}
        for t in techs:
            charged[(k[0], month(c["opened_at"]), t)] += 1
    want_cb[k] = dict(origin_order_no=o[1] if o else "", vin=c["vin"], kind="flagged" if comeback[k][1] else "suspected",
                      fault_systems="[" + ", ".join(sorted(shared)) + "]", cause=c["comeback_cause"],
                      charged_tech_ids="[" + ", ".join(sorted(techs)) + "]")
failed = {v[0] for v in comeback.values() if v[0] is not None}

# the store's as-of timestamp: the latest opened_at of any of its orders
as_of = {}
for (s, _), o in orders.items():
    as_of[s] = max(as_of.get(s, o["opened_at"]), o["opened_at"])

# ---- per store-month groups of orders
g_open, g_closed, g_cust = defaultdict(list), defaultdict(list), defaultdict(list)
for k, o in orders.items():
    if o["status"] != "cancelled":
        g_open[(k[0], month(o["opened_at"]))].append(k)
    if closed(o):
        g_closed[(k[0], month(o["delivered_at"]))].append(k)
    if customer(o):
        g_cust[(k[0], month(o["delivered_at"]))].append(k)


def first_reached(k):
    rc = [c for c in cbs.get(k, ()) if c["reached"] == "true"]
    # the earliest; the contract names no tie-break: the marts take the smaller callback_id
    return min(rc, key=lambda c: (c["called_at"], c["callback_id"])) if rc else None


def callback_figures(ck):
    firsts = [f for f in map(first_reached, ck) if f is not None]
    scored = [int(f["score"]) for f in firsts if f["score"] != ""]
    return dict(csi=rate(sum(x >= 4 for x in scored), len(scored)), avg_score=mean(scored),
                fixed=[f["fixed_ok"] == "true" for f in firsts if f["fixed_ok"] != ""],
                complaint_rate=rate(sum(any(c["complaint"] == "true" for c in cbs.get(k, ())) for k in ck), len(ck)))


def on_time(cust):
    wp = [o for o in cust if o["promised_at"] is not None]
    return rate(sum(o["delivered_at"] <= o["promised_at"] + GRACE for o in wp), len(wp))


# ---- parts: per store, the stock and issues month by month (§2.2, §5)
SIGN = {"receipt": 1, "return": 1, "transfer_in": 1, "adjust": 1, "issue": -1, "supplier_return": -1, "transfer_out": -1}


def parts_months(s, last):
    """Yields (month, per-part state) from the store's first movement month up to last. Movements
    of parts missing from the catalogue count in no KPI (§5): not in stock, value or fill rate."""
    ms = sorted((r for r in movs[s] if (s, r["part_no"]) in parts), key=lambda r: r["moved_at"])
    if not ms:
        return
    i0 = ms[0]["moved_at"].year * 12 + ms[0]["moved_at"].month - 1
    onhand, last_issue, issq = defaultdict(D), {}, defaultdict(D)
    n = 0
    for i in range(i0, mi(last) + 1):
        end = month_start(i + 1)
        issues = fills = 0
        while n < len(ms) and ms[n]["moved_at"] < end:
            r = ms[n]
            n += 1
            pn, q, t = r["part_no"], D(r["qty"]), r["movement_type"]
            onhand[pn] += SIGN[t] * q
            if t == "issue":
                issues += 1
                fills += r["backorder"] != "true"     # NULL backorder counts as false
                last_issue[pn] = r["moved_at"]
                issq[(pn, i)] += q
            elif t == "return":
                issq[(pn, i)] -= q
        yield i, end, onhand, last_issue, issq, rate(fills, issues)


def store_parts(s, last):
    """mart_store_month's parts columns per month, and mart_parts_month's rows when asked."""
    cat = {pn: r for (st, pn), r in parts.items() if st == s}
    out, grid = {}, {}
    prev_inv = ZERO
    for i, end, onhand, last_issue, issq, fill in parts_months(s, last):
        m = f"{i // 12:04d}-{i % 12 + 1:02d}"
        inv = dead = issue_cost = ZERO
        vals = {}
        for pn, pr in cat.items():
            uc = D(pr["unit_cost"])
            oh = onhand.get(pn, ZERO)
            inv += max(oh, ZERO) * uc
            isdead = oh > 0 and not (pn in last_issue and last_issue[pn] >= end - DEAD_DAYS)
            if isdead:
                dead += oh * uc      # dead_stock_value: the dead parts' stock at cost
            issue_cost += issq.get((pn, i), ZERO) * uc
            vals[pn] = sum((issq.get((pn, i - k), ZERO) for k in range(6)), ZERO) * uc
        avg = (inv + prev_inv) / 2
        out[m] = dict(fill_rate=fill, inventory_value=inv, dead_stock_value=dead,
                      turnover=float(12 * issue_cost / avg) if avg != 0 else None)
        prev_inv = inv
        if s in PSTORES:
            pos = sorted((pn for pn in cat if vals[pn] > 0), key=lambda pn: (-vals[pn], pn))
            tot, cum, abc = sum(vals[pn] for pn in pos), ZERO, {}
            for pn in pos:
                c = cum / tot
                abc[pn] = "A" if c < D("0.80") else ("B" if c < D("0.95") else "C")
                cum += vals[pn]
            for pn, pr in cat.items():
                oh = onhand.get(pn, ZERO)
                cover = int(pr["order_cycle_days"] or 0) + int(pr["lead_time_days"] or 0)
                # exact fractions: in decimals 245/21 × 18 / 30 is 7.000…01, whose ceiling is 8
                mad = Fraction(sum(((6 - k) * max(issq.get((pn, i - k), ZERO), ZERO) for k in range(6)), ZERO)) / 21
                ssq = mad * cover / SS_DIVISOR
                grid[(s, m, pn)] = dict(
                    on_hand=oh, inventory_value=max(oh, ZERO) * D(pr["unit_cost"]), consumption_value_6m=vals[pn],
                    abc=abc.get(pn, "N"), mad=float(mad), safety_stock=float(ssq),
                    suggested_order=max(ZERO, math.ceil(ssq) - oh),
                    dead=str(oh > 0 and not (pn in last_issue and last_issue[pn] >= end - DEAD_DAYS)).lower())
    return out, grid


# ---- mart_store_month
want_sm, want_adv, want_tech, want_pay, want_pm = {}, {}, {}, {}, {}
last = max(m for (_, m) in g_cust)
pfig = {}
for s in STORES:
    pfig[s], grid = store_parts(s, last)
    want_pm.update(grid)
for (s, m), ck in g_cust.items():
    cust = [orders[k] for k in ck]
    f = dict(orders=len(cust), revenue=sum(o["revenue"] for o in cust),
             labor_revenue=sum(o["labor_amount"] for o in cust), parts_revenue=sum(o["parts_amount"] for o in cust))
    f["revenue_per_order"] = f["revenue"] / len(cust)
    f["appointment_rate"] = sum(o["appointment"] == "true" for o in cust) / len(cust)
    th = [(o["delivered_at"] - o["opened_at"]).total_seconds() / 3600 for o in cust]
    f.update(turnaround_hours_avg=mean(th), turnaround_hours_median=qcont(th, 0.5), turnaround_hours_p90=qcont(th, 0.9))
    f["on_time_rate"] = on_time(cust)
    f["ftfr"] = 1 - sum(k in failed for k in ck) / len(ck)
    f["ftfr_provisional"] = str(as_of[s] < month_start(mi(m) + 1) + W).lower()
    op = g_open.get((s, m), [])
    cb = [k for k in op if k in comeback]
    f.update(comeback_rate=rate(len(cb), len(op)), comebacks_flagged=sum(comeback[k][1] for k in cb),
             comebacks_suspected=sum(not comeback[k][1] for k in cb))
    with_cb = [k for k in ck if cbs.get(k)]
    f["callback_rate"] = len(with_cb) / len(ck)
    f["callback_timely_rate"] = sum(min(c["called_at"] for c in cbs[k]) - orders[k]["delivered_at"] <= dt.timedelta(days=7)
                                    for k in with_cb) / len(ck)
    f["reach_rate"] = rate(sum(first_reached(k) is not None for k in with_cb), len(with_cb))
    cf = callback_figures(ck)
    f.update(csi=cf["csi"], avg_score=cf["avg_score"], reported_fix_rate=rate(sum(cf["fixed"]), len(cf["fixed"])),
             complaint_rate=cf["complaint_rate"])
    comp = [c for k in ck for c in cbs.get(k, ()) if c["complaint"] == "true"]
    f["complaint_resolved_rate"] = rate(sum(c["resolved_at"] is not None and c["resolved_at"] <= c["called_at"] + dt.timedelta(days=7)
                                            for c in comp), len(comp))
    jl = [j for k in g_closed.get((s, m), []) for j in jobs.get(k, ())]
    f["flagged_hours"] = sum((D(j["labor_hours"]) for j in jl), ZERO)
    f["techs"] = len({j["tech_id"] for j in jl})
    f["revenue_per_tech"] = f["revenue"] / f["techs"] if f["techs"] else None
    f.update(pfig[s].get(m, dict(fill_rate=None, inventory_value=None, dead_stock_value=None, turnover=None)))
    want_sm[(s, m)] = f
    # mart_advisor_month: the same figures per advisor_id (orders without an advisor are not compared)
    by_adv = defaultdict(list)
    for k in ck:
        if orders[k]["advisor_id"]:
            by_adv[orders[k]["advisor_id"]].append(k)
    for adv, ak in by_adv.items():
        ao = [orders[k] for k in ak]
        af = callback_figures(ak)
        want_adv[(s, m, adv)] = dict(orders=len(ao), revenue=sum(o["revenue"] for o in ao), csi=af["csi"],
                                     complaint_rate=af["complaint_rate"], on_time_rate=on_time(ao))

# ---- mart_tech_month and mart_payroll (§2, §2.1)
techs_of = defaultdict(set)        # (store, month) -> techs with attendance or a charged comeback
for (st, mm, t) in list(att) + list(charged):
    techs_of[(st, mm)].add(t)
for s in STORES:
    months = sorted({m for (st, m) in g_closed if st == s} | {m for (st, m, _) in att if st == s}
                    | {m for (st, m, _) in charged if st == s})
    for m in months:
        labor, hours, njobs = defaultdict(D), defaultdict(D), defaultdict(int)
        for k in g_closed.get((s, m), []):
            for j in jobs.get(k, ()):
                t = j["tech_id"]
                labor[t] += D(j["labor_amount"] or "0")
                hours[t] += D(j["labor_hours"])
                njobs[t] += 1
        techs = set(njobs) | techs_of[(s, m)]
        teams = defaultdict(list)
        for t in techs:
            r = inforce(s, t, m)
            a_ = att.get((s, m, t))
            worked = D(a_["days_worked"]) if a_ else None
            want_tech[(s, m, t)] = dict(team_id=r["team_id"] if r else "", grade=r["grade"] if r else "", jobs=njobs[t],
                                        flagged_hours=hours[t], labor_amount=labor[t], comebacks=charged.get((s, m, t), 0),
                                        days_worked=worked,
                                        efficiency=float(hours[t] / (worked * HOURS_PER_DAY)) if worked else None)
            if r is not None:
                teams[r["team_id"]].append((t, r))
        for T, mem in teams.items():
            pool = rhu(POOL_RATE * sum((labor[t] for t, _ in mem), ZERO))
            pts = {}
            for t, r in mem:
                a_ = att.get((s, m, t))
                # exact: 19.5 / 21 in 28-digit decimals moves a tie of remainders (S008 2026-10 at S)
                ratio = (min(Fraction(1), Fraction(D(a_["days_worked"])) / Fraction(D(a_["days_scheduled"])))
                         if a_ and D(a_["days_scheduled"]) > 0 else Fraction(0))
                pts[t] = (Fraction(D(r["coefficient"])) * ratio, ratio, r)
            tot = sum(v[0] for v in pts.values())
            shares = {}
            if tot > 0:  # largest remainder on exact points (fractions: in 28-digit decimals two
                # remainders of exactly 2/3 can come out …67 and …66), ties to the smaller tech_id
                exact = {t: Fraction(pool * 100) * v[0] / tot for t, v in pts.items()}
                cents = {t: math.floor(x) for t, x in exact.items()}
                left = int(pool * 100 - sum(cents.values()))
                for t in sorted(exact, key=lambda t: (-(exact[t] - cents[t]), t))[:left]:
                    cents[t] += 1
                shares = {t: D(c) / 100 for t, c in cents.items()}
            for t, (pt, ratio, r) in pts.items():
                sh = shares.get(t, ZERO)
                top = D(math.floor(max(Fraction(0), Fraction(D(r["base_wage"] or "0")) * ratio - Fraction(sh)) * 100
                                   + Fraction(1, 2))) / 100   # half-up, of the exact amount
                ded = charged.get((s, m, t), 0) * DEDUCTION
                want_pay[(s, m, t)] = dict(team_id=T, pool=pool, share=sh, topup=top, deduction=ded, pay=max(ZERO, sh + top - ded))


# ---- compare
def mart(name, where, stores):
    if a.marts:
        with open(f"{a.marts}/{name}.csv", newline="", encoding="utf-8") as f:
            return [r for r in csv.DictReader(f) if stores is None or r["store_id"] in stores]
    sql = f"SELECT * FROM {name} WHERE {where}"
    out = subprocess.run([a.bin, "query", "--db", a.db, "--format", "csv", sql], check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def same(c, got, v):
    if v is None:
        return got == ""
    if isinstance(v, str):
        return got == v
    if got == "":
        return False
    if c.startswith("revenue_per_"):
        return abs(D(got) - D(v)) <= D("0.005")        # money the mart rounds to the cent
    if isinstance(v, D):
        return D(got) == v
    return abs(float(got) - float(v)) <= 1e-9 * max(1.0, abs(float(v)))


# ---- mart_benchmark (§2.3), from mart_store_month's values of every store (the selected stores'
# values are compared above): rank 1 = best with ties sharing the best rank, percentile = the share
# of the other ranked stores that are worse (0 = worst, 1 = best), the group's median and quartiles
# (linear interpolation), the change against the previous month and the same month a year before
# (a difference: value − earlier value), the contract's example targets
DOWN = {"comeback_rate", "complaint_rate", "turnaround_hours_median", "dead_stock_value"}
TARGETS = {"ftfr": (0.95, "ge"), "csi": (0.90, "ge"), "complaint_rate": (0.01, "le"), "on_time_rate": (0.95, "ge")}
KPIS = ["orders", "revenue", "revenue_per_order", "appointment_rate", "turnaround_hours_median", "on_time_rate", "ftfr",
        "comeback_rate", "callback_rate", "callback_timely_rate", "reach_rate", "csi", "complaint_rate",
        "complaint_resolved_rate", "revenue_per_tech", "fill_rate", "turnover", "dead_stock_value"]
allsm = {(r["store_id"], r["month"]): r for r in mart("mart_store_month", "true", None) if r["orders"] not in ("", "0")}
want_bm = {}
for kpi in KPIS:
    by_month = defaultdict(list)
    for (st, m), r in allsm.items():
        if r[kpi] != "":
            by_month[m].append((st, float(r[kpi])))
    for (st, m), r in allsm.items():
        if st not in STORES:
            continue
        f = dict(value=None, rank=None, percentile=None)
        vals = by_month.get(m, [])
        if vals:
            xs = [v for _, v in vals]
            f.update(group_median=qcont(xs, 0.5), group_q1=qcont(xs, 0.25), group_q3=qcont(xs, 0.75))
        if r[kpi] != "":
            v = float(r[kpi])
            sign = -1 if kpi in DOWN else 1
            better = sum(sign * x > sign * v for x in xs)
            worse = sum(sign * x < sign * v for x in xs)
            f.update(value=v, rank=better + 1, percentile=worse / (len(xs) - 1) if len(xs) > 1 else None)
            for col, back in (("change_mom", 1), ("change_yoy", 12)):
                i = mi(m) - back
                prev = allsm.get((st, f"{i // 12:04d}-{i % 12 + 1:02d}"))
                f[col] = v - float(prev[kpi]) if prev is not None and prev[kpi] != "" else None
            if kpi in TARGETS:
                t, how = TARGETS[kpi]
                f["meets_target"] = str(v >= t if how == "ge" else v <= t).lower()
        f["direction"] = "down" if kpi in DOWN else "up"
        want_bm[(st, m, kpi)] = f

# ---- mart_data_quality (§3, §5): the counts of the findings about rows (absent = 0)
VALUES = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9]))
WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def vin_ok(v):  # ISO 3779: position 9 is the check digit of the weighted sum mod 11 (10 = X)
    r = sum((int(ch) if ch.isdigit() else VALUES[ch]) * w for ch, w in zip(v, WEIGHTS)) % 11
    return v[8] == ("X" if r == 10 else str(r))


on_file = {(st, t) for (st, t) in techrows}
want_dq = {}
for s in STORES:
    c = dict.fromkeys(["orphan_jobs", "orphan_callbacks", "orphan_movements", "unknown_parts", "unknown_techs",
                       "negative_stock", "vin_check_digit"], 0)
    for (st, o), js in jobs.items():
        if st == s:
            c["orphan_jobs"] += 0 if (st, o) in orders else len(js)
            c["unknown_techs"] += sum((st, j["tech_id"]) not in on_file for j in js)
    for (st, o), cs in cbs.items():
        if st == s and (st, o) not in orders:
            c["orphan_callbacks"] += len(cs)
    stock = defaultdict(D)
    for r in movs[s]:
        if r["order_no"] and (s, r["order_no"]) not in orders:
            c["orphan_movements"] += 1
        if (s, r["part_no"]) not in parts:
            c["unknown_parts"] += 1
        stock[r["part_no"]] += SIGN[r["movement_type"]] * D(r["qty"])
    c["negative_stock"] = sum(v < 0 for pn, v in stock.items() if (s, pn) in parts)
    c["vin_check_digit"] = len({o["vin"] for (st, _), o in orders.items() if st == s and not vin_ok(o["vin"])})
    for check, n in c.items():
        want_dq[(s, check)] = dict(count=D(n))

total_bad = 0
inlist = ",".join("'" + s + "'" for s in STORES)
for name, key, want, where in [
    ("mart_store_month", ("store_id", "month"), want_sm, f"store_id IN ({inlist})"),
    ("mart_comebacks", ("store_id", "order_no"), want_cb, f"store_id IN ({inlist})"),
    ("mart_advisor_month", ("store_id", "month", "advisor_id"), want_adv, f"store_id IN ({inlist})"),
    ("mart_tech_month", ("store_id", "month", "tech_id"), want_tech, f"store_id IN ({inlist})"),
    ("mart_payroll", ("store_id", "month", "tech_id"), want_pay, f"store_id IN ({inlist})"),
    ("mart_benchmark", ("store_id", "month", "kpi"), want_bm, f"store_id IN ({inlist})"),
    ("mart_data_quality", ("store_id", "check"), want_dq, f"store_id IN ({inlist})"),
    ("mart_parts_month", ("store_id", "month", "part_no"), want_pm, "store_id IN (" + ",".join("'" + s + "'" for s in PSTORES) + ")"),
]:
    got = mart(name, where, PSTORES if name == "mart_parts_month" else STORES)
    left = dict(want)
    bad = extra = 0
    for r in got:
        k = tuple(r[c] for c in key)
        if k not in left:
            if name == "mart_data_quality":
                continue   # freshness, payroll exceptions, rejected rows: not read here
            if name == "mart_advisor_month" and r["advisor_id"] == "":
                continue
            if name == "mart_store_month" and r["orders"] in ("", "0"):
                continue   # more rows are fine (§5): a month with no customer order closed
            extra += 1
            if extra <= 5:
                print(f"{name}: row {k} is not in the Python reading")
            continue
        for c, v in left.pop(k).items():
            if not same(c, r[c], v):
                bad += 1
                if bad <= 20:
                    print(f"{name} {k} {c}: mart {r[c]!r}, Python {v}")
    if name == "mart_data_quality":  # a finding with count 0 has no row
        left = {k: v for k, v in left.items() if v["count"] != 0}
    for k in list(left)[:5]:
        print(f"{name}: row {k} of the Python reading is missing")
    n = len(got)
    print(f"{name}: {n} rows of {','.join(STORES if name != 'mart_parts_month' else PSTORES)}: "
          f"{bad} differing values, {extra} extra rows, {len(left)} missing rows")
    total_bad += bad + extra + len(left)
sys.exit(1 if total_bad else 0)
