GO ?= go
BIN := bin/gambler
PKGS := ./...
# The version gambler version and gambler --version print.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: build test test-short lint bench chaos fuzz report-screenshot sdk-check config-example clean

# The release build: no failpoint tag, so GAMBLER_FAILPOINT does nothing.
build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/gambler

# configs/gambler.example.yaml is generated from the option declarations;
# a test fails when it is out of date.
config-example:
	$(GO) run ./cmd/gambler config init --path configs/gambler.example.yaml --force

# The CI command: vet, then every test with the race detector. PostgreSQL tests
# use GAMBLER_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
test:
	$(GO) vet $(PKGS)
	$(GO) vet -tags failpoint ./internal/failpoint
	$(GO) test -race -count=1 -timeout 15m $(PKGS)
	$(GO) test -race -count=1 -tags failpoint ./internal/failpoint
	# The replay of real bars over half a year; under the race detector it
	# covers eight weeks only (the pure-Go SQLite is ten times slower there).
	$(GO) test -count=1 -run '^TestReplay' ./internal/trader
	GO=$(GO) scripts/sdk-check.sh

# Alpaca's official JavaScript SDK against `gambler exchange` (sdkcheck/):
# skipped without node, except under CI=true, where that fails.
sdk-check:
	GO=$(GO) scripts/sdk-check.sh

lint:
	gofmt -l . | (! grep .)
	$(GO) vet $(PKGS)
	golangci-lint run

# BENCHMARKS.md's figures: gambler-bench creates and drops its own
# PostgreSQL databases (GAMBLER_TEST_POSTGRES_URL or the local default) and
# writes the report to bin/bench-results.md; then the packages' Go benchmarks.
bench: build
	$(GO) build -trimpath -o bin/gambler-bench ./cmd/gambler-bench
	bin/gambler-bench -binary $(BIN) -commit "$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" > bin/bench-results.md
	cat bin/bench-results.md
	$(GO) test -run '^$$' -bench . -skip Cleanup -benchmem -benchtime 100x ./internal/db/... ./internal/strategy/...

# The long chaos run (200 crash loops per store, a 60 s faulted session...);
# its figures go to RELIABILITY.md. CHAOS_REPORT collects them as JSON lines.
# The gambler binary it kills is built by internal/e2e with the failpoint tag.
CHAOS_REPORT ?= bin/chaos-report.jsonl
chaos:
	mkdir -p $(dir $(CHAOS_REPORT)) && rm -f $(CHAOS_REPORT)
	GAMBLER_CHAOS_REPORT=$(abspath $(CHAOS_REPORT)) $(GO) test -race -count=1 -tags chaos -timeout 40m -v ./internal/chaos

FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseDuration$$' -fuzztime $(FUZZTIME) ./internal/config
	$(GO) test -run '^$$' -fuzz '^FuzzParseSymbols$$' -fuzztime $(FUZZTIME) ./internal/config
	$(GO) test -run '^$$' -fuzz '^FuzzCheckpointDecode$$' -fuzztime $(FUZZTIME) ./internal/chaos
	$(GO) test -run '^$$' -fuzz '^FuzzOrderValidation$$' -fuzztime $(FUZZTIME) ./internal/exchange
	$(GO) test -run '^$$' -fuzz '^FuzzOrderRequestValidate$$' -fuzztime $(FUZZTIME) ./internal/broker

# A sample session report rendered by headless Chromium to bin/report.png,
# for a person to look at; not part of CI. Needs chromium (Debian package).
report-screenshot: build
	scripts/report-screenshot.sh

clean:
	rm -rf bin
