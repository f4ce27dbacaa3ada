#!/usr/bin/env bash
# The benchmark (issue 6): build in release mode, start the simulator on loopback, and
# measure the tool with real headless Chromium against a minimal WebDriver client (the
# floor, examples/bench_floor.rs). Writes bench/results.json and bench/RESULTS.md.
#
# usage: scripts/bench.sh [--runs N] [--accounts "1 8 32"] [--parallel "1 2 4"] [--only catalogue]
#
# Scenarios: the whole catalogue (`audit` with the saved session, `--setting all optout` from
# a mixed state, their floors, and their peak memory), cold opt-out (fresh state, password
# sign-in, --walk), warm check (`status` with the saved session), their floors, many accounts
# at --parallel 1/2/4 (each once), and the tool's own footprint. `--only catalogue` runs only
# the catalogue scenarios and replaces their part of an existing bench/results.json. The many-accounts runs read passwords from the OS keyring, so the
# script runs itself under a private D-Bus session with a throwaway gnome-keyring; the
# single-account scenarios read a credentials file and run without that bus (as from cron on
# a server), so Chromium does not start accessibility services on it.
#
# Only loopback is used while measuring (installing packages and building may download).
# Every wait polls a condition with a deadline; the trap stops the simulator, the keyring
# and any process this run started that is still alive (found by a tag in its environment).
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$SELF")/.."
ROOT=$PWD

RUNS=5
ACCOUNT_COUNTS="1 8 32"
PARALLEL_LEVELS="1 2 4"
ONLY=""
USAGE='usage: scripts/bench.sh [--runs N] [--accounts "1 8 32"] [--parallel "1 2 4"] [--only catalogue]'
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --accounts) ACCOUNT_COUNTS=$2; shift 2 ;;
    --parallel) PARALLEL_LEVELS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "$USAGE" >&2; exit 2 ;;
  esac
done
case $ONLY in
  "") ;;
  catalogue)
    [ -f bench/results.json ] || {
      echo "error: --only catalogue updates bench/results.json, which is missing: run scripts/bench.sh in full first" >&2
      exit 2
    } ;;
  *) echo "error: --only takes \`catalogue\`, not \`$ONLY\`" >&2; echo "$USAGE" >&2; exit 2 ;;
esac

# ---- a private D-Bus session (for the keyring), entered once ------------------------------
if [ -z "${BENCH_DBUS_SESSION:-}" ]; then
  # shellcheck source=scripts/lib.sh
  . scripts/lib.sh
  ensure_packages hyperfine time jq curl python3 dbus dbus-bin gnome-keyring chromium chromium-driver
  export BENCH_DBUS_SESSION=1
  exec dbus-run-session -- bash "$SELF" --runs "$RUNS" --accounts "$ACCOUNT_COUNTS" --parallel "$PARALLEL_LEVELS" \
    ${ONLY:+--only "$ONLY"}
fi

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
ensure_cargo
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
echo "building (release)..." >&2
cargo build --release --locked --quiet --bin linkedin-optout --example bench_floor
TOOL=$TARGET/release/linkedin-optout
FLOOR=$TARGET/release/examples/bench_floor

WORK=$(mktemp -d -t linkedin-optout-bench.XXXXXX)
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
# Every process this run starts inherits the tag; the trap ends whatever still carries it.
export BENCH_TAG="linkedin-optout-bench-$$-$RANDOM"
SIM_PID=""
KEYRING_PID=""

tagged_pids() {
  # grep and sed carry the tag too, so only processes still alive once they ended count.
  local me=${BASHPID:-$$} found pid
  found=$(grep -lzx "BENCH_TAG=$BENCH_TAG" /proc/[0-9]*/environ 2>/dev/null \
    | sed -e 's#^/proc/##' -e 's#/environ$##' || true)
  for pid in $found; do
    [ "$pid" != "$$" ] && [ "$pid" != "$me" ] && [ -d "/proc/$pid" ] && echo "$pid"
  done
  return 0
}

# Our browsers, drivers, floors and tool runs still alive (the simulator and keyring are
# expected to be, until the trap ends them).
stray_pids() {
  local pid
  for pid in $(tagged_pids); do
    case $(cat "/proc/$pid/comm" 2>/dev/null) in
      chrom* | bench_floor | linkedin-optou*)
        [ "$pid" != "$SIM_PID" ] && echo "$pid" ;;
    esac
  done
  return 0
}

gone() { ! kill -0 "$1" 2>/dev/null; }

cleanup() {
  local status=$?
  local pid
  for pid in $SIM_PID $KEYRING_PID; do
    kill "$pid" 2>/dev/null || true
    poll "process $pid to stop" 5 gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  done
  local strays
  strays=$(tagged_pids)
  if [ -n "$strays" ]; then
    echo "cleanup: ending stray processes: $(echo "$strays" | tr '\n' ' ')" >&2
    # shellcheck disable=SC2086
    kill -KILL $strays 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# poll DESCRIPTION SECONDS COMMAND...: runs COMMAND until it succeeds or the deadline passes.
poll() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "error: gave up waiting for $what after ${seconds}s" >&2
      return 1
    fi
    # A polling interval, not a wait for something to have happened.
    sleep 0.05
  done
}

# ---- the keyring ---------------------------------------------------------------------------
export XDG_DATA_HOME="$WORK/keyring-data"
mkdir -p "$XDG_DATA_HOME"
printf 'throwaway' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
KEYRING_PID=$!
secrets_on_bus() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
poll "the keyring to join the session bus" 20 secrets_on_bus

# ---- the simulator -------------------------------------------------------------------------
MAX_ACCOUNTS=0
for n in $ACCOUNT_COUNTS; do [ "$n" -gt "$MAX_ACCOUNTS" ] && MAX_ACCOUNTS=$n; done
PASSWORD=bench-password
email() { printf 'member%02d@bench.example' "$1"; }
sim_args=()
for i in $(seq 1 "$MAX_ACCOUNTS"); do sim_args+=(--account "$(email "$i")"); done
sim_args+=(--account "solo@bench.example" --account "catalogue@bench.example")
printf '%s\n' "$PASSWORD" | "$TOOL" "${sim_args[@]}" simulator --listen 127.0.0.1:0 --password-stdin \
  >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
sim_listening() { grep -q '^listening on http://' "$WORK/sim.out"; }
poll "the simulator to listen" 20 sim_listening
BASE="$(sed -n 's/^listening on //p' "$WORK/sim.out")/"
echo "simulator at $BASE" >&2

sim_get() { curl -sf "${BASE}__sim/accounts/$1"; }
sim_put() { curl -sf -X PUT -H 'content-type: application/json' -d "$2" "${BASE}__sim/accounts/$1" >/dev/null; }

# An isolated home per scenario: config, state, cache and the browser's own files.
new_home() {
  local home="$WORK/home-$1"
  rm -rf "$home"
  mkdir -p "$home/config" "$home/state" "$home/cache"
  echo "$home"
}
# tool_env HOME: the environment of a tool run in that home, as words for a command line.
tool_env() {
  echo "-u DBUS_SESSION_BUS_ADDRESS HOME=$1 XDG_CONFIG_HOME=$1/config XDG_STATE_HOME=$1/state XDG_CACHE_HOME=$1/cache"
}
# in_home HOME COMMAND...: runs COMMAND in that home.
in_home() {
  local home=$1
  shift
  HOME=$home XDG_CONFIG_HOME=$home/config XDG_STATE_HOME=$home/state XDG_CACHE_HOME=$home/cache "$@"
}

# hyperfine_json NAME ARGS...: runs hyperfine, keeps its JSON export as $WORK/NAME.json.
hyperfine_json() {
  local name=$1
  shift
  hyperfine --style basic --export-json "$WORK/$name.json" "$@" >&2
}
summary() { # the hyperfine JSON of NAME, reduced to seconds
  jq '[.results[] | {command, runs: (.times | length), min, median, max, mean, stddev}]' "$WORK/$1.json"
}
commit_id() { echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src examples || echo '-dirty')"; }

# ---- 6: the whole catalogue (issue 10): audit and opt-out, against their floors ------------
# One account of its own. Before every opt-out run (and once before the audits) every switch
# is set to the same mixed state: seven on, six off. Both switches of linkedin-promotions are
# on (one page, two saves); share-data-with-select-partners is off, so that switching
# ads-beyond-linkedin off, which takes it along, moves nothing else.
CAT=catalogue@bench.example
CAT_CREDS="$WORK/catalogue-credentials.toml"
printf 'email = "%s"\npassword = "%s"\n' "$CAT" "$PASSWORD" >"$CAT_CREDS"
chmod 600 "$CAT_CREDS"
CAT_ARGS=(--base-url "$BASE" --account "$CAT" --credentials-file "$CAT_CREDS")
MIXED='{"switches": {"data-for-ai-improvement": "on", "policy-and-academic-research": "on",
  "share-data-with-select-partners": "off", "linkedin-promotions-ads": "on",
  "linkedin-promotions-emails": "on", "ads-by-age": "on", "ads-by-gender": "off",
  "ads-beyond-linkedin": "on", "ads-interactions-with-business": "off",
  "ads-related-actions": "off", "ads-inferred-location": "off", "interest-categories": "on",
  "member-cookies": "off"}}'
MIXED=$(jq -c . <<<"$MIXED")
CATALOGUE_FILE=src/linkedin/catalogue.toml
CAT_SWITCHES=$(grep -c '^path = ' "$CATALOGUE_FILE")
CAT_PAGES=$(grep '^path = ' "$CATALOGUE_FILE" | sort -u | wc -l)
[ "$(jq '.switches | length' <<<"$MIXED")" -eq "$CAT_SWITCHES" ] || {
  echo "error: the mixed state names $(jq '.switches | length' <<<"$MIXED") switches, the catalogue $CAT_SWITCHES: update MIXED in scripts/bench.sh" >&2
  exit 1
}
CAT_LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# expect_status WANT COMMAND...: runs COMMAND, fails unless it exits WANT.
expect_status() {
  local want=$1 status=0
  shift
  "$@" || status=$?
  [ "$status" -eq "$want" ] || { echo "error: exit $status, not $want: $*" >&2; return 1; }
}

echo "== the whole catalogue: audit (saved session) vs its floor" >&2
CAT_AUDIT_HOME=$(new_home catalogue-audit)
sim_put "$CAT" "$MIXED"
# A status run signs in and saves the session (exit 3: the AI switch is on).
expect_status 3 in_home "$CAT_AUDIT_HOME" env -u DBUS_SESSION_BUS_ADDRESS "$TOOL" "${CAT_ARGS[@]}" \
  status --json >"$WORK/catalogue-setup.json" 2>"$WORK/catalogue-setup.err"
CAT_SESSION="$CAT_AUDIT_HOME/state/linkedin-optout/sessions/$CAT.json"
[ -f "$CAT_SESSION" ] || { echo "error: the set-up run saved no session at $CAT_SESSION" >&2; exit 1; }
CAT_AUDIT_BEFORE=$(sim_get "$CAT")
# audit exits 3 when a switch is on, as it is here: any other status fails the run.
hyperfine_json catalogue-audit --runs "$RUNS" --warmup 1 \
  -n "audit (whole catalogue)" "env $(tool_env "$CAT_AUDIT_HOME") $TOOL ${CAT_ARGS[*]} audit --json; test \$? -eq 3" \
  -n "audit floor" "env -u DBUS_SESSION_BUS_ADDRESS $FLOOR audit-all $BASE $CAT_SESSION" \
  -n "audit floor with a screenshot per page" "env -u DBUS_SESSION_BUS_ADDRESS BENCH_FLOOR_SCREENSHOTS=1 $FLOOR audit-all $BASE $CAT_SESSION"
CAT_AUDIT_AFTER=$(sim_get "$CAT")
for field in sign_ins switch_writes switches; do
  if [ "$(jq -c ".$field" <<<"$CAT_AUDIT_BEFORE")" != "$(jq -c ".$field" <<<"$CAT_AUDIT_AFTER")" ]; then
    echo "error: the audits changed the account's $field: $(jq -c ".$field" <<<"$CAT_AUDIT_BEFORE") -> $(jq -c ".$field" <<<"$CAT_AUDIT_AFTER")" >&2
    exit 1
  fi
done

echo "== the whole catalogue: opt-out --setting all (cold, mixed state) vs its floor" >&2
CAT_OPTOUT_HOME=$(new_home catalogue-optout)
RESET_CAT="rm -rf $CAT_OPTOUT_HOME/state && curl -sf -X PUT -H 'content-type: application/json' -d '$MIXED' ${BASE}__sim/accounts/$CAT >/dev/null"
CAT_WRITES_BEFORE=$(sim_get "$CAT" | jq -c .switch_writes)
hyperfine_json catalogue-optout --runs "$RUNS" --warmup 1 --prepare "$RESET_CAT" \
  -n "opt-out --setting all (whole catalogue)" "env $(tool_env "$CAT_OPTOUT_HOME") $TOOL ${CAT_ARGS[*]} --setting all optout --json" \
  -n "opt-out floor" "env -u DBUS_SESSION_BUS_ADDRESS $FLOOR optout-all $BASE $CAT $PASSWORD" \
  -n "opt-out floor with a screenshot per page" "env -u DBUS_SESSION_BUS_ADDRESS BENCH_FLOOR_SCREENSHOTS=1 $FLOOR optout-all $BASE $CAT $PASSWORD"
CAT_STATE_AFTER=$(sim_get "$CAT")
# Every run (warm-up included, tool and floor) must have saved exactly the switches that were
# on, once each, and left every switch off.
jq -e -n --argjson before "$CAT_WRITES_BEFORE" --argjson after "$CAT_STATE_AFTER" \
  --argjson mixed "$MIXED" --argjson n $((3 * (RUNS + 1))) \
  '[$mixed.switches | to_entries[]
    | ($after.switch_writes[.key] // 0) - ($before[.key] // 0) == (if .value == "on" then $n else 0 end)]
   + [$after.switches[] == "off"] | all' >/dev/null || {
  echo "error: the opt-out runs did not save exactly the switches that were on, $((3 * (RUNS + 1))) times each, leaving all off: writes $CAT_WRITES_BEFORE -> $(jq -c .switch_writes <<<"$CAT_STATE_AFTER"), switches $(jq -c .switches <<<"$CAT_STATE_AFTER")" >&2
  exit 1
}

echo "== the whole catalogue: peak memory" >&2
sim_put "$CAT" "$MIXED"
expect_status 3 in_home "$CAT_AUDIT_HOME" env -u DBUS_SESSION_BUS_ADDRESS \
  python3 bench/sample.py "$WORK/catalogue-audit-mem.json" 0.1 -- \
  "$TOOL" "${CAT_ARGS[@]}" audit --json >/dev/null 2>"$WORK/catalogue-audit-mem.err"
bash -c "$RESET_CAT"
in_home "$CAT_OPTOUT_HOME" env -u DBUS_SESSION_BUS_ADDRESS \
  python3 bench/sample.py "$WORK/catalogue-optout-mem.json" 0.1 -- \
  "$TOOL" "${CAT_ARGS[@]}" --setting all optout --json >/dev/null 2>"$WORK/catalogue-optout-mem.err"
bash -c "$RESET_CAT"
env -u DBUS_SESSION_BUS_ADDRESS python3 bench/sample.py "$WORK/catalogue-floor-mem.json" 0.1 -- \
  "$FLOOR" optout-all "$BASE" "$CAT" "$PASSWORD" >/dev/null

jq -n \
  --arg date "$(date -u +%FT%TZ)" --arg commit "$(commit_id)" \
  --arg load0 "$CAT_LOAD_AT_START" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --argjson runs "$RUNS" --argjson switches "$CAT_SWITCHES" --argjson pages "$CAT_PAGES" \
  --argjson mixed "$MIXED" \
  --argjson audit "$(summary catalogue-audit)" --argjson optout "$(summary catalogue-optout)" \
  --argjson audit_before "$CAT_AUDIT_BEFORE" --argjson audit_after "$CAT_AUDIT_AFTER" \
  --argjson audit_mem "$(cat "$WORK/catalogue-audit-mem.json")" \
  --argjson optout_mem "$(cat "$WORK/catalogue-optout-mem.json")" \
  --argjson floor_mem "$(cat "$WORK/catalogue-floor-mem.json")" \
  'def peak: {tool_peak_rss_kb, browser_peak_pss_kb,
              total_kb: (.tool_peak_rss_kb + .browser_peak_pss_kb), peak_browsers, wall_s};
  {
    measured: {date: $date, commit: $commit,
               load_average_at_start: $load0, load_average_at_end: $load},
    runs_per_timing: $runs, switches: $switches, pages: $pages,
    switches_on_before_optout: [$mixed.switches[] | select(. == "on")] | length,
    audit: $audit, optout: $optout,
    ratios: {
      audit_over_floor: ($audit[0].median / $audit[1].median * 100 | round / 100),
      optout_over_floor: ($optout[0].median / $optout[1].median * 100 | round / 100),
      audit_over_floor_with_screenshots: ($audit[0].median / $audit[2].median * 100 | round / 100),
      optout_over_floor_with_screenshots: ($optout[0].median / $optout[2].median * 100 | round / 100)
    },
    audit_sign_ins: {before: $audit_before.sign_ins, after: $audit_after.sign_ins},
    memory: {audit: ($audit_mem | peak), optout: ($optout_mem | peak),
             optout_floor: ($floor_mem | peak)}
  }' >"$WORK/catalogue.json"

if [ "$ONLY" = catalogue ]; then
  jq --slurpfile c "$WORK/catalogue.json" '.catalogue = $c[0]' bench/results.json >"$WORK/results.next"
  mv "$WORK/results.next" bench/results.json
  bash bench/render.sh bench/results.json >bench/RESULTS.md
  echo "updated the catalogue's part of bench/results.json and bench/RESULTS.md" >&2
  exit 0
fi

# ---- 1 and 3: cold opt-out and its floor -------------------------------------------------
SOLO=solo@bench.example
CREDS="$WORK/solo-credentials.toml"
printf 'email = "%s"\npassword = "%s"\n' "$SOLO" "$PASSWORD" >"$CREDS"
chmod 600 "$CREDS"
COLD_HOME=$(new_home cold)
SOLO_ARGS=(--base-url "$BASE" --account "$SOLO" --credentials-file "$CREDS")
RESET_SOLO="rm -rf $COLD_HOME/state && curl -sf -X PUT -H 'content-type: application/json' -d '{\"ai_training\":\"on\"}' ${BASE}__sim/accounts/$SOLO >/dev/null"

echo "== cold opt-out (--walk) vs its floor" >&2
hyperfine_json cold --runs "$RUNS" --warmup 1 --prepare "$RESET_SOLO" \
  -n "cold opt-out --walk" "env $(tool_env "$COLD_HOME") $TOOL ${SOLO_ARGS[*]} optout --walk --json" \
  -n "cold opt-out (by URL)" "env $(tool_env "$COLD_HOME") $TOOL ${SOLO_ARGS[*]} optout --json" \
  -n "cold floor" "env -u DBUS_SESSION_BUS_ADDRESS $FLOOR cold $BASE $SOLO $PASSWORD"

# ---- 2 and 3: warm check and its floor ---------------------------------------------------
echo "== warm check vs its floor" >&2
WARM_HOME=$(new_home warm)
sim_put "$SOLO" '{"ai_training":"on"}'
in_home "$WARM_HOME" env -u DBUS_SESSION_BUS_ADDRESS "$TOOL" "${SOLO_ARGS[@]}" optout --json >"$WORK/warm-setup.json"
SESSION_FILE="$WARM_HOME/state/linkedin-optout/sessions/$SOLO.json"
[ -f "$SESSION_FILE" ] || { echo "error: the set-up run saved no session at $SESSION_FILE" >&2; exit 1; }
SIGN_INS_BEFORE=$(sim_get "$SOLO" | jq .sign_ins)
hyperfine_json warm --runs "$RUNS" --warmup 1 \
  -n "warm check (status)" "env $(tool_env "$WARM_HOME") $TOOL ${SOLO_ARGS[*]} status --json" \
  -n "warm floor" "env -u DBUS_SESSION_BUS_ADDRESS $FLOOR warm $BASE $SESSION_FILE"
SIGN_INS_AFTER=$(sim_get "$SOLO" | jq .sign_ins)
if [ "$SIGN_INS_AFTER" != "$SIGN_INS_BEFORE" ]; then
  echo "error: the warm checks signed in ($SIGN_INS_BEFORE -> $SIGN_INS_AFTER sign-ins)" >&2
  exit 1
fi

# ---- 5: the tool's own footprint -----------------------------------------------------------
echo "== footprint" >&2
hyperfine_json help -N --runs 50 --warmup 5 -n "linkedin-optout --help" "$TOOL --help"
FOOT_HOME=$(new_home foot)
sim_put "$SOLO" '{"ai_training":"on"}'
# /usr/bin/time reports the largest of the tool and the children it waited for (chromedriver,
# and the browser chromedriver waited for); the sampler reads the tool's own VmHWM.
in_home "$FOOT_HOME" env -u DBUS_SESSION_BUS_ADDRESS /usr/bin/time -v -o "$WORK/foot-time.txt" \
  python3 bench/sample.py "$WORK/foot-sample.json" 0.1 -- \
  "$TOOL" "${SOLO_ARGS[@]}" optout --walk --json >/dev/null 2>"$WORK/foot.err"
TIME_MAX_RSS_KB=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$WORK/foot-time.txt")

# ---- 4: many accounts ----------------------------------------------------------------------
echo "== accounts x parallel" >&2
MULTI_HOME=$(new_home multi)
for i in $(seq 1 "$MAX_ACCOUNTS"); do
  printf '%s\n' "$PASSWORD" | in_home "$MULTI_HOME" "$TOOL" --account "$(email "$i")" \
    credentials set --password-stdin >/dev/null
done
echo '[]' >"$WORK/accounts.json"
for n in $ACCOUNT_COUNTS; do
  mkdir -p "$MULTI_HOME/config/linkedin-optout"
  {
    echo "base_url = \"$BASE\""
    for i in $(seq 1 "$n"); do printf '\n[[account]]\nemail = "%s"\n' "$(email "$i")"; done
  } >"$MULTI_HOME/config/linkedin-optout/config.toml"
  for p in $PARALLEL_LEVELS; do
    # Cold for every account: the setting on, no saved session (password sign-in each).
    for i in $(seq 1 "$n"); do
      sim_put "$(email "$i")" '{"ai_training":"on"}'
      in_home "$MULTI_HOME" "$TOOL" --account "$(email "$i")" credentials delete >/dev/null 2>&1 || true
      printf '%s\n' "$PASSWORD" | in_home "$MULTI_HOME" "$TOOL" --account "$(email "$i")" \
        credentials set --password-stdin >/dev/null
    done
    rm -rf "$MULTI_HOME/state"
    status=0
    in_home "$MULTI_HOME" python3 bench/sample.py "$WORK/multi-$n-$p.json" 0.25 -- \
      "$TOOL" --parallel "$p" optout --json >"$WORK/multi-$n-$p.out" 2>"$WORK/multi-$n-$p.err" || status=$?
    ok=$(jq -s '[.[] | select(.outcome == "opted_out")] | length' "$WORK/multi-$n-$p.out")
    echo "  $n accounts, --parallel $p: exit $status, $ok opted out, $(jq .wall_s "$WORK/multi-$n-$p.json")s" >&2
    jq --argjson n "$n" --argjson p "$p" --argjson ok "$ok" \
      '. + [($s[0] + {accounts: $n, parallel: $p, opted_out: $ok,
              per_account_s: ($s[0].wall_s / $n * 1000 | round / 1000)})]' \
      --slurpfile s "$WORK/multi-$n-$p.json" "$WORK/accounts.json" >"$WORK/accounts.next"
    mv "$WORK/accounts.next" "$WORK/accounts.json"
  done
done

# ---- results -------------------------------------------------------------------------------
STRAYS=$(stray_pids | wc -l)
jq -n \
  --arg date "$(date -u +%FT%TZ)" \
  --arg commit "$(commit_id)" \
  --arg cpu "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" \
  --argjson nproc "$(nproc)" \
  --argjson mem_kb "$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)" \
  --arg kernel "$(uname -r)" \
  --arg chromium "$(chromium --version 2>/dev/null || echo unknown)" \
  --arg chromedriver "$(chromedriver --version 2>/dev/null | cut -d' ' -f1-2)" \
  --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --arg load0 "$LOAD_AT_START" \
  --argjson runs "$RUNS" \
  --argjson cold "$(summary cold)" \
  --argjson warm "$(summary warm)" \
  --argjson help "$(summary help)" \
  --argjson foot "$(cat "$WORK/foot-sample.json")" \
  --argjson time_rss "${TIME_MAX_RSS_KB:-null}" \
  --argjson size "$(stat -c %s "$TOOL")" \
  --argjson accounts "$(cat "$WORK/accounts.json")" \
  --argjson sign_ins_before "$SIGN_INS_BEFORE" --argjson sign_ins_after "$SIGN_INS_AFTER" \
  --argjson strays "$STRAYS" \
  --slurpfile catalogue "$WORK/catalogue.json" \
  '{
    machine: {date: $date, commit: $commit, cpu: $cpu, nproc: $nproc, mem_total_kb: $mem_kb,
              kernel: $kernel, chromium: $chromium, chromedriver: $chromedriver,
              load_average_at_start: $load0, load_average_at_end: $load},
    runs_per_timing: $runs,
    cold: $cold, warm: $warm,
    ratios: {
      cold_walk_over_floor: ($cold[0].median / $cold[2].median * 100 | round / 100),
      cold_by_url_over_floor: ($cold[1].median / $cold[2].median * 100 | round / 100),
      warm_over_floor: ($warm[0].median / $warm[1].median * 100 | round / 100)
    },
    warm_sign_ins: {before: $sign_ins_before, after: $sign_ins_after},
    footprint: {binary_bytes: $size, help: $help[0],
                tool_peak_rss_kb: $foot.tool_peak_rss_kb,
                usr_bin_time_max_rss_kb: $time_rss,
                browser_peak_pss_kb: $foot.browser_peak_pss_kb, run: $foot},
    accounts: $accounts,
    catalogue: $catalogue[0],
    stray_processes_at_end: $strays
  }' >bench/results.json
bash bench/render.sh bench/results.json >bench/RESULTS.md
echo "wrote bench/results.json and bench/RESULTS.md" >&2
