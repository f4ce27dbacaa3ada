# syntax=docker/dockerfile:1
#
# linkedin-optout in a container that keeps the setting off on its own: cron runs the
# tool against a WebDriver server in another container (see docker-compose.yml). Two images:
# the tool's (the last stage, the default target) and the browser's (`--target browser`).

# The image that builds the binary: Rust on Debian bookworm, so that the binary links the
# same glibc and libdbus as the runtime below. Tests that cannot pull images pass a local one.
# Both images are pinned to a version (the crate's rust-version, Debian 12.11); README,
# "docker-compose", says how to move the pins or pin digests.
ARG BUILDER_IMAGE=rust:1.89.0-slim-bookworm

# --- build: the release binary from the locked dependency set -------------------------------
FROM ${BUILDER_IMAGE} AS build
# The keyring's Secret Service client links libdbus.
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libdbus-1-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked \
 && install -m 0755 target/release/linkedin-optout /linkedin-optout

# --- browser: Debian's Chromium and chromedriver, as an unprivileged user -------------------
# docker-compose.yml runs it in the tool's network namespace (`network_mode: service:optout`):
# chromedriver listens on loopback only (its default), where only the processes of that
# namespace reach it; no address on any bridge has a WebDriver, VNC or DevTools port. The
# credentials secret is never mounted here, and `browser` is not the uid that owns it.
FROM debian:12.11-slim AS browser
# A container without capabilities cannot give Chromium the user namespaces its own sandbox
# needs (as in Selenium's images): the container and the uid are the renderer's boundary.
# Debian's chromium script reads its flags from /etc/chromium.d.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium chromium-driver tini \
 && rm -rf /var/lib/apt/lists/* \
 && echo 'export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox"' > /etc/chromium.d/container \
 && groupadd --gid 1100 browser \
 && useradd --create-home --uid 1100 --gid 1100 --shell /usr/sbin/nologin browser
USER browser
ENTRYPOINT ["tini", "--"]
CMD ["chromedriver", "--port=9515"]

# --- runtime: cron starts each run as an unprivileged user ----------------------------------
FROM debian:12.11-slim AS tool
# passt (pasta): a local-driver run inside this image can put chromedriver and Chromium in a
# private user and network namespace of their own.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates cron tini libdbus-1-3 passt \
 && rm -rf /var/lib/apt/lists/* \
 # Containers have no login sessions to record: without this, cron refuses to start jobs.
 && sed -i 's/^session\s\+required\s\+pam_loginuid.so/# &/' /etc/pam.d/cron
# uid 1000 is usually the host user who owns ./secrets/credentials.toml (mode 600): Compose
# bind-mounts the secret with the host's owner and mode. Under no-new-privileges `crontab` is
# not setgid, so optout's group is the spool's (docker-compose.yml's volume for the spool
# takes this owner and mode): optout can install its own crontab, and nobody else can.
RUN groupadd --gid 1000 optout \
 && useradd --create-home --uid 1000 --gid 1000 --shell /usr/sbin/nologin optout \
 && install -d -o optout -g optout /home/optout/.local/state/linkedin-optout \
 && chgrp optout /var/spool/cron/crontabs
COPY --from=build /linkedin-optout /usr/local/bin/linkedin-optout

# With `linkedin-optout ...` as the command, run that once as `optout` (for example
# `docker-compose run --rm optout linkedin-optout status`). Otherwise the arguments are
# `schedule install` options: install the line in optout's crontab and run cron in the
# foreground. cron must stay root to start jobs as another user (with only the capabilities
# docker-compose.yml gives it back); the tool never runs as root.
COPY --chmod=0755 scripts/docker-entrypoint /usr/local/bin/docker-entrypoint

VOLUME /home/optout/.local/state/linkedin-optout
ENTRYPOINT ["tini", "--", "docker-entrypoint"]
CMD ["--every", "daily"]
