#!/usr/bin/env bash
# Makes the README's picture of an exported receipts page (docs/receipts-export.png) and the
# sample of `receipts` (docs/receipts-sample.txt), from real runs against the built-in
# simulator for two switches: opted out, still off, switched back on by "LinkedIn" (drift, a
# dry run), opted out again. To show half a year at a glance, those receipts are then copied
# to each day of the past 180 days (as the test a_year_of_receipts_exports_as_a_page_read_at_a_
# glance does: a copy keeps its screenshot, so its hash holds), and a last real run prunes
# them to what retention keeps. The exported index.html is then opened in headless Chromium,
# which takes the picture.
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

switches=(--setting data-for-ai-improvement --setting ads-by-age)
tool optout --quiet "${switches[@]}"
tool status --quiet "${switches[@]}"
# LinkedIn switches it back on, as it did for whole regions on 3 November 2025.
curl -fsS -X PUT -H 'content-type: application/json' -d '{"ai_training":"on"}' \
  "$url/__sim/accounts/$account" >/dev/null
tool status --quiet "${switches[@]}" || [ $? -eq 3 ]
tool optout --quiet "${switches[@]}"

# The receipts of those runs, copied to the days of the past half year.
receipts="$XDG_STATE_HOME/linkedin-optout/receipts/$account"
mv "$receipts" "$work/templates"
mkdir -m 700 "$receipts"
# template SETTING STATE: the first receipt of that switch in that state the runs kept.
template() {
  grep -l "\"setting\": \"$1\"" "$work"/templates/*.json | xargs grep -l "\"state\": \"$2\"" \
    | head -n 1
}
# dated FILE DAYS_AGO OUTCOME STATE DRIFT: a copy of the receipt FILE, that many days ago.
dated() {
  local at stem png
  at=$(($(date +%s) - $2 * 86400))
  stem="$(date -u -d "@$at" +%Y%m%dT%H%M%S).000Z-$(sed -n 's/^  "setting": "\(.*\)",$/\1/p' "$1")"
  png=$(sed -n 's/^  "png": "\(.*\)",$/\1/p' "$1")
  ln "$work/templates/$png" "$receipts/$stem.png"
  sed -e "s/^  \"time\": .*/  \"time\": \"$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)\",/" \
    -e "s/^  \"png\": .*/  \"png\": \"$stem.png\",/" \
    -e "s/^  \"outcome\": .*/  \"outcome\": \"$3\",/" \
    -e "s/^  \"state\": .*/  \"state\": \"$4\",/" \
    -e "s/^  \"drift\": .*/  \"drift\": $5,/" "$1" >"$receipts/$stem.json"
}
ai_off=$(template data-for-ai-improvement off)
ai_on=$(template data-for-ai-improvement on)
age_off=$(template ads-by-age off)
for days in $(seq 180 -1 1); do
  case $days in
    180) dated "$ai_off" "$days" opted_out off false ;;
    # LinkedIn turned it back on: a dry run saw it, the next run switched it off again.
    61) dated "$ai_on" "$days" would_opt_out on true ;;
    60) dated "$ai_off" "$days" opted_out off false ;;
    *) dated "$ai_off" "$days" already_off off false ;;
  esac
  if [ "$days" -eq 180 ]; then
    dated "$age_off" "$days" opted_out off false
  else
    dated "$age_off" "$days" already_off off false
  fi
done
# Today's run keeps what retention keeps of that half year.
tool optout --quiet "${switches[@]}"

mkdir -p docs
"$bin" receipts --limit 4 | sed "s|$HOME|~|g" >docs/receipts-sample.txt
TZ=Europe/Berlin "$bin" receipts export "$work/export" >/dev/null
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(--no-sandbox)
chromium --headless=new "${sandbox[@]}" --disable-gpu --hide-scrollbars --window-size=1280,1100 \
  --screenshot="$PWD/docs/receipts-export.png" "file://$work/export/index.html" 2>/dev/null
echo "wrote docs/receipts-export.png and docs/receipts-sample.txt"
