#!/usr/bin/env python3
"""Where a lone session's time per message goes, from `perf sched timehist -w` output.

bench/run.sh --inbound --phases records the scheduler during one more turn of 4k-s1-reuse per server
and hands the text here. For Tern each message is cut at three wake-ups:

  data end  an event loop (tern-io) wakes the spool writer: the message is complete and handed off
  written   the writer wakes the event loop: the batch was flushed
  replied   the event loop wakes smtp-source: the 250 went out

and the three spans between them are printed as medians. For smtp-sink, which has no hand-offs, the
median time between its wake-ups of smtp-source is printed (one per reply, four replies per message).

Usage: phases.py TIMEHIST_FILE tern|sink
"""
import re
import statistics
import sys

WAKE = re.compile(r"\s*([\d.]+)\s+\[\d+\]\s+(\S+)\s+awakened: (\S+)")


def wakes(path):
    for line in open(path, errors="replace"):
        m = WAKE.match(line)
        if m:
            yield float(m.group(1)), m.group(2), m.group(3)


def us(values):
    return statistics.median(values) * 1e6 if values else float("nan")


def tern(path):
    handed, written, replied = [], [], []
    cur = {}
    for t, waker, wakee in wakes(path):
        if waker.startswith("tern-io") and wakee.startswith("tern-spool-writ"):
            if "replied" in cur:
                replied.append(t - cur["replied"])
            cur = {"handed": t}
        elif waker.startswith("tern-spool-writ") and wakee.startswith("tern-io") and "handed" in cur and "written" not in cur:
            cur["written"] = t
            handed.append(t - cur["handed"])
        elif waker.startswith("tern-io") and wakee.startswith("smtp-source") and "written" in cur and "replied" not in cur:
            cur["replied"] = t
            written.append(t - cur["written"])
    return handed, written, replied


def main():
    path, kind = sys.argv[1], sys.argv[2]
    if kind == "sink":
        times = [t for t, waker, wakee in wakes(path) if waker.startswith("smtp-sink") and wakee.startswith("smtp-source")]
        gaps = [b - a for a, b in zip(times, times[1:])]
        print(f"{len(gaps) + 1} replies; median between replies {us(gaps):.0f} us, four per message: {4 * us(gaps):.0f} us")
        return
    handed, written, replied = tern(path)
    a, b, c = us(handed), us(written), us(replied)
    print(f"{len(handed)} messages; medians: data end to written {a:.0f} us, written to 250 {b:.0f} us,"
          f" 250 to the next data end {c:.0f} us; sum {a + b + c:.0f} us")


if __name__ == "__main__":
    main()
