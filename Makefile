# secretsctl — see README.md. Every target works on a machine with only Go;
# scripts/test-deps.sh installs (and caches) whatever else tests need.
GO       ?= go
EXAMPLE  := examples/store
DEMO_KEY := $(EXAMPLE)/demo-age-key.txt
TOOLS_BIN = $(shell bash scripts/test-deps.sh)

.PHONY: demo test check bench fuzz generate build

## demo: print the picker-wheel desktop manifest of the example store
demo:
	@SOPS_AGE_KEY_FILE=$(DEMO_KEY) $(GO) run ./cmd/secretsctl --store $(EXAMPLE) plan --scenario picker-wheel --tier desktop --format table
	@echo
	@SOPS_AGE_KEY_FILE=$(DEMO_KEY) $(GO) run ./cmd/secretsctl --store $(EXAMPLE) plan --scenario picker-wheel --tier desktop

## build: build bin/secretsctl
build:
	$(GO) build -o bin/secretsctl ./cmd/secretsctl

## test: everything CI runs (installs test tools first, cached)
test:
	@bin="$(TOOLS_BIN)"; test -n "$$bin" || { echo "scripts/test-deps.sh failed" >&2; exit 1; }; \
	PATH="$$bin:$$PATH" SECRETSCTL_TOOLS_BIN="$$bin" SOPS_DISABLE_VERSION_CHECK=1 \
	$(GO) test -race -count=1 ./...

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
