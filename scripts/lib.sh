# Shared by the scripts: install Debian packages only when they are missing.

# ensure_packages PKG...: apt-get installs whichever of PKG is not installed yet.
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    [[ " ${missing[*]} " != *" $pkg "* ]] || continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# debian_mirror: the Debian mirror apt uses here (for debootstrap).
debian_mirror() {
  local mirror
  mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
  echo "${mirror:-http://deb.debian.org/debian}"
}

# ensure_cargo: the Rust toolchain must already be there (rustup.rs installs it).
ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null 2>&1 || {
    echo "error: cargo not found: install Rust from https://rustup.rs, then run this again" >&2
    exit 1
  }
}

# The tools the suite installs with `cargo install`, each pinned to a release and built from
# its crates.io source with its own Cargo.lock (`--locked`). Firefox's driver is not packaged
# by Debian; the others are cargo subcommands.
CARGO_TOOLS=(cargo-audit@0.22.2 cargo-deny@0.20.2 geckodriver@0.37.1 cargo-deb@3.8.0)

# ensure_cargo_tools [NAME...]: `cargo install`s whichever of the named tools (all of
# CARGO_TOOLS when none is named) is not on PATH yet, at its pinned version. They share one
# target directory, so a dependency that two of them lock to the same version and features
# compiles once, and they build at opt-level 1 without LTO: a fraction of the default release
# profile's compile time, for tools that each run for a second or two. (Neither setting
# changes what a tool checks.)
ensure_cargo_tools() {
  local missing=() spec target started
  for spec in "${CARGO_TOOLS[@]}"; do
    [ $# -eq 0 ] || [[ " $* " == *" ${spec%@*} "* ]] || continue
    command -v "${spec%@*}" >/dev/null 2>&1 || missing+=("$spec")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  target=$(mktemp -d)
  for spec in "${missing[@]}"; do
    started=$SECONDS
    CARGO_TARGET_DIR="$target" CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false \
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
      cargo install --locked --quiet "$spec" || { rm -rf "$target"; return 1; }
    echo "installed $spec with cargo install in $((SECONDS - started)) s" >&2
  done
  rm -rf "$target"
}

# What building needs: the Secret Service client links libdbus.
BUILD_PACKAGES=(pkg-config libdbus-1-dev ca-certificates)
# What running needs: Debian's Chromium and its matching driver.
BROWSER_PACKAGES=(chromium chromium-driver)
# What scripts/deb-e2e.sh needs: dpkg-dev for cargo-deb, man-db and bash-completion to find
# what the package installed.
DEB_PACKAGES=(dpkg-dev man-db bash-completion)
# What scripts/container-e2e.sh needs. netavark sets up the compose networks with `iptables`,
# which its package does not depend on ("netavark: No such file or directory" without it).
# aardvark-dns: containers of one compose project find each other by name, on an internal
# network too. python3-venv: Debian's python3 makes no venv (for podman-compose) without it.
CONTAINER_PACKAGES=(podman runc netavark aardvark-dns iptables debootstrap uidmap ca-certificates curl python3 python3-venv)
# What scripts/container-e2e.sh keeps for its next run, podman-compose among it.
CONTAINER_E2E_CACHE=${CONTAINER_E2E_CACHE:-/var/cache/linkedin-optout-container-e2e}
PODMAN_COMPOSE=$CONTAINER_E2E_CACHE/venv/bin/podman-compose

# ensure_podman_compose: podman-compose, pinned, in a venv of the container test's cache.
ensure_podman_compose() {
  [ -x "$PODMAN_COMPOSE" ] && return 0
  echo "installing podman-compose" >&2
  python3 -m venv "$CONTAINER_E2E_CACHE/venv"
  "$CONTAINER_E2E_CACHE/venv/bin/pip" install --quiet podman-compose==1.6.0
}

# use_home_in DIR: a home of its own under DIR for the tool and everything it starts: HOME
# and the XDG directories point there, and no LINKEDIN_OPTOUT_* setting of the caller's
# leaks in.
use_home_in() {
  export HOME="$1/home"
  export XDG_CONFIG_HOME="$HOME/.config" XDG_STATE_HOME="$HOME/.local/state"
  export XDG_DATA_HOME="$HOME/.local/share" XDG_CACHE_HOME="$HOME/.cache"
  unset LINKEDIN_OPTOUT_BASE_URL LINKEDIN_OPTOUT_WEBDRIVER LINKEDIN_OPTOUT_CONFIG
  mkdir -p "$HOME"
}
