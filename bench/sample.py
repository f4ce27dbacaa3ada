#!/usr/bin/env python3
"""Runs one command and samples its memory until it exits (for scripts/bench.sh).

usage: sample.py OUT.json INTERVAL_SECONDS -- COMMAND [ARG]...

Every INTERVAL it reads, from /proc:
  - the command's own peak RSS (VmHWM of that one process: its own peak, which
    /usr/bin/time's "maximum resident set size" is not once the command has waited for a
    child, such as the chromedriver it stops);
  - the sum of PSS (smaps_rollup) over all of the command's descendants: chromedriver and
    every Chromium process, shared pages counted once in total;
  - how many descendants there are, and how many of them are a browser's main process
    (Chromium without `--type=`: one per browser session the command opened).
It writes the peaks, the wall time and the exit status as JSON, and exits with the
command's status. Standard library only; the sampler's own cost is one /proc scan per tick.
"""

import json
import os
import subprocess
import sys
import time


def children_map():
    """pid -> parent pid, for every process."""
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        rest = stat[stat.rfind(b")") + 2 :].split()
        parents[int(name)] = int(rest[1])
    return parents


def descendants(root, parents):
    kids = {}
    for pid, ppid in parents.items():
        kids.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        for kid in kids.get(todo.pop(), []):
            found.append(kid)
            todo.append(kid)
    return found


def field_kb(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def is_browser(pid):
    """Whether pid is a Chromium main process (its helpers carry --type=...)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    name = os.path.basename(argv[0])
    return name in (b"chromium", b"chrome") and not any(a.startswith(b"--type=") for a in argv)


def main():
    out, interval, sep, *command = sys.argv[1:]
    assert sep == "--" and command, __doc__
    interval = float(interval)
    started = time.monotonic()
    child = subprocess.Popen(command)
    peak_rss = peak_pss = peak_procs = peak_browsers = samples = 0
    while child.poll() is None:
        hwm = field_kb(f"/proc/{child.pid}/status", "VmHWM:")
        if hwm:
            peak_rss = max(peak_rss, hwm)
        kids = descendants(child.pid, children_map())
        pss = sum(field_kb(f"/proc/{pid}/smaps_rollup", "Pss:") or 0 for pid in kids)
        peak_pss = max(peak_pss, pss)
        peak_procs = max(peak_procs, len(kids))
        peak_browsers = max(peak_browsers, sum(1 for pid in kids if is_browser(pid)))
        samples += 1
        try:
            child.wait(timeout=interval)
        except subprocess.TimeoutExpired:
            pass
    wall = time.monotonic() - started
    with open(out, "w") as f:
        json.dump(
            {
                "wall_s": round(wall, 3),
                "exit_code": child.returncode,
                "tool_peak_rss_kb": peak_rss,
                "browser_peak_pss_kb": peak_pss,
                "peak_descendants": peak_procs,
                "peak_browsers": peak_browsers,
                "samples": samples,
                "interval_s": interval,
            },
            f,
        )
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
