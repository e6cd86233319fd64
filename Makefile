GO ?= go
BIN := bin/gambler
PKGS := ./...
# The version gambler version and gambler --version print.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: build test test-race test-replay test-deps test-short lint bench chaos fuzz report-screenshot sdk-check release-snapshot goreleaser config-example clean

# The release build: no failpoint tag, so GAMBLER_FAILPOINT does nothing.
build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/gambler

# configs/gambler.example.yaml is generated from the option declarations;
# a test fails when it is out of date.
config-example:
	$(GO) run ./cmd/gambler config init --path configs/gambler.example.yaml --force

# The CI command: vet, then every test with the race detector. PostgreSQL tests
# use GAMBLER_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
# test-deps installs promtool and prometheus when missing; under CI=true the
# release configuration is checked and built once too (release-snapshot).
# The groups run side by side: the race tests spend much of their time
# waiting on subprocesses and real timers, which leaves a core for the
# release builds, the plain replay and the SDK check (BENCHMARKS.md, "The
# test suite's time"). A failing group fails the whole; its output comes
# out in one piece when it ends.
test: test-deps
	$(GO) vet $(PKGS)
	$(GO) vet -tags failpoint ./internal/failpoint
	$(MAKE) --no-print-directory -j4 --output-sync=target test-race test-replay sdk-check \
		$(if $(filter true,$(CI)),release-snapshot)

# -parallel 4: the e2e, CLI and chaos tests spend most of their time
# waiting on the processes they start, so four at a time keep two cores
# busy where the default (one per core) left them half idle. The longest
# packages are named first so that they start first (go test keeps the
# order given and drops the repeats from ./...).
SLOW_PKGS := ./internal/trader ./internal/e2e ./internal/chaos ./internal/cli
test-race:
	$(GO) test -race -count=1 -parallel 4 -timeout 15m $(SLOW_PKGS) $(PKGS)
	$(GO) test -race -count=1 -tags failpoint ./internal/failpoint

# The replay of real bars over half a year; under the race detector it
# covers eight weeks only (the pure-Go SQLite is ten times slower there).
test-replay:
	$(GO) test -count=1 -run '^TestReplay' ./internal/trader

# Alpaca's official JavaScript SDK against `gambler exchange` (sdkcheck/):
# skipped without node, except under CI=true, where that fails.
sdk-check:
	GO=$(GO) scripts/sdk-check.sh

test-deps:
	scripts/test-deps.sh

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

# Releases (.goreleaser.yaml). goreleaser is installed at the pinned version
# into GOPATH/bin once. release-snapshot validates the configuration, builds
# every archive into dist/ without publishing (linux and darwin, amd64 and
# arm64: about three minutes on two cores), and checks that the host's
# binary reports the stamped version and that an archive holds the configs.
# CI runs it once, through make test.
GORELEASER_VERSION := v2.15.1
GORELEASER := $(shell $(GO) env GOPATH)/bin/goreleaser
HOST := $(shell $(GO) env GOOS)_$(shell $(GO) env GOARCH)

goreleaser:
	@$(GORELEASER) --version 2>/dev/null | grep -q '$(patsubst v%,%,$(GORELEASER_VERSION))' || \
		GOFLAGS= $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

release-snapshot: goreleaser
	$(GORELEASER) check
	$(GORELEASER) release --snapshot --clean
	dist/gambler_$(HOST)*/gambler version | grep -E '^gambler [0-9]+\.[0-9]+\.[0-9]+-snapshot'
	tar tzf dist/gambler_*_$(HOST).tar.gz | grep -qx configs/gambler.example.yaml
	tar tzf dist/gambler_*_$(HOST).tar.gz | grep -qx configs/prometheus/alerts.yml

clean:
	rm -rf bin dist
