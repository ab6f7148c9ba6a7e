#!/usr/bin/env bash
# bench-ui.sh measures how fast the dashboard's matrix loads in headless
# Chromium for the generated 1,000-scenario store (issue 9: < 2 s).
#
# Usage: scripts/bench-ui.sh [ITERATIONS]   (default 10)
#
# It installs its tools (Chromium, via scripts/test-deps.sh), generates the
# store once with internal/cmds/genstore into $SECRETSCTL_BENCH_STORE
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/secretsctl/bench/ui-store; the
# demo age key encrypts it), then runs BenchmarkUIMatrixLarge in
# cmd/secretsctl, which serves that store with `secretsctl serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

iterations=${1:-10}
key="$PWD/examples/store/demo-age-key.txt"
store=${SECRETSCTL_BENCH_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/secretsctl/bench/ui-store}

bash scripts/test-deps.sh >/dev/null

if [[ ! -d "$store/.git" ]]; then
	echo "bench-ui: generating the 1,000-scenario store in $store (about a minute)" >&2
	mkdir -p "$(dirname "$store")"
	SOPS_AGE_KEY_FILE="$key" go run ./internal/cmds/genstore -dir "$store" >&2
fi

echo "bench-ui: $(nproc) CPUs, $(go version), $(chromium --version 2>/dev/null || echo chromium), $(date -u +%F)" >&2
SOPS_AGE_KEY_FILE="$key" SECRETSCTL_BENCH_STORE="$store" \
	go test ./cmd/secretsctl -run '^$' -bench BenchmarkUIMatrixLarge -benchtime "${iterations}x" -count 1
