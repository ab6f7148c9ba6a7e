# Sourced by the ledger benchmarks (bench-ledger.sh, bench-issue-ab.sh).
# mkstore DIR EVENTS: a copy of examples/store in a new git repository with
# EVENTS real ledger events on its ledger branch from $WORK/genledger, spread over at most 100
# deployments of picker-wheel. Needs ROOT and WORK set.
mkstore() {
	rm -rf "$1"
	cp -r "$ROOT/examples/store" "$1"
	git -C "$1" init -q -b main
	git -C "$1" config user.name bench
	git -C "$1" config user.email bench@example.com
	git -C "$1" add -A
	git -C "$1" commit -q -m "example store"
	local deps=100
	[ "$2" -lt "$deps" ] && deps=$2
	"$WORK/genledger" -store "$1" -events "$2" -deployments "$deps"
}
