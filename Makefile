# aftersales — the two commands a newcomer needs: `make demo` and `make test`.
GO      ?= go
BIN     := bin/aftersales
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
SCALE   ?= S
# runs per step of `make bench` (the median is reported): 3 at S; 1 at L, where one run of every
# step takes about half an hour (RUNS=3 to override)
RUNS    ?= $(if $(filter L,$(SCALE)),1,3)

.PHONY: build demo test lint race bench crosscheck fuzz windows windows-check clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/aftersales

# From a fresh clone: build, make sample data (data/sample, if absent), ingest, transform,
# write dashboards and reports, and print what to open.
demo: build
	./$(BIN) demo --out out/demo

# Fuzz budgets are execution counts, not seconds: with a time budget Go 1.26's fuzz
# coordinator can fail a target with a bare "context deadline exceeded" when a loaded machine
# starves its workers at the deadline (golang/go#75804; it failed CI once). A count has no
# deadline to race. FUZZX multiplies every count (FUZZX=10 for a longer local run).
FUZZX ?= 1

# Unit, golden and end-to-end tests, under UTC and under China's time zone, then a short fuzz run.
# The second pass leaves out the kill test and the random-order incremental test (17 s; the
# scripted TestIncrementalEqualsFull, whose windows are the same code, runs in both passes).
test: lint
	TZ=UTC $(GO) test -count=1 ./...
	TZ=Asia/Shanghai $(GO) test -count=1 -skip 'TestKillDuringIngest|TestIncrementalEqualsFullInAnyOrder' ./...
	$(MAKE) --no-print-directory fuzz

# The tests under Go's race detector, then the demo and a 10-store month through a race-built
# binary (ingest's parse workers and loader, the transform's worker process, the dashboards'
# and workbooks' workers). Not part of `make test`: ≈ 10 min on two cores (session 69: no race).
RACE_BIN ?= bin/aftersales-race
RACE_RUN = GORACE=halt_on_error=1 $(abspath $(RACE_BIN))
race: build
	TZ=UTC $(GO) test -race -count=1 -timeout 40m ./...
	$(GO) build -race -o $(RACE_BIN) ./cmd/aftersales
	rm -rf out/race && mkdir -p out/race
	cd out/race && $(RACE_RUN) demo --out demo >/dev/null
	$(RACE_RUN) gen --stores 10 --months 2 --seed 3 --out out/race/gen >/dev/null
	$(RACE_RUN) ingest -q --db out/race/db/a.duckdb out/race/gen >/dev/null
	$(RACE_RUN) transform --db out/race/db/a.duckdb >/dev/null
	$(RACE_RUN) dashboards --db out/race/db/a.duckdb --out out/race/dash >/dev/null
	$(RACE_RUN) payroll --db out/race/db/a.duckdb --all-stores --month $$(./$(BIN) query --db out/race/db/a.duckdb --format csv "SELECT max(month) AS m FROM mart_payroll" | tail -1) --out-dir out/race/pay >/dev/null
	@echo "race: none found"

# Each fuzz target for its count of executions (no panic, no hang, invariants hold); the corpus
# and the inputs it once failed on are in testdata/fuzz. A hang fails after two minutes.
# ingest:FuzzCSVFile and ingest:FuzzXLSXFile take arbitrary bytes through a whole file's parse
# (detection, header, rows) and check rows read = loaded + rejected + skipped. (Run by time,
# for minutes, Go's fuzzer spends up to a minute minimizing each new input of FuzzXLSXFile and
# shows 0 execs/s meanwhile: that is the fuzzer, not a slow parse — a 3 s watchdog in the
# target never fired in 200 s of it.)
fuzz:
	@for t in internal/parse:FuzzTimestamp:200000 internal/parse:FuzzDecimal:200000 \
	          internal/parse:FuzzBoolIDMonth:200000 internal/parse:FuzzHeaderKey:200000 \
	          ingest/read:FuzzCSV:15000 ingest/read:FuzzXLSX:15000 \
	          ingest/read:FuzzCSVFastPath:30000 ingest/read:FuzzGB18030Decoder:50000 ingest/read:FuzzHTML:10000 \
	          ingest/read:FuzzHTMLStreamEqualsTree:30000 ingest/read:FuzzXMLSS:10000 \
	          ingest:FuzzCSVFile:8000 ingest:FuzzXLSXFile:2000; do \
	  pkg=$${t%%:*}; rest=$${t#*:}; fn=$${rest%%:*}; n=$$(( $${rest#*:} * $(FUZZX) )); \
	  out=$$($(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$${n}x -timeout=120s ./$$pkg 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "fuzz $$fn: $$(echo "$$out" | grep -o 'execs: [0-9]*' | tail -1) ok"; done

# The files built only for Windows (explorer_windows.go, sync_other.go, …) are type-checked on
# every run, tests included, as built for windows/amd64 without cgo (internal/winbuild/typecheck:
# ≈ 10–20 s; it reports errors in this module's files only, since DuckDB's bindings do not build
# without cgo). Where MinGW's C compiler is installed, lint also runs `go vet` as `make windows`
# builds (go-duckdb's dynamic-link tag): vet's analyses too, but the first run compiles every
# dependency for Windows, ≈ 2.5 min on two cores, so CI does not install it.
WINCC ?= x86_64-w64-mingw32-gcc
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) run ./internal/winbuild/typecheck -goos windows -goarch amd64 ./...
	@if command -v $(WINCC) >/dev/null 2>&1; then \
		echo "go vet for windows/amd64 (the files built only there)"; \
		GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=$(WINCC) $(GO) vet -tags duckdb_use_lib ./...; \
	fi

# Benchmarks (not part of make test): SCALE=S (50 stores x 24 months) writes BENCHMARKS.md,
# SCALE=L (500 x 24: about 40 GB of free disk and half an hour) writes BENCHMARKS-L.md.
bench: build
	./$(BIN) bench --scale $(SCALE) --runs $(RUNS) --out bench --report $(if $(filter L,$(SCALE)),BENCHMARKS-L.md,BENCHMARKS.md)

# After `make bench` (scale S): an independent plain-Python reading of the contract's KPIs over the
# bench's clean CSV, compared with the marts of its last full transform (internal/crosscheck).
# CROSSCHECK_STORES picks the stores (all their months; the parts mart of the first).
CROSSCHECK_STORES ?= S001,S002,S003
crosscheck: build
	python3 internal/crosscheck/crosscheck.py --csv bench/work-S/clean-csv --db bench/work-S/ingest2/a.duckdb \
	  --bin $(BIN) --stores $(CROSSCHECK_STORES)

# The Windows (x64) package for a store's office PC: dist/aftersales-windows-amd64.zip, with
# duckdb.dll (needs gcc-mingw-w64-x86-64 and npm; internal/winbuild/README.md). windows-check runs
# it under Wine (wine64) against the Linux build. Neither is part of `make test`.
windows:
	bash internal/winbuild/build.sh

windows-check: build windows
	bash internal/winbuild/check.sh

clean:
	rm -rf bin out bench dist
