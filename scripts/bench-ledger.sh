#!/usr/bin/env bash
# Ledger benchmarks (SPEC §12, issue 4), recorded in docs/benchmarks.md:
#  1. `secretsctl issue` latency with 10 and with 10,000 ledger commits in
#     history (target: within 1.5x), runs interleaved so machine load hits
#     both sides alike;
#  2. `secretsctl audit --secret` over 10,000 events (target: < 1 s).
# History comes from internal/cmds/genledger: real SOPS-encrypted events, one
# commit each, an issue then rotations, spread over 100 deployments.
#
#   scripts/bench-ledger.sh            # RUNS=30 EVENTS=10000 WORK=$(mktemp -d)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30}
EVENTS=${EVENTS:-10000}
WORK=${WORK:-$(mktemp -d)}
command -v hyperfine >/dev/null || { sudo -n apt-get install -y hyperfine >/dev/null 2>&1 || apt-get install -y hyperfine >/dev/null; }
cd "$ROOT"
go build -o "$WORK/secretsctl" ./cmd/secretsctl
go build -o "$WORK/genledger" ./internal/cmds/genledger
export SOPS_AGE_KEY_FILE="$ROOT/examples/store/demo-age-key.txt" SOPS_DISABLE_VERSION_CHECK=1

# shellcheck source=scripts/ledger-store.sh
. "$ROOT/scripts/ledger-store.sh"
[ -d "$WORK/small" ] || mkstore "$WORK/small" 10
[ -d "$WORK/large" ] || mkstore "$WORK/large" "$EVENTS"
echo "ledger: small $(git -C "$WORK/small" rev-list --count secretsctl/ledger) commits, large $(git -C "$WORK/large" rev-list --count secretsctl/ledger) commits"

ms() { date +%s%N; }
run=$(date +%s)
for i in $(seq 1 "$RUNS"); do
	for s in small large; do
		t0=$(ms)
		"$WORK/secretsctl" --store "$WORK/$s" issue -s picker-wheel -t saas -d "bench-$run-$i" --out "$WORK/out/$s-$run-$i" >/dev/null
		echo "$s $(( ($(ms) - t0) / 1000 ))" >>"$WORK/issue-times"
	done
done
for s in small large; do
	awk -v s="$s" '$1 == s { print $2 / 1000 }' "$WORK/issue-times" | sort -n | awk -v s="$s" '
		{ v[NR] = $1; sum += $1 }
		END { printf "issue %-5s (ms): mean %.1f  median %.1f  min %.1f  max %.1f  (n=%d)\n", s, sum / NR, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
done
rm -f "$WORK/issue-times"

hyperfine -N --warmup 3 --runs 20 \
	"$WORK/secretsctl --store $WORK/large audit --secret picker-wheel/SESSION_SECRET" \
	"$WORK/secretsctl --store $WORK/large audit --secret picker-wheel/SESSION_SECRET --format json"
echo "work dir: $WORK"
