#!/usr/bin/env python3
"""Summarises a collapsed-stack profile (bench/run.sh --profile writes profile-CASE.txt).

    bench/profile-summary.py bench/out/STAMP/profile-4k-s100-reuse.txt [TOP]

Prints the share of CPU samples per thread group, then, leaving out the JIT compilers and the main
thread, the hottest frames by self time and the Tern, Netty-handler and logging frames by inclusive time.
"""
import collections
import re
import sys


def main(path, top):
    threads = collections.Counter()
    own = collections.Counter()
    inclusive = collections.Counter()
    total = counted = 0
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not stack:
            continue
        n = int(n)
        frames = stack.split(";")
        # The first frame is the thread, "[name tid=N]"; numbered threads count as one group.
        group = re.sub(r"[-#]?\d+", "", frames[0].split(" tid=")[0].strip("[]"))
        threads[group] += n
        total += n
        if group.startswith(("C CompilerThre", "C1 CompilerThread", "C2 CompilerThread", "main")):
            continue
        counted += n
        own[frames[-1]] += n
        for f in set(frames[1:]):
            inclusive[f] += n
    print(f"{total} samples; by thread group:")
    for name, n in threads.most_common(15):
        print(f"{100 * n / total:6.1f}%  {name}")
    print(f"\nwithout JIT compilers and main ({counted} samples), hottest frames by self time:")
    for name, n in own.most_common(top):
        print(f"{100 * n / counted:6.1f}%  {name[:140]}")
    print("\nTern, logging and meters by inclusive time:")
    shown = 0
    for name, n in inclusive.most_common():
        if re.search(r"dev/tern|logback|micrometer", name):
            print(f"{100 * n / counted:6.1f}%  {name[:140]}")
            shown += 1
            if shown == top:
                break


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30)
