#!/usr/bin/env python3
"""Opens idle SMTP connections to Tern in steps and reports its memory after each step.

Usage: idle_conns.py HOST PORT TERN_PID JCMD STEP TOTAL

For each step it opens STEP connections, reads the 220 greeting on each (so the session exists
on the server), holds them, runs a full GC in Tern and prints one tab-separated row:
connections, RSS KiB, heap used KiB. Every wait is bounded; the first failure stops the run
with exit code 1 after printing what was reached.
"""

import re
import socket
import subprocess
import sys
import time

CONNECT_TIMEOUT_S = 10
STEP_DEADLINE_S = 120


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %s" % pid)


def heap_used_kib(jcmd, pid):
    subprocess.run([jcmd, str(pid), "GC.run"], check=True, capture_output=True, timeout=60)
    info = subprocess.run(
        [jcmd, str(pid), "GC.heap_info"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    # G1, JDK 21: "garbage-first heap   total 262144K, used 23456K [...]";
    # JDK 25: "garbage-first heap   total reserved 6172672K, committed 40960K, used 11996K [...]"
    match = re.search(r"heap\s+total\b[^\n]*?\bused\s+(\d+)K", info)
    if not match:
        raise RuntimeError("cannot parse GC.heap_info: " + info[:200])
    return int(match.group(1))


def open_one(host, port):
    sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S)
    greeting = b""
    while b"\r\n" not in greeting and len(greeting) < 4096:
        chunk = sock.recv(4096)
        if not chunk:
            break
        greeting += chunk
    if not greeting.startswith(b"220"):
        sock.close()
        raise RuntimeError("no 220 greeting, got %r" % greeting[:80])
    return sock


def measure(jcmd, pid):
    """Heap first: its full GC also lets G1 uncommit memory, which RSS should reflect."""
    heap = heap_used_kib(jcmd, pid)
    return "%d\t%d" % (rss_kib(pid), heap)


def main():
    host, port, pid, jcmd, step, total = sys.argv[1:7]
    port, pid, step, total = int(port), int(pid), int(step), int(total)
    held = []
    print("connections\trss_kib\theap_used_kib", flush=True)
    try:
        heap_used_kib(jcmd, pid)  # a first full GC settles what start-up left behind
        print("%d\t%s" % (0, measure(jcmd, pid)), flush=True)
        while len(held) < total:
            deadline = time.monotonic() + STEP_DEADLINE_S
            target = min(total, len(held) + step)
            while len(held) < target:
                if time.monotonic() > deadline:
                    raise RuntimeError("step to %d connections took longer than %ds" % (target, STEP_DEADLINE_S))
                held.append(open_one(host, port))
            time.sleep(1)  # let the server finish registering the last sessions
            print("%d\t%s" % (len(held), measure(jcmd, pid)), flush=True)
    except (OSError, RuntimeError, subprocess.SubprocessError) as failure:
        print("error at %d connections: %s" % (len(held), failure), file=sys.stderr, flush=True)
        return 1
    finally:
        for sock in held:
            sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
