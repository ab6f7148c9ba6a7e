#!/usr/bin/env bash
# test-deps.sh installs the external tools the tests need and prints the
# directory that holds them.
#
# Usage (make test does this before go test):
#
#	SECRETSCTL_TOOLS_BIN=$(scripts/test-deps.sh)
#	export SECRETSCTL_TOOLS_BIN PATH="$SECRETSCTL_TOOLS_BIN:$PATH"
#
# The only line on stdout is the bin directory; progress goes to stderr.
# Tools live in a cache outside the repository, so a fresh clone on the same
# machine reuses them:
#
#	${SECRETSCTL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/secretsctl/tools}/bin
#
# Every install_* function is idempotent: it returns at once when the pinned
# version is already there. Add one function per tool (install_vault,
# install_chromium, ...) and call it from main.
set -euo pipefail

SOPS_VERSION=3.13.3

TOOLS="${SECRETSCTL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/secretsctl/tools}"
BIN="$TOOLS/bin"

log() {
	printf 'test-deps: %s\n' "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# install_git makes sure the git CLI is on PATH (go-git's file:// transport
# and the interop tests shell out to it).
install_git() {
	if command -v git >/dev/null 2>&1; then
		return
	fi
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		log "installing git with apt-get"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >&2
		return
	fi
	die "git is not installed and cannot be installed automatically (needs root and apt-get); install git and retry"
}

# sops_version prints the first line of `$BIN/sops --version`, if any.
sops_version() {
	[[ -x "$BIN/sops" ]] || return 0
	SOPS_DISABLE_VERSION_CHECK=1 "$BIN/sops" --version 2>/dev/null | head -n 1 || true
}

# install_sops builds the sops CLI at $SOPS_VERSION into $BIN.
install_sops() {
	if [[ "$(sops_version)" == "sops $SOPS_VERSION" ]]; then
		return
	fi
	command -v go >/dev/null 2>&1 || die "go is not on PATH; it is needed to build sops"
	log "building sops $SOPS_VERSION into $BIN (about 100 s the first time)"
	# Build from the tools directory with -mod=mod so that the repository's
	# go.mod and go.sum are never read or touched, into a fresh directory
	# (go install will not overwrite a file it did not build), then move the
	# binary into place in one step.
	local tmp
	tmp=$(mktemp -d "$TOOLS/.sops.XXXXXX")
	(
		cd "$TOOLS"
		GOBIN="$tmp" GOFLAGS=-mod=mod GOWORK=off go install "github.com/getsops/sops/v3/cmd/sops@v$SOPS_VERSION" >&2
	) || {
		rm -rf "$tmp"
		die "go install of sops $SOPS_VERSION failed"
	}
	mv -f "$tmp/sops" "$BIN/sops"
	rm -rf "$tmp"
	[[ "$(sops_version)" == "sops $SOPS_VERSION" ]] ||
		die "$BIN/sops does not report version $SOPS_VERSION after install"
}

# install_precommit installs the pre-commit framework (Debian's package) for
# the test that runs .pre-commit-hooks.yaml for real.
install_precommit() {
	if command -v pre-commit >/dev/null 2>&1; then
		return
	fi
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		log "installing pre-commit with apt-get"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pre-commit >&2
		return
	fi
	die "pre-commit is not installed and cannot be installed automatically (needs root and apt-get); install it and retry"
}

main() {
	mkdir -p "$BIN"
	install_git
	install_sops
	install_precommit
	printf '%s\n' "$BIN"
}

main "$@"
