#!/usr/bin/env bash
# Runs the README's test command as a newcomer's fresh machine would, so that the next thing
# the suite silently takes from a used machine is found here first. scripts/test.sh does not
# call it.
#
#   scripts/fresh-check.sh [--warm] [--no-shared] [REV]     (as root; REV defaults to HEAD)
#   scripts/fresh-check.sh --command 'CMD' [REV]             (CMD instead of test.sh, in /work/main)
#
# The fresh machine is a chroot, in namespaces of its own:
# * a Debian bookworm root made by debootstrap (minbase) from the mirror apt uses, with only
#   what a machine of this project's kind brings beside Rust: gcc, libc6-dev and git. None of
#   the packages the README's commands install is there. The machine's own network settings
#   come along (apt's sources and options, the egress CA, pip's configuration);
# * the host's Rust toolchain (rustc's sysroot) mounted read-only at /opt/rust, an empty
#   CARGO_HOME (/root/.cargo), and a PATH of only /opt/rust/bin, $CARGO_HOME/bin and the
#   system's directories;
# * a clean `git clone` of REV at /work/main, with the advisory database's snapshot at
#   /work/shared/advisory-db as CI has it beside its clone (not with --no-shared: then
#   test.sh must fetch RustSec's database itself, which needs GitHub);
# * its own mount, PID, UTS, IPC and network namespaces: cron, Podman's containers and
#   networks, apt's database and the crontab are the chroot's, not the host's. The network
#   namespace reaches the outside through slirp4netns (user-mode networking), with no way to
#   the host's loopback. Everything in it ends with its first process.
#
# It runs `scripts/test.sh` there once (with --warm, twice: the second is a warm run on the
# same machine) and prints each step's start (test.sh's own lines) and the total. The base's
# tarball is kept in $FRESH_CHECK_CACHE (default /var/cache/linkedin-optout-fresh-check); all
# else is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

warm=
shared=1
rev=HEAD
command=
while [ $# -gt 0 ]; do
  case $1 in
    --warm) warm=1 ;;
    --no-shared) shared= ;;
    --command) command=${2:?--command needs a command}; shift ;;
    -*) echo "usage: scripts/fresh-check.sh [--warm] [--no-shared] [--command CMD] [REV]" >&2; exit 2 ;;
    *) rev=$1 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "error: fresh-check makes a chroot and namespaces: run it as root" >&2; exit 1; }
ensure_packages debootstrap slirp4netns iproute2 util-linux git
ensure_cargo

fail() { echo "fresh-check: FAIL: $*" >&2; exit 1; }
say() { echo "fresh-check: $* ($(date +%T), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2; }

sha=$(git rev-parse --verify "$rev^{commit}")
sysroot=$(rustc --print sysroot)
advisory_db=${ADVISORY_DB:-$(realpath -m "$(git rev-parse --path-format=absolute --git-common-dir)/../../shared/advisory-db")}
[ -z "$shared" ] || [ -d "$advisory_db/crates" ] || fail "no advisory database at $advisory_db (set ADVISORY_DB, or pass --no-shared)"
cache=${FRESH_CHECK_CACHE:-/var/cache/linkedin-optout-fresh-check}
mkdir -p "$cache"
# On disk, not in a tmpfs: the suite's builds and images take several GiB.
work=$(mktemp -d /var/tmp/linkedin-optout-fresh.XXXXXX)
root="$work/root"
slirp_pid=
cleanup() {
  local status=$?
  [ -z "$slirp_pid" ] || kill "$slirp_pid" 2>/dev/null || true
  # The chroot's mounts live in its own mount namespace, gone with it; never delete through one.
  if grep -qF " $work/" /proc/self/mountinfo; then
    echo "fresh-check: $work still has mounts: left in place" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

base="$cache/bookworm-minbase.tar"
if [ ! -s "$base" ]; then
  mirror=$(debian_mirror)
  say "making the fresh machine's base with debootstrap from $mirror"
  debootstrap --variant=minbase --include=gcc,libc6-dev,git bookworm "$work/base" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
  tar -C "$work/base" -cf "$base.part" . && mv "$base.part" "$base"
  rm -rf "$work/base"
fi
say "unpacking the base"
mkdir "$root"
tar -C "$root" -xf "$base"

# The machine's network settings, which every machine of its kind has.
rm -f "$root/etc/apt/sources.list"
cp -a /etc/apt/sources.list /etc/apt/sources.list.d "$root/etc/apt/" 2>/dev/null || true
grep -l '^Acquire' /etc/apt/apt.conf.d/* 2>/dev/null | xargs -r cp -t "$root/etc/apt/apt.conf.d/"
mkdir -p "$root/usr/local/share/ca-certificates"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
[ ! -f /etc/pip.conf ] || cp /etc/pip.conf "$root/etc/pip.conf"
cp /etc/hosts "$root/etc/hosts"
echo "nameserver 10.0.2.3" > "$root/etc/resolv.conf"   # slirp4netns's DNS

say "cloning $sha"
mkdir -p "$root/work" "$root/opt/rust" "$root/root/.cargo"
git clone --quiet --no-checkout --no-local "$(git rev-parse --path-format=absolute --git-common-dir)" "$root/work/main"
git -C "$root/work/main" checkout --quiet --detach "$sha"
if [ -n "$shared" ]; then
  mkdir -p "$root/work/shared"
  cp -a "$advisory_db" "$root/work/shared/advisory-db"
fi

if [ -z "$command" ]; then
  runs=1
  [ -z "$warm" ] || runs=2
  command=$(cat <<RUNS
for run in \$(seq $runs); do
  started=\$SECONDS
  echo "fresh-check: run \$run of scripts/test.sh starts (\$(date +%T))"
  bash scripts/test.sh 2>&1 || { echo "fresh-check: run \$run FAILED after \$((SECONDS - started)) s"; exit 1; }
  echo "fresh-check: run \$run passed in \$((SECONDS - started)) s (\$(date +%T))"
done
echo "fresh-check: the machine's disk now holds \$(du -shx --exclude=/opt/rust --exclude=/proc --exclude=/sys --exclude=/dev / 2>/dev/null | cut -f1)"
RUNS
)
fi
printf '%s\n' "$command" > "$root/work/command.sh"
cat > "$work/inner.sh" <<EOF
set -euo pipefail
# Only once slirp4netns has set up this namespace's network.
while [ ! -e "$work/network-up" ]; do sleep 0.1; done
ip link set lo up
# The root a mount point of its own, as a machine's is: Podman's storage remounts "/" when it
# unpacks a layer, which fails on a plain directory.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount --bind "$sysroot" "$root/opt/rust"
mount -o remount,bind,ro "$root/opt/rust"
hostname fresh
exec chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 CI=true \\
  CARGO_HOME=/root/.cargo PATH=/opt/rust/bin:/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
  bash -c 'cd /work/main && exec bash -e /work/command.sh'
EOF

say "starting the fresh machine"
unshare --mount --uts --ipc --net --pid --fork --kill-child bash "$work/inner.sh" &
machine=$!
slirp4netns --configure --mtu=65520 --disable-host-loopback "$machine" tap0 >"$work/slirp.log" 2>&1 &
slirp_pid=$!
deadline=$((SECONDS + 30))
until nsenter --net="/proc/$machine/ns/net" ip -o -4 addr show dev tap0 2>/dev/null | grep -q 10.0.2.100; do
  kill -0 "$slirp_pid" 2>/dev/null || { cat "$work/slirp.log" >&2; fail "slirp4netns exited"; }
  [ $SECONDS -lt $deadline ] || fail "the fresh machine's network did not come up"
  sleep 0.1
done
touch "$work/network-up"
status=0
wait "$machine" || status=$?
say "the fresh machine ended with status $status"
exit "$status"
