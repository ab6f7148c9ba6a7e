#!/usr/bin/env bash
# vrooli-check.sh runs the whole Vrooli migration on a real checkout, its
# secrets-manager database included, into a throwaway store, and prints
# what arrived: scenarios, secrets, coverage.
#
# Usage (make vrooli-check does this after building bin/secretsctl):
#
#	scripts/vrooli-check.sh DIR
#
# DIR is a Vrooli checkout (../shared/fixtures/vrooli). A throwaway
# PostgreSQL (Debian's postgresql package, as the tests use it) is started
# on a free loopback port as the postgres user, loaded with the
# secrets-manager's schema.sql then seed.sql unchanged, and stopped at the
# end; everything lives in one temporary directory that is removed.
set -euo pipefail

VROOLI=${1:?usage: scripts/vrooli-check.sh DIR}
VROOLI=$(cd "$VROOLI" && pwd)
SQL="$VROOLI/scenarios/secrets-manager/initialization/storage/postgres"
BIN=$(cd "$(dirname "$0")/.." && pwd)/bin/secretsctl
[[ -x $BIN ]] || { echo "vrooli-check: build bin/secretsctl first (make build)" >&2; exit 1; }
[[ -f $SQL/schema.sql && -f $SQL/seed.sql ]] || { echo "vrooli-check: no secrets-manager schema.sql/seed.sql under $SQL" >&2; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n $PGBIN ]] || PGBIN=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
[[ -x $PGBIN/initdb ]] || { echo "vrooli-check: PostgreSQL not installed (scripts/test-deps.sh postgresql)" >&2; exit 1; }

TMP=$(mktemp -d)
chmod 755 "$TMP"
AS=()
if [[ $(id -u) -eq 0 ]]; then
	chown postgres: "$TMP" # initdb and postgres refuse to run as root
	AS=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
	"${AS[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$TMP/data" -A trust -U postgres --no-sync >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/postgres.log" -w \
	-o "-p $PORT -k $TMP -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
cp "$SQL/schema.sql" "$SQL/seed.sql" "$TMP/" # readable by the postgres user
for f in schema.sql seed.sql; do
	"${AS[@]}" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
		-f "$TMP/$f" >/dev/null 2>"$TMP/psql.log" || { cat "$TMP/psql.log" >&2; exit 1; }
done
DB="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"

export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" GIT_CONFIG_GLOBAL="$TMP/gitconfig"
mkdir -p "$HOME"
printf '[user]\n\tname = vrooli-check\n\temail = vrooli-check@example.com\n' >"$GIT_CONFIG_GLOBAL"
S=(--store "$TMP/store")
"$BIN" init "$TMP/store" >/dev/null

echo "== import vrooli --db (secrets-manager database: schema.sql + seed.sql)"
"$BIN" import vrooli "${S[@]}" --db "$DB" "$VROOLI"
echo "== import again (must change nothing)"
"$BIN" import vrooli "${S[@]}" --db "$DB" "$VROOLI" | tail -n 1

echo "== scenarios and secrets"
plans=$("$BIN" plan "${S[@]}" --all --format table --allow-blocking | tail -n +2 | wc -l)
echo "scenarios: $(ls "$TMP/store/scenarios" | wc -l), scenario × tier pairs: $plans"
secrets=$(cat "$TMP"/store/resources/*.yaml | grep -c '^ *- key:' || true)
classified=$(cat "$TMP"/store/resources/*.yaml | grep -c '^ *classification:' || true)
strategies=$(cat "$TMP"/store/resources/*.yaml | grep -c '^ *strategy:' || true)
echo "resources: $(ls "$TMP/store/resources" | wc -l), secrets: $secrets ($classified classified, $strategies per-tier strategies)"
for bad in required optional; do
	[[ ! -e $TMP/store/resources/$bad.yaml ]] || { echo "vrooli-check: a resource is named $bad" >&2; exit 1; }
done

echo "== coverage"
"$BIN" coverage "${S[@]}" | tail -n 1
echo "gaps: $("$BIN" gaps "${S[@]}" --format text | tail -n 1)"
echo "lint: $("$BIN" lint "${S[@]}" 2>&1 | tail -n 1 || true)"

# suggest --write: the coverage before and after `secretsctl suggest --write`
# and the suggestions by rule go here once the suggest command lands (issue 18
# point 4), e.g.:
#   "$BIN" suggest "${S[@]}" --write && "$BIN" coverage "${S[@]}" | tail -n 1
