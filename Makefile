GO ?= go
BIN := bin/gambler
PKGS := ./...

.PHONY: build test test-short lint bench chaos fuzz clean

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/gambler

# The CI command: vet, then every test with the race detector. PostgreSQL tests
# use GAMBLER_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

lint:
	gofmt -l . | (! grep .)
	$(GO) vet $(PKGS)
	golangci-lint run

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 200x ./internal/db/... ./internal/strategy/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseDuration -fuzztime 30s ./internal/config
	$(GO) test -run '^$$' -fuzz FuzzParseSymbols -fuzztime 30s ./internal/config

clean:
	rm -rf bin
