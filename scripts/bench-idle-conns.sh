#!/usr/bin/env bash
# bench-idle-conns.sh measures what idle kept-alive connections cost
# `secretsctl serve` in memory: it opens N connections (default 3000), sends
# one request on each, reads the answers, leaves them open, and prints the
# server's RSS before and after, for each binary given (LABEL=BINARY).
#
# Usage: scripts/bench-idle-conns.sh [N] LABEL=BINARY...
#   scripts/bench-idle-conns.sh 3000 main=/tmp/main-secretsctl new=bin/secretsctl
set -euo pipefail
n=3000
[[ ${1:-} =~ ^[0-9]+$ ]] && { n=$1; shift; }
[[ $# -ge 1 ]] || { sed -n '2,9p' "$0" >&2; exit 2; }
ulimit -n $((n + 1000))
tmp=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
cp -r examples/store "$tmp/store"
(cd "$tmp/store" && git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -q -m store)
export SOPS_AGE_KEY_FILE=$tmp/store/demo-age-key.txt
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rss() { awk '/VmRSS/ {print $2 " KiB"}' "/proc/$1/status"; }
for target in "$@"; do
	label=${target%%=*} bin=${target#*=}
	"$bin" serve --store "$tmp/store" --addr "127.0.0.1:$port" 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
	before=$(rss "$pid")
	after=$(python3 - "$port" "$n" "$pid" <<'PY'
import socket, sys, time
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
for s in socks:
    s.recv(65536)
time.sleep(1)
for line in open(f"/proc/{pid}/status"):
    if line.startswith("VmRSS:"):
        print(line.split()[1], "KiB")
PY
)
	printf '%-8s RSS %s before, %s with %d idle connections\n' "$label" "$before" "$after" "$n"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
done
