# huzhu — the two commands a new machine needs are `make demo` and `make test`.
GO       ?= go
BIN      := bin/huzhu
PKGS     := ./...
# Fuzz budgets are counts of executions, not durations: a duration's deadline
# races the workers at its end and fails with a bare "context deadline
# exceeded" (go.dev/issue/75804, fixed in Go 1.27) on a loaded machine.
FUZZN    ?= 200000x
FUZZNSQL ?= 3000x
# Rows reach DuckDB through its Arrow scan with this tag (extract/ingest_arrow.go);
# without it, through the appender (slower, same result).
export GOFLAGS := $(GOFLAGS) -tags=duckdb_arrow

.PHONY: build demo test test-bundle test-short fuzz race bench lint clean

# The binary carries the npm files a run reads (internal/webassets: the
# ECharts runtime, the GB/T 2260 tables), so it runs from any folder.
build: node_modules/.package-lock.json
	$(GO) run ./internal/webassets/bundlegen
	$(GO) build -buildvcs=auto -tags=duckdb_arrow,embedassets -o $(BIN) ./cmd/huzhu

# The ECharts runtime (copied into reports and the site) and axe-core (browser
# tests), pinned with integrity hashes in package-lock.json; never committed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# Simulated operators → every pipeline stage that exists → prints where the outputs are.
demo: build
	./$(BIN) demo --out out/demo

# The README's test command; CI runs exactly this.
test: lint node_modules/.package-lock.json
	$(GO) test -count=1 -timeout 20m $(PKGS)
	$(MAKE) race
	$(MAKE) fuzz
	$(MAKE) test-bundle

# The built binary, copied to a folder with no node_modules above it and
# run from there, runs the whole demo: it needs nothing but itself.
test-bundle: build
	@d=$$(mktemp -d) && cp $(BIN) $$d/huzhu && cd $$d && \
	  env -u HUZHU_NODE_MODULES ./huzhu demo --out demo --members 300 >demo.log 2>&1 && \
	  test -s demo/out/site/index.html && test -s demo/out/reports/national/index.html && \
	  rm -rf $$d && echo "test-bundle: the binary runs alone" || { cat $$d/demo.log; exit 1; }

# The race detector over the packages that do not link DuckDB (style.md: the
# cgo-heavy ones would take it minutes, in C it cannot see into).
race:
	$(GO) test -race -count=1 $$($(GO) list -f '{{.ImportPath}} {{join .Deps " "}}' $(PKGS) | grep -v duckdb-go | cut -d' ' -f1)

# A short run of every fuzz target (seed corpora under testdata/fuzz are replayed by `go test` too).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZN) ./internal/money/
	$(GO) test -run '^$$' -fuzz '^FuzzValidUSCC$$' -fuzztime $(FUZZN) ./internal/codes/
	$(GO) test -run '^$$' -fuzz '^FuzzValidID$$' -fuzztime $(FUZZN) ./internal/codes/
	$(GO) test -run '^$$' -fuzz '^FuzzNormalizeCode$$' -fuzztime $(FUZZN) -fuzzminimizetime 20000x ./internal/codes/
	@# The transform's SQL macros against the Go implementations above.
	for f in FuzzMoney FuzzDate FuzzTS FuzzCode FuzzText FuzzUSCC FuzzID FuzzIDPart FuzzRefCandidate; do \
	  $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZNSQL) -fuzzminimizetime 500x ./transform/ || exit 1; done

# Benchmarks: rows/s, seconds and peak RSS beside a baseline measured in the same run.
bench: build
	./scripts/bench.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1)
	$(GO) vet $(PKGS)
	$(GO) mod tidy -diff

clean:
	rm -rf bin out var
