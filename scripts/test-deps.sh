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
VAULT_VERSION=1.21.0

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

# apt_install installs Debian packages when any of the named commands is
# missing. It needs root and apt-get; otherwise it says what to install.
apt_install() {
	local cmds=$1
	shift
	local missing=0 c
	for c in $cmds; do
		command -v "$c" >/dev/null 2>&1 || missing=1
	done
	[[ $missing -eq 1 ]] || return 0
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		log "installing $* with apt-get"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
		return
	fi
	die "missing: $cmds; install the Debian packages $* (needs root and apt-get) and retry"
}

# install_browser installs headless Chromium and its driver for the tests
# that drive web pages (the prompt form, the dashboard) with chromedp.
install_browser() {
	apt_install "chromium" chromium chromium-driver
}

# install_keyring installs a Secret Service (gnome-keyring) and D-Bus for the
# keystore tests, which run inside dbus-run-session. dbus-x11 is never
# installed: with it a process looking for a session bus starts a
# dbus-daemon that never exits.
install_keyring() {
	apt_install "gnome-keyring-daemon dbus-run-session secret-tool" gnome-keyring libsecret-tools dbus-daemon dbus-bin
}

# install_sshd installs OpenSSH's server for the tests of SSH remotes, which
# start their own sshd on a loopback port (the package's service is not
# needed).
install_sshd() {
	PATH="$PATH:/usr/sbin" apt_install "sshd ssh-keygen" openssh-server openssh-client
}

# install_postgresql installs Debian's PostgreSQL server for the tests of
# `import vrooli --db`, which start their own cluster on a loopback port as
# the postgres user (the package's service is not needed).
install_postgresql() {
	if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
		return
	fi
	apt_install "initdb" postgresql
}

# vault_version prints the first line of `$BIN/vault version`, if any.
vault_version() {
	[[ -x "$BIN/vault" ]] || return 0
	"$BIN/vault" version 2>/dev/null | head -n 1 | awk '{print $2}' | tr -d , || true
}

# install_vault builds the HashiCorp Vault server (for the dev server the
# local-development tests start) into $BIN. Debian has no package and
# `go install` refuses vault's replace directives, so it is built in a
# throwaway module outside the repository with the two replaces that make
# v1.21.0 compile (see NOTES: ~10 min and ~6 GB of memory the first time).
install_vault() {
	if [[ "$(vault_version)" == "v$VAULT_VERSION" ]]; then
		return
	fi
	command -v go >/dev/null 2>&1 || die "go is not on PATH; it is needed to build vault"
	log "building vault $VAULT_VERSION into $BIN (about 10 minutes the first time)"
	local mod
	mod=$(mktemp -d "$TOOLS/.vault.XXXXXX")
	(
		cd "$mod"
		export GOFLAGS=-mod=mod GOWORK=off
		go mod init secretsctl-tools/vault >/dev/null 2>&1
		go mod edit \
			-replace github.com/99designs/keyring=github.com/Jeffail/keyring@v1.2.3 \
			-replace github.com/ma314smith/signedxml@v1.1.1=github.com/moov-io/signedxml@v1.1.1
		go get "github.com/hashicorp/vault@v$VAULT_VERSION" >"$mod/build.log" 2>&1 &&
			go build -o "$mod/vault" github.com/hashicorp/vault >>"$mod/build.log" 2>&1
	) || {
		tail -n 40 "$mod/build.log" >&2
		rm -rf "$mod"
		die "building vault $VAULT_VERSION failed"
	}
	mv -f "$mod/vault" "$BIN/vault"
	rm -rf "$mod"
	[[ "$(vault_version)" == "v$VAULT_VERSION" ]] ||
		die "$BIN/vault does not report version $VAULT_VERSION after install"
}

main() {
	mkdir -p "$BIN"
	if [[ $# -gt 0 ]]; then
		# Only the named tools, such as `scripts/test-deps.sh sops` from a
		# benchmark script that must not start the long vault build.
		local tool
		for tool in "$@"; do
			declare -F "install_$tool" >/dev/null || die "unknown tool $tool"
			"install_$tool"
		done
		printf '%s\n' "$BIN"
		return
	fi
	install_git
	install_sops
	install_precommit
	apt_install "gpg gpg-agent gpgconf" gnupg # the PGP key tests run the real GnuPG
	apt_install "zip tar gzip" zip tar gzip # verify-bundle builds archives with the system tools
	install_browser
	install_keyring
	install_sshd
	install_postgresql
	apt_install "zsh fish" zsh fish bash-completion # the shell completion tests
	install_vault
	printf '%s\n' "$BIN"
}

main "$@"
