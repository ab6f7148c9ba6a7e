#!/usr/bin/env bash
# bench-serve.sh measures `secretsctl serve` against nginx serving the same
# manifest bytes as a static file, on loopback, in one run (SPEC §12):
#
#   1. wrk, 64 connections, 30 s, against serve's cached manifest;
#   2. wrk, 64 connections, 30 s, against nginx and the same bytes;
#   3. a 60 s soak at 128 connections against serve, sampling its RSS
#      every 5 s.
#
# Usage: scripts/bench-serve.sh            (from the repository root)
#        DURATION=10s SOAK=20s scripts/bench-serve.sh   (a quicker look)
#
# It installs wrk, hey and nginx with apt-get when they are missing (needs
# root), builds bin/secretsctl, and uses a copy of examples/store in a
# temporary git repository. Everything listens on 127.0.0.1 only.
set -euo pipefail

DURATION=${DURATION:-30s}
SOAK=${SOAK:-60s}
CONNS=${CONNS:-64}
SOAK_CONNS=${SOAK_CONNS:-128}
THREADS=${THREADS:-2}

log() { printf 'bench-serve: %s\n' "$*" >&2; }

install_tools() {
	local missing=()
	command -v wrk >/dev/null || missing+=(wrk)
	command -v hey >/dev/null || missing+=(hey)
	command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
	[[ ${#missing[@]} -eq 0 ]] && return
	[[ $(id -u) -eq 0 ]] || { log "missing ${missing[*]}: install them (apt-get install ${missing[*]})"; exit 1; }
	log "installing ${missing[*]} with apt-get"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

install_tools
# shellcheck source=scripts/nginx-static.sh
source "$(dirname "$0")/nginx-static.sh"
root=$(pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx workers run as another user
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[[ -f $tmp/nginx.pid ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

log "building bin/secretsctl"
go build -o bin/secretsctl ./cmd/secretsctl

cp -r examples/store "$tmp/store"
(
	cd "$tmp/store"
	git init -q -b main
	git add -A
	git -c user.name=bench -c user.email=bench@localhost commit -q -m "example store"
)
export SOPS_AGE_KEY_FILE=$tmp/store/demo-age-key.txt

sport=$(free_port)
"$root/bin/secretsctl" serve --store "$tmp/store" --addr "127.0.0.1:$sport" 2>"$tmp/serve.log" &
spid=$!
pids+=("$spid")
path="/deployment/secrets?scenario=picker-wheel&tier=desktop"
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$sport/healthz" >/dev/null && break
	sleep 0.1
done
mkdir -p "$tmp/www"
curl -sf "http://127.0.0.1:$sport$path" >"$tmp/www/manifest.json"
log "manifest: $(wc -c <"$tmp/www/manifest.json") bytes"

nport=$(free_port)
nginx_static "$tmp" "$nport"
cmp <(curl -sf "http://127.0.0.1:$sport$path") <(curl -sf "http://127.0.0.1:$nport/manifest.json")
log "serve and nginx return the same bytes"

echo "== machine: $(nproc) cores, $(go version), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== secretsctl serve: wrk -t$THREADS -c$CONNS -d$DURATION --latency"
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$sport$path"
echo "== nginx static file: wrk -t$THREADS -c$CONNS -d$DURATION --latency"
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$nport/manifest.json"

echo "== soak: secretsctl serve, wrk -t$THREADS -c$SOAK_CONNS -d$SOAK, RSS every 5 s (KiB)"
rss() { awk '/VmRSS/ {print $2}' "/proc/$spid/status"; }
echo "rss before: $(rss)"
wrk -t"$THREADS" -c"$SOAK_CONNS" -d"$SOAK" --latency "http://127.0.0.1:$sport$path" >"$tmp/soak.txt" &
wpid=$!
while kill -0 "$wpid" 2>/dev/null; do
	sleep 5
	kill -0 "$wpid" 2>/dev/null && echo "rss: $(rss)"
done
wait "$wpid"
cat "$tmp/soak.txt"
echo "rss after: $(rss)"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== serve log: $(wc -l <"$tmp/serve.log") lines, $(grep -c '"status":200' "$tmp/serve.log") with status 200, $(grep -vc '"status":200' "$tmp/serve.log") other"
