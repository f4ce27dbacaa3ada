#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine: installs the packages and cargo tools
# the tests need (only those missing), fetches every crate, and audits the dependencies (where
# no advisory snapshot is beside the clone, fetching RustSec's database); then, offline,
# formatting and lint checks, every Rust test (end-to-end browser tests and keyring tests
# included) under a real Secret Service, the real-cron test, the Debian package and the
# container. scripts/fresh-check.sh runs it on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# Each step says when it starts, counted from here: where the suite's time goes.
started=$SECONDS
step() { echo "test.sh: $* (at $((SECONDS - started)) s)" >&2; }

# Everything that needs the network comes first: the Debian packages of every step (the
# scripts below check theirs again, and find them there), podman-compose, the crates, the
# cargo tools. (Later, only the container test's image builds download: Debian packages, as
# the Dockerfile says.)
step "installing the missing Debian packages"
ensure_packages "${BUILD_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" "${DEB_PACKAGES[@]}" \
  "${CONTAINER_PACKAGES[@]}" gnome-keyring dbus dbus-x11 cron docker-compose curl procps xvfb \
  firefox-esr bsdutils passwd util-linux openssl
ensure_cargo
ensure_podman_compose

# `cargo fetch` takes every crate of Cargo.lock, those of other targets too (cargo deny reads
# the metadata of all of them); the builds below would fetch only what Linux needs.
step "fetching the locked crates and installing the cargo tools"
cargo fetch --locked --quiet
ensure_cargo_tools

# The RustSec audit: any known vulnerability in a dependency fails the run. CI keeps a snapshot
# of the advisory database beside the clone (../shared/advisory-db, or $ADVISORY_DB); where
# there is none, cargo audit fetches the current database from RustSec (a git clone into
# ~/.cargo/advisory-db). Either way the run says which one it used.
step "the dependencies' audit"
advisory_db=${ADVISORY_DB:-../shared/advisory-db}
if [ -d "$advisory_db/crates" ]; then
  echo "test.sh: advisory database: the snapshot in $(realpath "$advisory_db"), $(find "$advisory_db/crates" -name '*.md' | wc -l) advisories, the newest dated $(grep -rh '^date = ' "$advisory_db/crates" | sort | tail -n 1 | tr -dc 0-9-)" >&2
  cargo audit --db "$advisory_db" --no-fetch --stale
else
  echo "test.sh: advisory database: no snapshot at $advisory_db, so cargo audit fetches RustSec's current one" >&2
  cargo audit
fi

# From here on nothing may use the network: a step that needs something a used machine has
# and a fresh one lacks fails on every machine, not only on a fresh one.
export CARGO_NET_OFFLINE=true

step "formatting and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --quiet -- -D warnings
# The tool without its simulator (cargo feature `simulator` off) must build clean too, and say
# that `demo` and `simulator` were not built in. Before the full suite: that suite's build
# puts the default binary back at target/debug/linkedin-optout.
step "the build without the simulator"
cargo clippy --locked --no-default-features --all-targets --quiet -- -D warnings
cargo test --locked --no-default-features --test it without_simulator::
step "the dependencies' licences"
# Only allowed licences, crates.io only, no `*` requirement; duplicate versions are shown. (Its
# advisories check needs a git checkout of the database, which the snapshot is not: the audit
# above covers vulnerabilities.)
cargo deny --offline check --hide-inclusion-graph licenses bans sources

step "every Rust test"
# A real Secret Service for the keyring tests: gnome-keyring in a private D-Bus session, its
# keyrings in a throwaway directory, unlocked with a throwaway password.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export KEYRING_HOME="$keyring_home"
dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME="$KEYRING_HOME/data"
  mkdir -p "$XDG_DATA_HOME"
  echo -n "throwaway-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --locked --workspace --all-targets
'

step "the scheduled job through cron"
# The scheduled job for real: cron runs the installed line once against the simulator.
bash scripts/cron-e2e.sh
step "the Debian package"
# The Debian package for real: built, installed with apt-get, run, purged.
bash scripts/deb-e2e.sh
step "the container"
# The container path for real: the Dockerfile built and docker-compose.yml run with Podman.
bash scripts/container-e2e.sh
step "done"
