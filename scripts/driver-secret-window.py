#!/usr/bin/env python3
"""How long another local user can read chromedriver's secret path (README, "Security").

The tool starts chromedriver with `--url-base=/<secret>/` and overwrites the secret in the
driver's command line as soon as the driver listens. Until then every local user can read it
in /proc/<pid>/cmdline. This script plays that user: it runs `linkedin-optout doctor` (which
starts a driver and a browser session) RUNS times, polls /proc as fast as it can during each
run, and prints, per run, the time from the driver's start (its start time in /proc, 10 ms
resolution) to the last moment the secret was read and to the first moment it was hidden.

usage: scripts/driver-secret-window.py [RUNS]      (after `cargo build`; TOOL=path overrides)
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOOL = os.environ.get("TOOL", "target/debug/linkedin-optout")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TICKS = os.sysconf("SC_CLK_TCK")
URL_BASE = re.compile(rb"--url-base=/([0-9a-fx]{32})/")


def stat_fields(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        after_comm = f.read().rsplit(b")", 1)[1].split()
    return after_comm  # field 3 (state) is index 0


def watch_one_run():
    home = tempfile.mkdtemp(prefix="secret-window-")
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
               XDG_STATE_HOME=f"{home}/.local/state")
    tool = subprocess.Popen([TOOL, "doctor"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    driver = None  # pid, start (boot-time seconds), last secret seen, first hidden seen
    while tool.poll() is None:
        now = time.clock_gettime(time.CLOCK_BOOTTIME)
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    found = URL_BASE.search(f.read())
                if not found or int(stat_fields(name)[1]) != tool.pid:
                    continue
                if driver is None:
                    start = int(stat_fields(name)[19]) / TICKS
                    driver = {"pid": name, "start": start, "secret": None, "hidden": None}
            except (OSError, IndexError, ValueError):
                continue
            if found.group(1) == b"x" * 32:
                driver["hidden"] = driver["hidden"] or now
            else:
                driver["secret"] = now
    if driver is None or driver["hidden"] is None:
        return None
    to_ms = lambda t: None if t is None else round((t - driver["start"]) * 1000)
    return to_ms(driver["secret"]), to_ms(driver["hidden"])


def main():
    hidden_after = []
    for run in range(1, RUNS + 1):
        result = watch_one_run()
        if result is None:
            print(f"run {run}: no driver with a hidden secret path was seen")
            continue
        last_read, hidden = result
        hidden_after.append(hidden)
        read = "never read" if last_read is None else f"last read {last_read} ms"
        print(f"run {run}: secret {read} after the driver started, hidden after {hidden} ms")
    if hidden_after:
        print(f"hidden after: median {statistics.median(hidden_after)} ms, "
              f"max {max(hidden_after)} ms over {len(hidden_after)} runs")


if __name__ == "__main__":
    main()
