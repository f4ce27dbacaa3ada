#!/usr/bin/env bash
# The main job, on a fresh Debian/Ubuntu machine: install what is missing, build, and opt out
# a demo account on the built-in LinkedIn simulator in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}"
ensure_cargo
cargo build --release --locked --quiet
exec target/release/linkedin-optout demo "$@"
