#!/usr/bin/env bash
# Builds aftersales for Windows (x64), for the office PC of a store: dist/aftersales-windows-amd64/
# (aftersales.exe, duckdb.dll, README.txt, the licences) and a .zip of it. Run by `make windows`.
#
# go-duckdb's prebuilt static DuckDB for Windows is compiled against the UCRT and the libstdc++
# of MSYS2's toolchain; Debian's MinGW links msvcrt, and linking it fails. So the Windows build
# links DuckDB dynamically (go-duckdb's `duckdb_use_lib` tag) against DuckDB's own duckdb.dll of
# the same version as the Linux build (v1.4.1: databases move between the two unchanged). The DLL
# is DuckDB's official build as the npm registry serves it in @duckdb/node-bindings-win32-x64,
# checked against the SHA-256 below.
set -euo pipefail
cd "$(dirname "$0")/../.."

NPM_PKG="@duckdb/node-bindings-win32-x64@1.4.1-r.4"
DLL_SHA256="984309d00d9669c195acabb8417494940a9530e72f71bcb6c46eff95e8696de7"
CC_WIN="${CC_WIN:-x86_64-w64-mingw32-gcc}"
OUT="dist/aftersales-windows-amd64"
CACHE="${AFTERSALES_WIN_CACHE:-$HOME/.cache/aftersales-win}"
VERSION="$(git describe --always --dirty 2>/dev/null || echo dev)"

command -v "$CC_WIN" >/dev/null || { echo "windows: $CC_WIN not found: apt-get install gcc-mingw-w64-x86-64" >&2; exit 1; }

dll="$CACHE/duckdb-1.4.1/duckdb.dll"
if [ ! -f "$dll" ] || [ "$(sha256sum "$dll" | cut -d' ' -f1)" != "$DLL_SHA256" ]; then
  command -v npm >/dev/null || { echo "windows: npm not found (it fetches duckdb.dll): apt-get install npm" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$NPM_PKG" >/dev/null && tar xzf ./*.tgz)
  got="$(sha256sum "$tmp/package/duckdb.dll" | cut -d' ' -f1)"
  if [ "$got" != "$DLL_SHA256" ]; then
    echo "windows: duckdb.dll from $NPM_PKG has SHA-256 $got, not $DLL_SHA256: not used" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dll")"
  cp "$tmp/package/duckdb.dll" "$tmp/package/LICENSE" "$(dirname "$dll")/"
fi

rm -rf "$OUT" "$OUT.zip"
mkdir -p "$OUT"
GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$CC_WIN" CGO_LDFLAGS="-L$(dirname "$dll") -lduckdb" \
  go build -tags duckdb_use_lib -trimpath -ldflags "-s -w -X main.version=$VERSION" -o "$OUT/aftersales.exe" ./cmd/aftersales
cp "$dll" "$OUT/duckdb.dll"
cp "$(dirname "$dll")/LICENSE" "$OUT/LICENSE-duckdb.txt"
# README.txt in UTF-8 with a byte-order mark and CRLF line ends, as Notepad reads it best
printf '\xef\xbb\xbf' > "$OUT/README.txt"
sed 's/$/\r/' internal/winbuild/README.txt >> "$OUT/README.txt"
python3 - "$OUT" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
base = os.path.basename(out)
with zipfile.ZipFile(out + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(out)):
        z.write(os.path.join(out, name), base + "/" + name)
PY
echo "windows: $OUT/ and $OUT.zip ($(du -h "$OUT.zip" | cut -f1)), aftersales $VERSION with DuckDB 1.4.1 (duckdb.dll)"
