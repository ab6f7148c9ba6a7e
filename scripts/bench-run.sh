#!/usr/bin/env bash
# bench-run.sh measures `secretsctl run --scenario picker-wheel -- true` end
# to end against `sops exec-env FILE true` on the same values, side by side
# with hyperfine (installed with apt-get when missing), on a copy of the
# example store. Results go to stdout as a Markdown table; record them in
# docs/benchmarks.md with the machine and date.
#
# Usage: scripts/bench-run.sh [hyperfine args...]
#
# BASELINE=/path/to/secretsctl adds that binary's `run` as a third command
# in the same hyperfine run (an A/B against, say, main built into /tmp).
# INTERLEAVE=N then also runs the commands round-robin N times (after 3
# warm-up rounds) and prints medians, minimums and user+sys CPU time: on a
# machine other work shares, interleaving keeps load drift out of the ratio.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(bash "$root/scripts/test-deps.sh" git sops)
export PATH="$bin:$PATH" SOPS_DISABLE_VERSION_CHECK=1

if ! command -v hyperfine >/dev/null 2>&1; then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >&2
	else
		echo "bench-run: hyperfine is missing; install it (apt-get install hyperfine)" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Build before HOME moves to the throwaway directory (the module cache stays).
(cd "$root" && go build -o "$tmp/secretsctl" ./cmd/secretsctl)
export HOME="$tmp/home" GIT_CONFIG_GLOBAL="$tmp/gitconfig" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
printf '[user]\n\tname = bench\n\temail = bench@example.com\n' >"$GIT_CONFIG_GLOBAL"

cp -r "$root/examples/store" "$tmp/store"
git -C "$tmp/store" init -q -b main
git -C "$tmp/store" add -A
git -C "$tmp/store" commit -q -m "example store"
export SOPS_AGE_KEY_FILE="$tmp/store/demo-age-key.txt"

# The same values, flat, in one sops-encrypted YAML file for sops exec-env.
recipient=$(grep -o 'age1[0-9a-z]*' "$tmp/store/.sops.yaml" | head -n 1)
"$tmp/secretsctl" --store "$tmp/store" env --scenario picker-wheel --format json |
	python3 -c 'import json,sys; [print("%s: %s" % (v["env"], json.dumps(v["value"]))) for v in json.load(sys.stdin)["values"]]' \
		>"$tmp/values.yaml"
echo "bench-run: $(wc -l <"$tmp/values.yaml") values in each" >&2
sops encrypt --age "$recipient" "$tmp/values.yaml" >"$tmp/values.enc.yaml"
rm "$tmp/values.yaml"

cd "$tmp/store"
[[ $# -gt 0 ]] || set -- --runs 60
baseline=()
if [[ -n ${BASELINE:-} ]]; then
	baseline=(-n "baseline run" "$BASELINE run --scenario picker-wheel -- true")
fi
hyperfine --warmup 5 -N --export-markdown "$tmp/out.md" --export-json "$tmp/out.json" "$@" \
	-n "secretsctl run" "$tmp/secretsctl run --scenario picker-wheel -- true" \
	-n "sops exec-env" "sops exec-env $tmp/values.enc.yaml true" "${baseline[@]}" >&2
cat "$tmp/out.md"
if [[ -n ${INTERLEAVE:-} ]]; then
	python3 - "$INTERLEAVE" "$tmp/secretsctl run --scenario picker-wheel -- true" \
		"sops exec-env $tmp/values.enc.yaml true" ${BASELINE:+"$BASELINE run --scenario picker-wheel -- true"} <<'PY'
import resource, statistics, subprocess, sys, time
rounds, cmds = int(sys.argv[1]), sys.argv[2:]
names = ["secretsctl run", "sops exec-env", "baseline run"][:len(cmds)]
wall = {n: [] for n in names}
cpu = {n: [] for n in names}
for i in range(rounds + 3):
    for n, c in zip(names, cmds):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(c.split(), stdout=subprocess.DEVNULL, check=True)
        el = (time.perf_counter() - t) * 1000
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i >= 3:
            wall[n].append(el)
            cpu[n].append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
print("\ninterleaved, %d rounds:" % rounds)
sops = statistics.median(wall["sops exec-env"]), min(wall["sops exec-env"]), statistics.median(cpu["sops exec-env"])
for n in names:
    m, lo, c = statistics.median(wall[n]), min(wall[n]), statistics.median(cpu[n])
    print("%s: median %.1f ms, min %.1f ms, cpu %.1f ms; vs sops exec-env: median %.2f, min %.2f, cpu %.2f" % (
        n, m, lo, c, m / sops[0], lo / sops[1], c / sops[2]))
print("load average", open("/proc/loadavg").read().split()[:3])
PY
fi
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(); [print("%s: median %.1f ms, min %.1f ms" % (x["command"], x["median"]*1000, x["min"]*1000)) for x in r]; print("median ratio %.2f, min ratio %.2f" % (r[0]["median"]/r[1]["median"], r[0]["min"]/r[1]["min"])); [print("baseline median ratio %.2f, min ratio %.2f" % (x["median"]/r[1]["median"], x["min"]/r[1]["min"])) for x in r[2:]]' "$tmp/out.json"
