#!/usr/bin/env bash
# bench-serve-ab.sh compares `secretsctl serve` binaries (say, main built
# into /tmp and a branch) and nginx on the cached manifest, interleaved:
# ROUNDS rounds, each running wrk against every target in turn, so that the
# machine's drift (a VM's speed varies from minute to minute) falls on all
# of them alike. One line per run: req/s, p50, p99.
#
# Usage: scripts/bench-serve-ab.sh ROUNDS DURATION LABEL=BINARY... [nginx]
#   go build -o /tmp/main-secretsctl ./cmd/secretsctl   (on main)
#   go build -o /tmp/new-secretsctl ./cmd/secretsctl    (on the branch)
#   scripts/bench-serve-ab.sh 3 10s main=/tmp/main-secretsctl new=/tmp/new-secretsctl nginx
#
# Same setup as bench-serve.sh (a copy of examples/store in a temporary git
# repository, wrk -t2 -c64, 127.0.0.1 only); it needs wrk and nginx
# installed (bench-serve.sh installs them).
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,14p' "$0" >&2; exit 2; }
rounds=$1 dur=$2
shift 2
root=$(pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx workers run as another user
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null || true
	[[ -f $tmp/nginx.pid ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=scripts/nginx-static.sh
source "$(dirname "$0")/nginx-static.sh"
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
cp -r "$root/examples/store" "$tmp/store"
(cd "$tmp/store" && git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -q -m store)
export SOPS_AGE_KEY_FILE=$tmp/store/demo-age-key.txt
path="/deployment/secrets?scenario=picker-wheel&tier=desktop"
mkdir -p "$tmp/www"

measure() { # label url
	local out
	out=$(wrk -t2 -c64 -d"$dur" --latency "$2")
	printf '%-10s %10s req/s  p50 %-8s p99 %s\n' "$1" \
		"$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
		"$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

echo "== $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
for _ in $(seq "$rounds"); do
	for target in "$@"; do
		if [[ $target == nginx ]]; then
			[[ -s $tmp/www/manifest.json ]] || { echo "nginx needs a serve target before it" >&2; exit 2; }
			port=$(free_port)
			nginx_static "$tmp" "$port"
			measure nginx "http://127.0.0.1:$port/manifest.json"
			kill "$(cat "$tmp/nginx.pid")"
			rm -f "$tmp/nginx.pid"
			sleep 0.3
			continue
		fi
		label=${target%%=*} bin=${target#*=}
		port=$(free_port)
		"$bin" serve --store "$tmp/store" --addr "127.0.0.1:$port" 2>"$tmp/serve.log" &
		pid=$!
		for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
		curl -sf "http://127.0.0.1:$port$path" >"$tmp/www/manifest.json"
		measure "$label" "http://127.0.0.1:$port$path"
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=
	done
done
