#!/usr/bin/env bash
# Builds the Debian package, target/debian/linkedin-optout_<version>-1_<arch>.deb, with
# cargo-deb. The man page and the shell completions come from the built binary itself, so
# they always match its options.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}" dpkg-dev
ensure_cargo
ensure_cargo_tools cargo-deb

target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked --quiet
binary="$target/release/linkedin-optout"
assets="$target/assets"
mkdir -p "$assets/completions"
"$binary" man | gzip -9n > "$assets/linkedin-optout.1.gz"
"$binary" completions bash > "$assets/completions/linkedin-optout"
"$binary" completions zsh > "$assets/completions/_linkedin-optout"
"$binary" completions fish > "$assets/completions/linkedin-optout.fish"
cargo deb --no-build --locked "$@"
