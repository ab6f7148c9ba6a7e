#!/usr/bin/env bash
# Benchmark of issue 7: bundlescan's throughput and peak memory on a 1 GiB
# generated bundle with 50 secret values, side by side with `gitleaks dir`
# on the same bundle. They detect different things: secretsctl looks for
# known values in 8 encodings inside archives; gitleaks looks for
# secret-shaped strings with ~200 regular expressions and entropy.
#
#   scripts/bench-verify.sh [SIZE_MB]      (default 1024)
#   VALUES=5000 scripts/bench-verify.sh   (issue 25: verify-bundle's store scope; GITLEAKS=skip skips gitleaks)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
work=${BENCH_DIR:-$(mktemp -d)}
bundle=$work/bundle
echo "machine: $(nproc) cores, $(go version), $(date -u +%F)"
if [ ! -d "$bundle" ]; then
  echo "generating a $size MiB bundle in $bundle"
  go run ./internal/cmds/benchverify -gen "$bundle" -size-mb "$size"
fi
du -sh "$bundle"
go build -o "$work/benchverify" ./internal/cmds/benchverify
cat "$bundle"/src/*/*.js "$bundle"/resources/*.bin >/dev/null # warm the page cache
for i in 1 2 3; do
  /usr/bin/time -f "wall %e s, cpu %U s user + %S s sys, peak RSS %M KiB" "$work/benchverify" -scan "$bundle" -values "${VALUES:-50}"
done
if [ "${GITLEAKS:-}" = skip ]; then
  echo "bundle kept in $work (BENCH_DIR=$work reuses it)"
  exit 0
fi
GITLEAKS=${GITLEAKS:-$(go env GOPATH)/bin/gitleaks}
if [ ! -x "$GITLEAKS" ]; then
  go install github.com/zricethezav/gitleaks/v8@latest
fi
"$GITLEAKS" version
/usr/bin/time -f "gitleaks: wall %e s, peak RSS %M KiB" \
  "$GITLEAKS" dir "$bundle" --no-banner --report-path "$work/gitleaks.json" --exit-code 0 --log-level warn
echo "bundle kept in $work (BENCH_DIR=$work reuses it)"
