# secretsctl — see README.md. Every target works on a machine with only Go;
# scripts/test-deps.sh installs (and caches) whatever else tests need.
GO       ?= go
EXAMPLE  := examples/store
DEMO_KEY := $(EXAMPLE)/demo-age-key.txt
TOOLS_BIN = $(shell bash scripts/test-deps.sh)

.PHONY: demo test check bench fuzz generate build vrooli-check

## demo: print the picker-wheel desktop manifest of the example store (it blocks on purpose:
## --allow-blocking shows it and exits 0), then run a command with its local secrets
demo:
	@SOPS_AGE_KEY_FILE=$(DEMO_KEY) $(GO) run ./cmd/secretsctl --store $(EXAMPLE) plan --scenario picker-wheel --tier desktop --format table --allow-blocking
	@echo
	@SOPS_AGE_KEY_FILE=$(DEMO_KEY) $(GO) run ./cmd/secretsctl --store $(EXAMPLE) plan --scenario picker-wheel --tier desktop --allow-blocking
	@echo
	@SOPS_AGE_KEY_FILE=$(DEMO_KEY) $(GO) run ./cmd/secretsctl --store $(EXAMPLE) run --scenario picker-wheel -- \
		sh -c 'echo "local run: POSTGRES_USER=$$POSTGRES_USER, POSTGRES_PASSWORD has $${#POSTGRES_PASSWORD} characters"'

## build: build bin/secretsctl
build:
	$(GO) build -o bin/secretsctl ./cmd/secretsctl

## test: everything CI runs (installs test tools first, cached), then the two
## fuzz targets of issue 22 for a bounded time each (CI_FUZZTIME, default 60s)
CI_FUZZTIME ?= 60s
test:
	@bin="$(TOOLS_BIN)"; test -n "$$bin" || { echo "scripts/test-deps.sh failed" >&2; exit 1; }; \
	PATH="$$bin:$$PATH" SECRETSCTL_TOOLS_BIN="$$bin" SOPS_DISABLE_VERSION_CHECK=1 \
	$(GO) test -race -count=1 ./... && \
	$(GO) test ./store -run '^$$' -fuzz FuzzScanEventMetadata -fuzztime $(CI_FUZZTIME) && \
	$(GO) test ./store/internal/sopsfile -run '^$$' -fuzz FuzzDecryptNodeRoundTrip -fuzztime $(CI_FUZZTIME)
	cd dotenv/internal/composediff && $(GO) test -count=1 ./... # dotenv against compose-go's, a module of its own

## check: test plus vet, staticcheck and tidy/generated-file checks
check: test
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff
	$(GO) generate ./... && git diff --exit-code -- jsonschema/

## generate: regenerate jsonschema/ from the Go types
generate:
	$(GO) generate ./...

## bench: run the benchmarks recorded in docs/benchmarks.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: run each fuzz target for a while (FUZZTIME, default 30s)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./store -run '^$$' -fuzz FuzzDecodeResource -fuzztime $(FUZZTIME)
	$(GO) test ./store -run '^$$' -fuzz FuzzDecodeScenario -fuzztime $(FUZZTIME)
	$(GO) test ./store -run '^$$' -fuzz FuzzDecodeConfig -fuzztime $(FUZZTIME)
	$(GO) test ./internal/api -run '^$$' -fuzz FuzzRequest -fuzztime $(FUZZTIME)
	$(GO) test ./dotenv -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./dotenv -run '^$$' -fuzz FuzzQuote -fuzztime $(FUZZTIME)
	$(GO) test ./store -run '^$$' -fuzz FuzzScanEventMetadata -fuzztime $(FUZZTIME)
	$(GO) test ./store/internal/sopsfile -run '^$$' -fuzz FuzzDecryptNode -fuzztime $(FUZZTIME)
	$(GO) test ./store/internal/sopsfile -run '^$$' -fuzz FuzzDecryptNodeRoundTrip -fuzztime $(FUZZTIME)

## vrooli-check: opt-in: the whole Vrooli migration on the real fixture (../shared/fixtures/vrooli),
## its secrets-manager database included (a throwaway PostgreSQL loaded with its schema.sql and
## seed.sql): prints scenarios, secrets and coverage, then checks that every database row arrived
VROOLI ?= ../shared/fixtures/vrooli
vrooli-check: build
	@test -d "$(VROOLI)" || { echo "no Vrooli checkout at $(VROOLI) (set VROOLI=DIR)" >&2; exit 1; }
	@scripts/vrooli-check.sh "$(VROOLI)"
	@echo "== every resource_secrets and secret_deployment_strategies row accounted for"
	@VROOLI_FIXTURE="$$(cd "$(VROOLI)" && pwd)" $(GO) test -count=1 -run 'TestImportVrooliRealFixture' ./internal/cli/ | tail -n 1
