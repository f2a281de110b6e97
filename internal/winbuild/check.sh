#!/usr/bin/env bash
# Runs the Windows build (`make windows`) under Wine and checks it against the Linux build:
# `make windows-check`. In a folder with a Chinese name and a space, `demo` must give the Linux
# build's marts and raw tables to the last digit (data quality: its findings and counts; the
# examples name paths); then each case internal/winbuild/README.md lists (a workbook open as Excel
# holds one, rebuild, a database in use, a pattern, a double click) must say what it should.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
pkg="$repo/dist/aftersales-windows-amd64"
[ -x bin/aftersales ] || { echo "windows-check: bin/aftersales missing: make build" >&2; exit 1; }
[ -f "$pkg/aftersales.exe" ] || { echo "windows-check: $pkg missing: make windows" >&2; exit 1; }
WINE="${WINE:-$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)}"
[ -x "$WINE" ] || { echo "windows-check: wine not found: apt-get install wine64" >&2; exit 1; }

work="$(mktemp -d)"
trap '"$(dirname "$WINE")/wineserver" -k >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
"$WINE" wineboot -i >/dev/null 2>&1 || true
sys32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$sys32/bcryptprimitives.dll" ]; then
  x86_64-w64-mingw32-gcc -shared -o "$sys32/bcryptprimitives.dll" internal/winbuild/processprng.c -ladvapi32
fi
GOOS=windows GOARCH=amd64 go build -o "$work/locker.exe" ./internal/winbuild/locker

fail=0
bad() { echo "windows-check: FAIL: $*" >&2; fail=1; }

# the same demo on both builds
win="$work/售后 测试"
mkdir -p "$win" "$work/linux"
cp "$pkg"/* "$win/"
(cd "$win" && "$WINE" ./aftersales.exe demo --out 输出 > demo.log 2>&1) || { cat "$win/demo.log"; bad "demo under Wine"; }
(cd "$work/linux" && "$repo/bin/aftersales" demo --out out > demo.log 2>&1) || { cat "$work/linux/demo.log"; bad "demo on Linux"; }
grep -q "file:///Z:/.*/index.html" "$win/demo.log" || bad "the dashboards' address is not a file:///Z:/… URL: $(grep -a index.html "$win/demo.log")"

sums() { # each table's row count and the sum of its rows' hashes, one line a table
  local q="SELECT 'mart_data_quality', count(*), sum(hash(store_id, \"check\", severity, count)) FROM mart_data_quality"
  for t in mart_store_month mart_tech_month mart_advisor_month mart_payroll mart_parts_month mart_comebacks mart_benchmark \
           raw_work_orders raw_order_jobs raw_callbacks raw_parts_movements raw_attendance; do
    q="$q UNION ALL SELECT '$t', count(*), sum(hash(t)) FROM $t t"
  done
  cp "$1" "$work/q.duckdb"
  "$repo/bin/aftersales" query --db "$work/q.duckdb" --format csv "$q ORDER BY 1" | tail -n +2
  rm -f "$work/q.duckdb"
}
a="$(sums "$work/linux/out/aftersales.duckdb")"
b="$(sums "$win/输出/aftersales.duckdb")"
if [ "$a" != "$b" ]; then bad "the marts differ:"; diff <(echo "$a") <(echo "$b") >&2 || true; else echo "windows-check: demo: marts and raw tables equal to the Linux build's ($(echo "$a" | wc -l) tables)"; fi
n="$(find "$win/输出/dashboards" -name '*.html' 2>/dev/null | wc -l || true)"
m="$(find "$work/linux/out/dashboards" -name '*.html' 2>/dev/null | wc -l || true)"
[ "$n" = "$m" ] || bad "$n dashboard pages under Wine, $m on Linux"

# a workbook open in Excel
cd "$win"
db='--db 输出\aftersales.duckdb'
"$WINE" ./aftersales.exe report $db --store S001 --month 2026-09 --xlsx 月报.xlsx >/dev/null 2>&1 || bad "report"
before="$(sha256sum 月报.xlsx)"
"$WINE" "$work/locker.exe" 月报.xlsx > lock.log 2>&1 &
for _ in $(seq 50); do grep -q locked lock.log 2>/dev/null && break; sleep 0.2; done
set +e
out="$("$WINE" ./aftersales.exe report $db --store S001 --month 2026-09 --xlsx 月报.xlsx 2>&1)"; rc=$?
set -e
kill %1 2>/dev/null || true
wait 2>/dev/null || true
[ $rc = 1 ] || bad "report over an open workbook exited $rc"
echo "$out" | grep -q "正被其他程序打开" || bad "report over an open workbook says: $out"
[ "$(sha256sum 月报.xlsx)" = "$before" ] || bad "the open workbook was changed"
ls -a | grep -q '\.tmp$' && bad "a temporary file was left: $(ls -a | grep '\.tmp$')"
echo "windows-check: a workbook open elsewhere: $out"

# rebuild replaces the database it holds open
"$WINE" ./aftersales.exe rebuild $db > rebuild.log 2>&1 || { cat rebuild.log; bad "rebuild"; }
"$WINE" ./aftersales.exe transform $db > transform.log 2>&1 || { cat transform.log; bad "transform after rebuild"; }
c="$(sums "$win/输出/aftersales.duckdb")"
[ "$c" = "$b" ] || { bad "rebuild and transform changed the marts"; diff <(echo "$b") <(echo "$c") >&2 || true; }
# rebuild while another aftersales reads the database: Windows renames nothing over an open
# file, so it must fail saying so, with the database as it was and no .rebuild file left
"$WINE" ./aftersales.exe query $db "SELECT count(*) FROM range(8000000000) t(i) WHERE i % 7 = 3" > slow.log 2>&1 &
sleep 2
set +e
out="$("$WINE" ./aftersales.exe rebuild $db 2>&1)"; rc=$?
set -e
wait
if grep -q 1142857143 slow.log; then
  { [ $rc = 1 ] && echo "$out" | grep -q "正被其他进程打开"; } || bad "rebuild while a query reads: exit $rc: $out"
  [ -e 输出/aftersales.duckdb.rebuild ] && bad "rebuild left 输出/aftersales.duckdb.rebuild"
  [ "$(sums "$win/输出/aftersales.duckdb")" = "$b" ] || bad "a refused rebuild changed the database"
  echo "windows-check: rebuild while a query reads: $out"
else
  echo "windows-check: the slow query did not run beside rebuild: inconclusive ($(cat slow.log))"
fi

# a pattern, which cmd.exe leaves to the program, matched as Windows matches names (either case)
n="$(ls data/sample/S00*/work_orders_*.csv | wc -l)"
out="$("$WINE" ./aftersales.exe ingest --check --db 'x\a.duckdb' 'data\SAMPLE\S00*\WORK_orders_*.CSV' 2>&1 | tail -1)"
echo "$out" | grep -q "已检查 $n 个文件" || bad "a pattern of $n work-order files: $out"

# a double click: started by Explorer, it says how to use it (and waits for Enter: stdin is empty)
out="$(timeout 60 "$WINE" explorer /desktop=check,800x600 "Z:$(echo "$win/aftersales.exe" | tr / '\\')" < /dev/null 2>&1 || true)"
echo "$out" | grep -q "双击不能直接使用" || bad "started by Explorer it says: $out"

# a second process while a transform writes: told the database is in use (DuckDB on Windows opens
# it unshared, so this is a sharing violation there, not a lock)
"$WINE" ./aftersales.exe transform --full $db > full.log 2>&1 &
sleep 1.5
set +e
out="$("$WINE" ./aftersales.exe status $db 2>&1)"; rc=$?
set -e
wait
if [ $rc = 0 ]; then
  echo "windows-check: status ran before or after the transform, not during it: inconclusive"
elif echo "$out" | grep -q "是否有另一个 aftersales 在运行"; then
  echo "windows-check: a database in use: $out"
else
  bad "status during a transform says: $out"
fi
[ $fail = 0 ] && echo "windows-check: ok ($("$WINE" ./aftersales.exe version 2>&1 | tr -d '\r'))"
exit $fail
