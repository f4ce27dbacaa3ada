#!/usr/bin/env bash
# The container path for real: podman (Docker-compatible) builds the tool's image from the
# real Dockerfile, podman-compose starts the real docker-compose.yml, and the simulator's
# server-side state proves that the container's cron run switched the setting off.
#
# No image can be pulled here, so the script makes what it needs locally:
# * a Debian bookworm base, by debootstrap from the mirror apt already uses;
# * a builder image for the Dockerfile's `BUILDER_IMAGE` argument, which runs the host's Rust
#   toolchain (mounted read-only) instead of downloading one.
# The browser's image is built from the Dockerfile's `browser` stage, the tool's from its last
# stage. The compose override (written below) only swaps image names, runs the simulator as
# one more service, and points the tool at it. Work a second run can reuse (the base's tarball,
# the release build's target directory, podman-compose) stays in $CONTAINER_E2E_CACHE
# (default /var/cache/linkedin-optout-container-e2e); images and containers are removed.
# Run as root (scripts/test.sh runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_packages "${CONTAINER_PACKAGES[@]}"
ensure_cargo

cache=$CONTAINER_E2E_CACHE
mkdir -p "$cache/target"
work=$(mktemp -d)
project="linkedin-optout-e2e-$$"
tag="e2e-$$"
tool_image="localhost/linkedin-optout:$tag"
# The images saved in the cache have fixed names: they are loaded again by name.
browser_image=localhost/linkedin-optout-e2e-browser:latest
builder_image=localhost/linkedin-optout-e2e-builder:latest
# The helpers start from this name (their cached builds are keyed on it); a tag of the same
# local base stands in for the name the Dockerfile's stages use.
base_image=docker.io/library/debian:bookworm-slim
# The browser's and the tool's stages start from one pinned Debian image.
runtime_base=$(sed -n 's/^FROM \(debian:[^ ]*\).*/\1/p' Dockerfile | sort -u)
[ -n "$runtime_base" ] && [ "$(wc -l <<<"$runtime_base")" -eq 1 ] \
  || { echo "container-e2e: FAIL: the Dockerfile's stages must start from one debian image, not: $runtime_base" >&2; exit 1; }
runtime_base=docker.io/library/$runtime_base
tagged_runtime_base=
probe_user_added=
email=container@example.com
imported_base=

fail() { echo "container-e2e: FAIL: $*" >&2; exit 1; }
step() { echo "container-e2e: $*" >&2; }
# Runs a noisy command with its output in a log, shown only when it fails.
logged() {
  "$@" >"$work/step.log" 2>&1 || { tail -n 40 "$work/step.log" >&2; fail "$* failed"; }
}

# Podman on these machines: runc with cgroupfs (the cgroups are v1), netavark for networks,
# and no container asks for more open files or processes than the host lets a runtime set. A file of the test's
# own: the machine's configuration stays as it is.
cat > "$work/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_backend = "netavark"
CONF
export CONTAINERS_CONF="$work/containers.conf"
# Builds reach the Debian mirror through the host's network: a build needs nothing else.
build=(podman build --network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

ensure_podman_compose
compose() {
  "$PODMAN_COMPOSE" --project-name "$project" \
    -f docker-compose.yml -f "$work/compose.e2e.yml" "$@"
}

teardown() {
  set +e
  # With their anonymous volumes (the image declares one), which `down` leaves behind.
  podman ps --all --quiet --filter "label=com.docker.compose.project=$project" \
    | xargs -r podman rm --force --volumes >/dev/null 2>&1
  [ -f "$work/compose.e2e.yml" ] && compose down --volumes >/dev/null 2>&1
  podman network ls --format '{{.Name}}' | grep "^${project}_" | xargs -r podman network rm --force >/dev/null 2>&1
  podman rmi --force "$tool_image" "$browser_image" "$builder_image" >/dev/null 2>&1
  [ -z "$tagged_runtime_base" ] || podman untag "$runtime_base" "$runtime_base" >/dev/null 2>&1
  [ -z "$imported_base" ] || podman rmi --force "$base_image" >/dev/null 2>&1
  podman image prune --force >/dev/null 2>&1
  [ -z "$probe_user_added" ] || userdel linkedin-optout-e2e-probe >/dev/null 2>&1
  rm -rf "$work"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# The base every image here starts from, in place of Docker Hub's debian:bookworm-slim.
if ! podman image exists "$base_image"; then
  imported_base=1
  if [ ! -s "$cache/bookworm.tar" ]; then
    mirror=$(debian_mirror)
    step "making a Debian bookworm base with debootstrap from $mirror"
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
    tar -C "$work/rootfs" -cf "$cache/bookworm.tar.part" . && mv "$cache/bookworm.tar.part" "$cache/bookworm.tar"
    rm -rf "$work/rootfs"
  fi
  podman import --quiet --change 'CMD ["/bin/bash"]' "$cache/bookworm.tar" "$base_image" >/dev/null
fi
if ! podman image exists "$runtime_base"; then
  tagged_runtime_base=1
  podman tag "$base_image" "$runtime_base"
fi

# Builds the image `$1` from the Containerfile `$2` in the context `$3` (more build options
# may follow), or loads it from the cache, where each one is saved under the hash of its
# Containerfile (a changed file builds anew). Only for images whose build reads nothing of
# the context but the Containerfile.
build_cached() {
  local image=$1 file=$2 context=$3 saved
  shift 3
  saved="$cache/$(basename "$file")-$(sha256sum "$file" | cut -c1-16)$(printf '%s' "$*" | tr -c 'a-z0-9' -).tar"
  if [ -s "$saved" ]; then
    logged podman load --input "$saved"
  else
    logged "${build[@]}" "$@" -t "$image" -f "$file" "$context"
    podman save --quiet --output "$saved.part" "$image" && mv "$saved.part" "$saved"
  fi
}

# The browser's stage installs Debian's Chromium and reads nothing else of the context.
step "building the browser's image from the Dockerfile (target browser)"
build_cached "$browser_image" Dockerfile "$work" --target browser

step "building a builder image with the host's Rust toolchain"
cat > "$work/Containerfile.builder" <<EOF
FROM $base_image
RUN apt-get update \\
 && apt-get install -y --no-install-recommends gcc libc6-dev ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
# The toolchain and the crates come from the host, mounted while the image builds.
ENV PATH=/usr/local/rust/bin:\$PATH CARGO_HOME=/usr/local/cargo CARGO_NET_OFFLINE=true
EOF
build_cached "$builder_image" "$work/Containerfile.builder" "$work"
cargo fetch --locked --quiet

step "building the tool's image from the Dockerfile"
logged "${build[@]}" --layers=false -t "$tool_image" \
  --build-arg "BUILDER_IMAGE=$builder_image" \
  --volume "$(rustc --print sysroot):/usr/local/rust:ro" \
  --volume "${CARGO_HOME:-$HOME/.cargo}/registry:/usr/local/cargo/registry" \
  --volume "$cache/target:/src/target" \
  -f Dockerfile .

# What a member fills in: the credentials secret, mode 600 and owned by the user the
# container runs the tool as.
printf 'email = "%s"\npassword = "%s"\n' "$email" "container-e2e-password" > "$work/credentials.toml"
chmod 600 "$work/credentials.toml"
chown 1000:1000 "$work/credentials.toml"
sim_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/compose.e2e.yml" <<EOF
# Only what a test must change: local images, the simulator as LinkedIn, a run every minute.
services:
  browser:
    image: $browser_image
  optout:
    image: $tool_image
    environment:
      LINKEDIN_OPTOUT_BASE_URL: http://sim:8080/
    command: ["--every", "1m", "--account", "$email", "--credentials-file", "/run/secrets/linkedin_credentials", "--allow-base-url"]
  sim:
    image: $tool_image
    command: ["linkedin-optout", "simulator", "--listen", "0.0.0.0:8080", "--listen-any"]
    ports: ["127.0.0.1:$sim_port:8080"]
    networks: [outside]
secrets:
  linkedin_credentials:
    file: $work/credentials.toml
EOF
sim="http://127.0.0.1:$sim_port/__sim"
export LINKEDIN_OPTOUT_ACCOUNT=$email

step "starting the simulator, then the compose stack"
logged compose up -d sim
deadline=$((SECONDS + 60))
until curl -fsS "$sim/health" >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || fail "the simulator did not answer on 127.0.0.1:$sim_port"
  sleep 0.5
done
curl -fsS -X PUT -H 'content-type: application/json' \
  -d '{"password": "container-e2e-password", "ai_training": "on"}' "$sim/accounts/$email" >/dev/null
logged compose up -d optout browser

# cron runs the line every minute: the first run starts within a minute of the install.
step "waiting for the container's cron run to switch the setting off"
deadline=$((SECONDS + 240))
state=
until [ "$state" = off ]; do
  state=$(curl -fsS "$sim/accounts/$email" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ai_training"])')
  if [ $SECONDS -ge $deadline ]; then
    container=$(podman ps --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=optout" --format '{{.Names}}' | head -n 1)
    [ -z "$container" ] || podman exec "$container" tail -n 20 /home/optout/.local/state/linkedin-optout/cron.log >&2 || true
    fail "the setting is still $state on the server after 4 minutes"
  fi
  [ "$state" = off ] || sleep 2
done
writes=$(curl -fsS "$sim/accounts/$email" | python3 -c 'import json,sys; print(json.load(sys.stdin)["setting_writes"])')
[ "$writes" -ge 1 ] || fail "the server accepted no save"

# The run the server saw is in the history, read as a member would.
history=$(compose run --rm optout linkedin-optout history 2>/dev/null)
grep -q "$email.*opted out" <<<"$history" || fail "history does not show the run:"$'\n'"$history"

# The tool ran as the unprivileged user, and only that user can read the secret.
container=$(podman ps --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=optout" --format '{{.Names}}' | head -n 1)
[ -n "$container" ] || fail "no running optout container"
owner=$(podman exec "$container" stat -c %U /home/optout/.local/state/linkedin-optout/history.jsonl)
[ "$owner" = optout ] || fail "the history was written by $owner, not by the unprivileged user optout"
crontab_owner=$(podman exec "$container" sh -c 'ls /var/spool/cron/crontabs')
[ "$crontab_owner" = optout ] || fail "the crontab belongs to '$crontab_owner', not only to optout"
mode=$(podman exec "$container" stat -c %a /run/secrets/linkedin_credentials)
[ "$mode" = 600 ] || fail "the credentials secret has mode $mode, not 600"
if podman exec --user nobody "$container" cat /run/secrets/linkedin_credentials >/dev/null 2>&1; then
  fail "another user in the container can read the credentials secret"
fi

# The hardening docker-compose.yml asks for, as the engine applied it and as the containers'
# first processes see it: no new privileges, the capability bounding set (none for the
# browser; for the tool's cron only DAC_READ_SEARCH, SETGID and SETUID: bits 2, 6, 7), and a
# read-only root for the tool.
step "checking the containers' privileges"
# hardened SERVICE CAPBND READONLY: the service's container is confined as the file says.
hardened() {
  local service=$1 capbnd=$2 readonly=$3 name inspected status
  name=$(podman ps --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$service" --format '{{.Names}}' | head -n 1)
  [ -n "$name" ] || fail "no running $service container"
  inspected=$(podman inspect --format '{{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} {{.HostConfig.ReadonlyRootfs}}' "$name")
  grep -q 'no-new-privileges' <<<"$inspected" || fail "$service: no no-new-privileges in $inspected"
  [ "${inspected##* }" = "$readonly" ] || fail "$service: ReadonlyRootfs is ${inspected##* }, not $readonly"
  status=$(podman exec "$name" cat /proc/1/status)
  grep -q "^NoNewPrivs:[[:space:]]*1$" <<<"$status" || fail "$service: its first process may gain privileges: $(grep NoNewPrivs <<<"$status")"
  grep -q "^CapBnd:[[:space:]]*$capbnd$" <<<"$status" || fail "$service: capability bounding set $(grep CapBnd <<<"$status"), not $capbnd"
  grep -q "^CapEff:[[:space:]]*$capbnd$" <<<"$status" \
    || grep -q "^CapEff:[[:space:]]*0000000000000000$" <<<"$status" \
    || fail "$service: effective capabilities $(grep CapEff <<<"$status") beyond $capbnd"
}
hardened optout 00000000000000c4 true
hardened browser 0000000000000000 true
if podman exec "$container" sh -c 'touch /usr/local/bin/linkedin-optout' >/dev/null 2>&1; then
  fail "the tool's root filesystem is writable"
fi

# The browser never runs under the uid that can read the secret, and never sees the secret: a
# compromised renderer gets no password. The tool's image has no browser, so the run above
# went through the browser's container.
step "checking who runs the browser and what it can read"
browser=$(podman ps --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=browser" --format '{{.Names}}' | head -n 1)
[ -n "$browser" ] || fail "no running browser container"
secret_uid=$(podman exec "$container" stat -c %u /run/secrets/linkedin_credentials)
browser_uids=$(podman top "$browser" hpid | tail -n +2 | while read -r pid; do stat -c %u "/proc/$pid"; done | sort -u)
[ -n "$browser_uids" ] || fail "no process in the browser container"
tool_uid=$(podman exec "$container" id -u optout)
for uid in $browser_uids; do
  [ "$uid" != 0 ] && [ "$uid" != "$secret_uid" ] && [ "$uid" != "$tool_uid" ] \
    || fail "a process of the browser container runs as uid $uid (the secret's owner is $secret_uid, the tool's $tool_uid)"
done
if podman exec "$browser" test -e /run/secrets/linkedin_credentials; then
  fail "the credentials secret is mounted into the browser's container"
fi
if podman exec "$container" sh -c 'command -v chromium || command -v chromedriver' >/dev/null 2>&1; then
  fail "the tool's image has a browser of its own: the run proves nothing about the browser's container"
fi
# What a local-driver run inside the tool's image needs to isolate its browser (issue 23).
podman exec "$container" sh -c 'command -v pasta' >/dev/null || fail "the tool's image has no pasta (package passt)"

# In the network namespace the two share, every listening socket is on loopback, and
# chromedriver's is one of them (the check is not empty).
listeners=$(python3 - "$(podman inspect --format '{{.State.Pid}}' "$container")" <<'PY'
import ipaddress, sys
pid = sys.argv[1]
for table in ("tcp", "tcp6"):
    for line in open(f"/proc/{pid}/net/{table}").readlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state != "0A":
            continue
        hex_address, hex_port = local.split(":")
        raw = bytes.fromhex(hex_address)
        # /proc/net/tcp{,6} keep each 32-bit word in host (little-endian) order.
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
        address = ipaddress.ip_address(raw)
        print(f"{'loopback' if address.is_loopback else 'EXPOSED'} {address} {int(hex_port, 16)}")
PY
)
echo "$listeners" | sed 's/^/container-e2e:   listening: /' >&2
! grep -q '^EXPOSED' <<<"$listeners" || fail "a socket listens on a non-loopback address of the tool's and browser's network namespace"
grep -qE '^loopback (127\.0\.0\.1|::1) 9515$' <<<"$listeners" || fail "chromedriver does not listen on loopback port 9515"

# Nobody else on the host reaches the WebDriver server or the browser. Rootful Podman stands in
# for a Docker host, where every local user can route to a container's address on a bridge
# network (the bridge's gateway address is the host's own, internal networks included).
step "an unprivileged host user tries every container address of the project"
probe_user=linkedin-optout-e2e-probe
id "$probe_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$probe_user"
probe_user_added=1
addresses=()
sim_address=
for name in $(podman ps --filter "label=com.docker.compose.project=$project" --format '{{.Names}}'); do
  for address in $(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{.GlobalIPv6Address}} {{end}}' "$name"); do
    # The browser's container shows the addresses of the namespace it shares: once is enough.
    [[ " ${addresses[*]} " != *" $address "* ]] || continue
    addresses+=("$address")
    [[ $name != *_sim_* ]] || sim_address=$address
  done
done
[ ${#addresses[@]} -gt 0 ] && [ -n "$sim_address" ] || fail "found no container addresses (sim at '$sim_address'): ${addresses[*]}"
# As the other user: a TCP connect, then an HTTP GET /status, to each address on each port.
# The simulator's own port is the control: the user can route to the containers.
probe=$(setpriv --reuid "$probe_user" --regid "$probe_user" --clear-groups --reset-env python3 - "$sim_address" "${addresses[@]}" <<'PY'
import socket, sys, urllib.request
control, addresses = sys.argv[1], sys.argv[2:]
def reach(address, port):
    host = f"[{address}]" if ":" in address else address
    try:
        socket.create_connection((address, port), timeout=3).close()
    except OSError as error:
        return None, f"connect: {error.strerror or error}"
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/status", timeout=5) as answer:
            return True, f"GET /status: {answer.status} {answer.read(120)!r}"
    except urllib.error.HTTPError as error:
        return True, f"GET /status: HTTP {error.code}"
    except OSError as error:
        return True, f"connected; GET /status: {error}"
ok, how = reach(control, 8080)
print(f"control {control}:8080 {'reached' if ok else 'NOT reached'} ({how})")
for address in addresses:
    for port in (4444, 7900, 9515):
        ok, how = reach(address, port)
        print(f"{'REACHED' if ok else 'closed'} {address}:{port} ({how})")
PY
)
echo "$probe" | sed 's/^/container-e2e:   /' >&2
grep -q '^control [^ ]* reached' <<<"$probe" || fail "the probe could not reach the simulator's container: it proves nothing"
! grep -q '^REACHED' <<<"$probe" || fail "an unprivileged host user reached a WebDriver or VNC port of the project's containers"

step "ok: the images built from the Dockerfile, cron in the container switched the setting off ($writes save) through the browser's container, history shows it, the tool ran as optout, the secret is private and never in the browser's container, whose processes run as another uid, both containers run with no new privileges and only the capabilities the compose file names on a read-only root, nothing listens beyond loopback, and an unprivileged host user reached no WebDriver or VNC port of any container"
