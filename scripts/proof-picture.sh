#!/usr/bin/env bash
# Makes the README's picture of an exported receipts page (docs/receipts-export.png) and the
# sample of `receipts` (docs/receipts-sample.txt), from real runs against the built-in
# simulator: opted out, still off, switched back on by "LinkedIn" (drift), opted out again.
# The exported index.html is then opened in headless Chromium, which takes the picture.
#
# Needs: cargo, curl, Chromium and chromedriver (apt install chromium chromium-driver curl).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

for tool in cargo curl chromium; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "error: \`$tool\` not found: install it (Debian: apt install chromium chromium-driver curl)" >&2
    exit 1
  }
done

cargo build --locked --quiet
target_dir=$(realpath "${CARGO_TARGET_DIR:-target}")
bin="$target_dir/debug/linkedin-optout"
account=you@example.com

work=$(mktemp -d)
use_home_in "$work"

sim_pid=""
cleanup() {
  local status=$?
  [ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true
  [ "$status" -eq 0 ] || { [ ! -s "$work/simulator.err" ] || tail -n 20 "$work/simulator.err" >&2; }
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

printf 'pw\n' | "$bin" simulator --listen 127.0.0.1:0 --account "$account" --password-stdin \
  >"$work/simulator.out" 2>"$work/simulator.err" &
sim_pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/simulator.out")
  [ -n "$url" ] && break
  kill -0 "$sim_pid" 2>/dev/null || { echo "error: the simulator exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "error: the simulator did not start within 10 s" >&2; exit 1; }

(umask 077 && printf 'email = "%s"\npassword = "pw"\n' "$account" >"$work/credentials.toml")
tool() { "$bin" --base-url "$url" --account "$account" --credentials-file "$work/credentials.toml" "$@"; }

tool optout --quiet
tool status --quiet
# LinkedIn switches it back on, as it did for whole regions on 3 November 2025.
curl -fsS -X PUT -H 'content-type: application/json' -d '{"ai_training":"on"}' \
  "$url/__sim/accounts/$account" >/dev/null
tool status --quiet || [ $? -eq 3 ]
tool optout --quiet

mkdir -p docs
"$bin" receipts | sed "s|$HOME|~|g" >docs/receipts-sample.txt
TZ=Europe/Berlin "$bin" receipts export "$work/export" >/dev/null
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(--no-sandbox)
chromium --headless=new "${sandbox[@]}" --disable-gpu --hide-scrollbars --window-size=1280,1100 \
  --screenshot="$PWD/docs/receipts-export.png" "file://$work/export/index.html" 2>/dev/null
echo "wrote docs/receipts-export.png and docs/receipts-sample.txt"
