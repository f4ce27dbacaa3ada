#!/usr/bin/env bash
# The Debian package for real: build it, install it with apt-get as a member would, run the
# installed binary (doctor, then the demo), find its man page and its bash completion, and
# purge it. Run as root (scripts/test.sh runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages "${DEB_PACKAGES[@]}"

if dpkg-query -W -f='${Status}' linkedin-optout 2>/dev/null | grep -q "install ok installed"; then
  echo "error: linkedin-optout is already installed from a package; purge it first (apt-get purge linkedin-optout)" >&2
  exit 1
fi
bash scripts/build-deb.sh --quiet
target=${CARGO_TARGET_DIR:-target}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
deb=$(ls "$target"/debian/linkedin-optout_"$version"-1_*.deb)

purge() { DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq linkedin-optout >/dev/null 2>&1 || true; }
trap purge EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$deb")" >/dev/null

fail() { echo "deb-e2e: FAIL: $*" >&2; exit 1; }
for file in /usr/bin/linkedin-optout \
  /usr/share/man/man1/linkedin-optout.1.gz \
  /usr/share/bash-completion/completions/linkedin-optout \
  /usr/share/zsh/vendor-completions/_linkedin-optout \
  /usr/share/fish/vendor_completions.d/linkedin-optout.fish \
  /usr/lib/systemd/user/linkedin-optout.service \
  /usr/lib/systemd/user/linkedin-optout.timer \
  /usr/share/doc/linkedin-optout/README.md \
  /usr/share/doc/linkedin-optout/copyright; do
  [ -f "$file" ] || fail "the package did not install $file"
done
depends=$(dpkg-query -W -f='${Depends}' linkedin-optout)
for dep in chromium chromium-driver libdbus-1-3; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done

# The installed binary, in a home of its own: doctor finds browser and driver, the demo opts
# out the simulator's demo account.
home=$(mktemp -d)
trap 'purge; rm -rf "$home"' EXIT
run() { env -i HOME="$home" PATH=/usr/bin:/bin "$@"; }
doctor=$(run /usr/bin/linkedin-optout doctor 2>&1 || true)
for line in "ok    browser:" "ok    driver:" "ok    webdriver session:"; do
  grep -qF "$line" <<<"$doctor" || fail "doctor from the package lacks '$line':"$'\n'"$doctor"
done
demo=$(run /usr/bin/linkedin-optout demo 2>&1) || fail "the installed demo failed:"$'\n'"$demo"
grep -q "after:.*the server says the setting is off (1 save accepted)" <<<"$demo" \
  || fail "the installed demo did not switch the setting off:"$'\n'"$demo"

[ "$(man -w linkedin-optout)" = /usr/share/man/man1/linkedin-optout.1.gz ] \
  || fail "man -w does not find the page"
page=$(man linkedin-optout 2>/dev/null)
grep -q "EXIT STATUS" <<<"$page" || fail "the man page has no EXIT STATUS"
# One page holds every subcommand with its own options, and points to no other page.
grep -q "linkedin-optout credentials remove" <<<"$page" || fail "the man page has no credentials remove"
grep -q -- "--forget" <<<"$page" || fail "the man page has no --forget"
grep -q "LINKEDIN_OPTOUT_INSECURE_WEBDRIVER" <<<"$page" || fail "the man page's ENVIRONMENT misses a variable"
! grep -q "linkedin-optout-[a-z]*(1)" <<<"$page" || fail "the man page points to pages that do not exist"

# What bash offers after `linkedin-optout WORDS… <TAB>`, through bash-completion's loader.
complete_words() {
  bash -c '
  source /usr/share/bash-completion/bash_completion
  _completion_loader linkedin-optout
  COMP_WORDS=(linkedin-optout "$@"); COMP_CWORD=$#; COMP_LINE="linkedin-optout $*"; COMP_POINT=${#COMP_LINE}
  complete -p linkedin-optout >/dev/null
  func=$(complete -p linkedin-optout | sed -n "s/.*-F \([^ ]*\).*/\1/p")
  "$func" linkedin-optout "${@: -1}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}
completed=$(complete_words hist)
[ "$completed" = history ] || fail "bash completed 'hist' to '$completed', not 'history'"
completed=$(complete_words credentials rem)
[ "$completed" = remove ] || fail "bash completed 'credentials rem' to '$completed', not 'remove'"
completed=$(complete_words status --setting member-c)
[ "$completed" = member-cookies ] || fail "bash completed '--setting member-c' to '$completed'"

purge
trap 'rm -rf "$home"' EXIT
[ ! -e /usr/bin/linkedin-optout ] || fail "purge left /usr/bin/linkedin-optout"
echo "deb-e2e: ok: $(basename "$deb") installs, runs doctor and the demo, has its man page and completions, and purges"
