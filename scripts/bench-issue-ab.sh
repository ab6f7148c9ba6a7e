#!/usr/bin/env bash
# Interleaved A/B of `secretsctl issue` latency at 10 vs 10,000 ledger commits
# (SPEC §12: within 1.5×) for two binaries, robust to a loaded machine: each
# round runs A small, A large, B small, B large, and records the wall time and
# the process's own CPU time (perf stat task-clock; wall only without perf).
#
#   A=/tmp/secretsctl-main scripts/bench-issue-ab.sh     # B: built from this tree
#   RUNS=30 LARGE=/tmp/lbench/large WORK=$(mktemp -d)    # defaults; LARGE is copied,
#                                                        # else made with 10,000 events
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-30}
WORK=${WORK:-$(mktemp -d)}
: "${A:?set A to the baseline secretsctl binary (e.g. built from main)}"
command -v perf >/dev/null || sudo -n apt-get install -y linux-perf >/dev/null 2>&1 || apt-get install -y linux-perf >/dev/null 2>&1 || true
cd "$ROOT"
B=$WORK/secretsctl-b
go build -o "$B" ./cmd/secretsctl
go build -o "$WORK/genledger" ./internal/cmds/genledger
export SOPS_AGE_KEY_FILE="$ROOT/examples/store/demo-age-key.txt" SOPS_DISABLE_VERSION_CHECK=1

# shellcheck source=scripts/ledger-store.sh
. "$ROOT/scripts/ledger-store.sh"
mkstore "$WORK/small" 10
if [ -n "${LARGE:-}" ]; then rm -rf "$WORK/large" && cp -r "$LARGE" "$WORK/large"; else mkstore "$WORK/large" 10000; fi
echo "ledger: small $(git -C "$WORK/small" rev-list --count secretsctl/ledger), large $(git -C "$WORK/large" rev-list --count secretsctl/ledger) commits"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

times=$WORK/ab-times
: >"$times"
run() { # BIN STORE ID: prints wall µs and task-clock ms; a failed issue stops the script
	local t0 tc=- perf=()
	command -v perf >/dev/null && perf=(perf stat -x, -o "$WORK/perf.out" -e task-clock)
	t0=$(date +%s%N)
	# perf stat does not always pass the exit status on: check the bundle too
	if ! "${perf[@]}" "$1" --store "$WORK/$2" issue -s picker-wheel -t saas -d "$3" --out "$WORK/out/$3-$2" >/dev/null 2>"$WORK/issue.err" ||
		[ ! -d "$WORK/out/$3-$2" ]; then
		echo "issue failed ($1, $2):" >&2
		cat "$WORK/issue.err" >&2
		exit 1
	fi
	local us=$(( ($(date +%s%N) - t0) / 1000 ))
	[ ${#perf[@]} -gt 0 ] && tc=$(awk -F, '/task-clock/ { print $1 }' "$WORK/perf.out")
	echo "$us ${tc:--}"
}
for i in $(seq 1 "$RUNS"); do
	for b in A B; do
		for s in small large; do
			bin=$A
			[ "$b" = B ] && bin=$B
			r=$(run "$bin" "$s" "ab-${b,,}-$i")
			echo "$b $s $r" >>"$times"
		done
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for b in A B; do
	ws=$(awk -v b="$b" '$1 == b && $2 == "small" { print $3 / 1000 }' "$times" | median)
	wl=$(awk -v b="$b" '$1 == b && $2 == "large" { print $3 / 1000 }' "$times" | median)
	cs=$(awk -v b="$b" '$1 == b && $2 == "small" { print $4 }' "$times" | median)
	cl=$(awk -v b="$b" '$1 == b && $2 == "large" { print $4 }' "$times" | median)
	awk -v b="$b" -v ws="$ws" -v wl="$wl" -v cs="$cs" -v cl="$cl" 'BEGIN {
		printf "%s wall median: small %.1f ms, large %.1f ms, ratio %.2f", b, ws, wl, wl / ws
		if (cs != "-") printf " | task-clock median: small %.1f ms, large %.1f ms, ratio %.2f", cs, cl, cl / cs
		printf "  (n=%d)\n", '"$RUNS"'
	}'
done
echo "work dir: $WORK"
