# Shared by the scripts: install Debian packages only when they are missing.

# ensure_packages PKG...: apt-get installs whichever of PKG is not installed yet.
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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

# What building needs: the Secret Service client links libdbus.
BUILD_PACKAGES=(pkg-config libdbus-1-dev ca-certificates)
# What running needs: Debian's Chromium and its matching driver.
BROWSER_PACKAGES=(chromium chromium-driver)

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
