# aftersales — the two commands a newcomer needs: `make demo` and `make test`.
GO      ?= go
BIN     := bin/aftersales
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
SCALE   ?= S

.PHONY: build demo test lint bench fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/aftersales

# From a fresh clone: build, make sample data (data/sample, if absent), ingest, transform,
# write dashboards and reports, and print what to open.
demo: build
	./$(BIN) demo --out out/demo

FUZZTIME ?= 8s

# Unit, golden and end-to-end tests, under UTC and under China's time zone, then a short fuzz run.
test: lint
	TZ=UTC $(GO) test -count=1 ./...
	TZ=Asia/Shanghai $(GO) test -count=1 -skip 'TestKillDuringIngest' ./...
	$(MAKE) --no-print-directory fuzz

# Each fuzz target for FUZZTIME (no panic, no hang, invariants hold); the corpus is in testdata/fuzz.
fuzz:
	@for t in internal/parse:FuzzTimestamp internal/parse:FuzzDecimal internal/parse:FuzzBoolIDMonth internal/parse:FuzzHeaderKey \
	          ingest/read:FuzzCSV ingest/read:FuzzXLSX; do \
	  pkg=$${t%%:*}; fn=$${t##*:}; \
	  out=$$($(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) ./$$pkg 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "fuzz $$fn: $$(echo "$$out" | grep -o 'execs: [0-9]*' | tail -1) ok"; done

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Benchmarks (not part of make test): writes BENCHMARKS.md. SCALE=S (50 stores x 24 months) or L.
bench: build
	./$(BIN) bench --scale $(SCALE) --out bench --report BENCHMARKS.md

clean:
	rm -rf bin out bench
