#!/usr/bin/env bash
# End to end through the real cron daemon: `schedule install --every 1m --setting …` puts the
# line in this user's crontab, cron runs it once against the built-in simulator, and both
# chosen switches of the account end up off, each with its run in the history, while a third
# chosen switch that LinkedIn does not offer to the account is said once and exits 0, and the run
# checks the simulator's privacy policy (its weekly watch). The installed line, run again as cron
# runs it, then mails nothing: every switch is as it was (README, "What each outcome does").
# Everything lives in a throwaway home; only our own crontab line is touched, and it is removed
# on every exit path.
#
# Needs: cargo, cron, curl, procps, Chromium and chromedriver. Run as the user whose crontab
# may be used (root in CI: `cron -f` is started when no cron daemon is running).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

for tool in cargo cron crontab curl pgrep; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "error: \`$tool\` not found: install it (Debian: apt install cron curl procps)" >&2
    exit 1
  }
done

account=cron@example.com
deadline_seconds=75

# (a) the binary under test
cargo build --locked --quiet
target_dir=$(realpath "${CARGO_TARGET_DIR:-target}")
bin="$target_dir/debug/linkedin-optout"

# A home of its own: the installed line carries HOME and XDG_*_HOME, so the run cron starts
# reads and writes here too.
work=$(mktemp -d)
use_home_in "$work"
state_dir="$XDG_STATE_HOME/linkedin-optout"
history="$state_dir/history.jsonl"

sim_pid=""
cron_pid=""
installed=""
cleanup() {
  local status=$?
  if [ -n "$installed" ]; then
    "$bin" schedule remove >/dev/null || status=1
  fi
  [ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true
  [ -z "$cron_pid" ] || kill "$cron_pid" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    for log in "$work/simulator.err" "$state_dir/cron.log"; do
      if [ -s "$log" ]; then
        echo "--- $log" >&2
        tail -n 40 "$log" >&2
      fi
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

fail() {
  echo "cron-e2e: FAIL: $*" >&2
  exit 1
}

# (b) the simulator, on a free port; its first line says where
printf 'pw\n' | "$bin" simulator --listen 127.0.0.1:0 --account "$account" --password-stdin \
  --state "$work/simulator.json" >"$work/simulator.out" 2>"$work/simulator.err" &
sim_pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/simulator.out")
  [ -n "$url" ] && break
  kill -0 "$sim_pid" 2>/dev/null || fail "the simulator exited before listening"
  sleep 0.1
done
[ -n "$url" ] || fail "the simulator did not print \`listening on http://ADDR\` within 10 s"
# The setting of the account as the simulator has it (whole bodies: no early-closed pipes).
sim_account() { curl -fsS "$url/__sim/accounts/$account"; }
[[ $(sim_account) == *'"ai_training":"on"'* ]] \
  || fail "the simulated account does not start with the setting on"
# A switch LinkedIn does not offer to this account.
curl -fsS -X PUT -H 'content-type: application/json' -d '{"switches":{"member-cookies":"not_offered"}}' \
  "$url/__sim/accounts/$account" >/dev/null

# (c) its password, where a cron run can read it without a keyring
(umask 077 && printf 'email = "%s"\npassword = "pw"\n' "$account" >"$work/credentials.toml")

# (d) the schedule, for three switches: the AI one, an advertising one, one not offered
"$bin" schedule install --every 1m --account "$account" --base-url "$url" \
  --credentials-file "$work/credentials.toml" \
  --setting data-for-ai-improvement --setting ads-by-age --setting member-cookies
installed=yes
[[ $(crontab -l) == *"--base-url $url"* ]] || fail "the line is not in the crontab"
[[ $(crontab -l) == *"--setting data-for-ai-improvement --setting ads-by-age"* ]] \
  || fail "the line does not carry the switches chosen"

# (e) a cron daemon
if ! pgrep -x cron >/dev/null; then
  cron -f &
  cron_pid=$!
fi

# (f) cron starts the run at the next minute; wait for its history lines, one per switch
deadline=$((SECONDS + deadline_seconds))
until [ "$(cat "$history" 2>/dev/null | wc -l)" -ge 3 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no run recorded in $history within ${deadline_seconds} s"
  sleep 1
done

# (g) the run switched both off and recorded each
[[ $(sim_account) == *'"ai_training":"off"'* ]] || fail "the simulator still has the setting on"
[[ $(sim_account) == *'"ads-by-age":"off"'* ]] || fail "the simulator still has ads-by-age on"
first_run=$(head -n 1 "$history")
[[ $first_run == *'"setting":"data-for-ai-improvement"'*'"outcome":"opted_out"'* ]] \
  || fail "the first history line is not the AI switch opted out: $first_run"
second_run=$(sed -n 2p "$history")
[[ $second_run == *'"setting":"ads-by-age"'*'"outcome":"opted_out"'* ]] \
  || fail "the second history line is not ads-by-age opted out: $second_run"
third_run=$(sed -n 3p "$history")
[[ $third_run == *'"setting":"member-cookies"'*'"outcome":"not_offered"'*'"exit_code":0'* ]] \
  || fail "the third history line is not member-cookies not offered, exit 0: $third_run"
log="$state_dir/cron.log"
grep -q "^$account member-cookies: LinkedIn does not offer this setting" "$log" \
  || fail "the switch not offered is not said on its first run: $(cat "$log")"

# (g2) the same run checked LinkedIn's privacy policy, its weekly watch (`--watch-policy` on the
# line): the check's record, and the page served once by the simulator
seen="$state_dir/seen/policy-links.json"
until [ -s "$seen" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no policy check recorded in $seen within ${deadline_seconds} s"
  sleep 1
done
[[ $(crontab -l) == *"optout --quiet --watch-policy"* ]] || fail "the line does not watch the policy"
[[ $(curl -fsS "$url/__sim/policy") == *'"views":1'* ]] \
  || fail "the simulator did not serve its privacy policy once: $(curl -fsS "$url/__sim/policy")"

# (g3) the same line, run again as cron runs it (its own shell, an empty environment), once
# cron can start no other: every switch is as it was, so no result line reaches the log that
# cron mails.
line=$(crontab -l | grep -F -- "--base-url $url")
command=$(printf '%s\n' "$line" | cut -d' ' -f6-)
"$bin" schedule remove >/dev/null
installed=""
# Every run cron started has ended (the simulator's own command line does not hold its URL).
deadline=$((SECONDS + 60))
until ! pgrep -f -- "--base-url $url" >/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the runs cron started did not end"
  sleep 1
done
runs=$(($(wc -l <"$history") / 3))
before=$(wc -l <"$log")
env -i sh -c "$command" || fail "the line, run again, exited $?"
new=$(tail -n +"$((before + 1))" "$log")
if printf '%s\n' "$new" | grep -q "^$account"; then
  fail "a run with nothing changed still said: $new"
fi
[ "$(wc -l <"$history")" -eq $((3 * runs + 3)) ] || fail "the run again did not record its three readings"
[[ $(tail -n 1 "$history") == *'"outcome":"not_offered"'*'"exit_code":0'* ]] \
  || fail "the second run's reading of member-cookies is not exit 0: $(tail -n 1 "$history")"

# (h) the line is gone (removed above, where a failure to remove fails the test)
if [[ $(crontab -l 2>/dev/null || true) == *"--base-url $url"* ]]; then
  fail "the line is still in the crontab"
fi
echo "cron-e2e: ok (cron ran the installed line; both switches are off and recorded, the one not offered said once; the privacy policy was checked; the line run again said nothing)"
