#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine: installs the packages the tests need
# (only those missing), then runs formatting and lint checks, every Rust test (end-to-end
# browser tests and keyring tests included) under a real Secret Service, and the real-cron
# test.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" \
  gnome-keyring dbus dbus-x11 cron docker-compose curl procps xvfb firefox-esr bsdutils bash-completion \
  passwd util-linux openssl
ensure_cargo
# Firefox's driver is not packaged by Debian: cargo builds it once (about 2.5 minutes).
command -v geckodriver >/dev/null 2>&1 || cargo install --locked --quiet geckodriver
# The RustSec audit, offline, against the snapshot of the advisory database kept in shared/.
command -v cargo-audit >/dev/null 2>&1 || cargo install --locked --quiet cargo-audit
# Licences, duplicate versions and sources, by deny.toml.
command -v cargo-deny >/dev/null 2>&1 || cargo install --locked --quiet cargo-deny

# Each step says when it starts, counted from here: where the suite's time goes.
started=$SECONDS
step() { echo "test.sh: $* (at $((SECONDS - started)) s)" >&2; }

step "formatting and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --quiet -- -D warnings
# The tool without its simulator (cargo feature `simulator` off) must build clean too, and say
# that `demo` and `simulator` were not built in. Before the full suite: that suite's build
# puts the default binary back at target/debug/linkedin-optout.
step "the build without the simulator"
cargo clippy --locked --no-default-features --all-targets --quiet -- -D warnings
cargo test --locked --no-default-features --test it without_simulator::
step "the dependencies' audit and licences"
# Any known vulnerability in a dependency fails the run.
cargo audit --db "${ADVISORY_DB:-../shared/advisory-db}" --no-fetch --stale
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
