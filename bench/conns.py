#!/usr/bin/env python3
"""Many connections to Tern from several client processes and 127.0.0.0/8 source addresses.

One process may hold only as many descriptors as the hard file limit allows (20,000 here), so the
client side is spread over WORKERS processes, worker k connecting from 127.0.0.(10 + k).

  conns.py idle  HOST PORT TERN_PID JCMD STEP TOTAL WORKERS
      Opens idle connections in steps of STEP up to TOTAL, reading the 220 greeting on each (so the
      session exists on the server), and after each step runs a full GC in Tern and prints one
      tab-separated row: connections, Tern's RSS KiB, heap used KiB, and the kernel's TCP buffer memory
      in KiB (/proc/net/sockstat "mem", both ends of every loopback connection) and the kernel's slab
      in KiB (/proc/meminfo "Slab": socket, file and inode objects of both ends, and whatever else the
      machine allocates meanwhile).
  conns.py burst HOST PORT TOTAL WORKERS SIZE
      Opens TOTAL sessions (EHLO answered on each) and holds them all; once every worker has its
      sessions open, all of them send one message of SIZE octets at once (MAIL, RCPT, DATA, QUIT).
      Prints the sessions open at once, the messages accepted, refused (a refused connection or a 4xx/5xx
      reply) and failed (a timeout, a reset, anything else), and the seconds from "go" to the last reply.

Every wait is bounded. The exit code is 1 if anything was refused or failed.
"""

import asyncio
import os
import re
import resource
import select
import socket
import subprocess
import sys
import time

CONNECT_TIMEOUT_S = 30
STEP_DEADLINE_S = 180
READY_DEADLINE_S = 300
REPLY_TIMEOUT_S = 120
CONNECTS_IN_FLIGHT = 200


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def source_address(worker):
    return "127.0.0.%d" % (10 + worker)


# --- coordinator side ---------------------------------------------------------------------------
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


def tcp_mem_kib():
    with open("/proc/net/sockstat", encoding="ascii") as sockstat:
        for line in sockstat:
            if line.startswith("TCP:"):
                fields = line.split()
                return int(fields[fields.index("mem") + 1]) * resource.getpagesize() // 1024
    return 0


def slab_kib():
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("Slab:"):
                return int(line.split()[1])
    return 0


def start_workers(args, count):
    return [
        subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "worker", *args, str(k)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        for k in range(count)
    ]


def ask(worker, line, deadline_s):
    """Sends one command line to a worker and reads its one-line answer, within the deadline."""
    worker.stdin.write(line + "\n")
    worker.stdin.flush()
    return read_line(worker, deadline_s)


def read_line(worker, deadline_s):
    ready, _, _ = select.select([worker.stdout], [], [], deadline_s)
    if not ready:
        raise RuntimeError("a client process did not answer within %ds" % deadline_s)
    answer = worker.stdout.readline().strip()
    if not answer:
        raise RuntimeError("a client process ended: exit %s" % worker.wait(5))
    return answer


def stop_workers(workers):
    for worker in workers:
        try:
            worker.stdin.close()
        except OSError:
            pass
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)


def idle(host, port, pid, jcmd, step, total, workers_n):
    workers = start_workers([host, str(port)], workers_n)
    held = 0
    print("connections\trss_kib\theap_used_kib\ttcp_mem_kib\tslab_kib", flush=True)
    try:
        heap_used_kib(jcmd, pid)  # a first full GC settles what start-up left behind
        heap = heap_used_kib(jcmd, pid)
        print("0\t%d\t%d\t%d\t%d" % (rss_kib(pid), heap, tcp_mem_kib(), slab_kib()), flush=True)
        while held < total:
            target = min(total, held + step)
            share = target - held
            # The step spread over the workers, so each source address carries its part.
            for k, worker in enumerate(workers):
                n = share // workers_n + (1 if k < share % workers_n else 0)
                if n == 0:
                    continue
                answer = ask(worker, "open %d" % n, STEP_DEADLINE_S)
                if not answer.startswith("ok "):
                    raise RuntimeError("client %s: %s" % (source_address(k), answer))
            held = target
            time.sleep(1)  # let the server finish registering the last sessions
            heap = heap_used_kib(jcmd, pid)  # heap first: its full GC lets G1 uncommit, RSS shows it
            print("%d\t%d\t%d\t%d\t%d" % (held, rss_kib(pid), heap, tcp_mem_kib(), slab_kib()), flush=True)
    except (OSError, RuntimeError, subprocess.SubprocessError) as failure:
        print("error at %d connections: %s" % (held, failure), file=sys.stderr, flush=True)
        return 1
    finally:
        stop_workers(workers)
    return 0


def burst(host, port, total, workers_n, size):
    workers = start_workers([host, str(port)], workers_n)
    try:
        for k, worker in enumerate(workers):
            n = total // workers_n + (1 if k < total % workers_n else 0)
            worker.stdin.write("burst %d %d\n" % (n, size))
            worker.stdin.flush()
        opened = refused = failed = 0
        for worker in workers:  # "ready OPEN REFUSED FAILED" once its sessions are open
            _, o, r, f = read_line(worker, READY_DEADLINE_S).split()
            opened, refused, failed = opened + int(o), refused + int(r), failed + int(f)
        start = time.monotonic()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        accepted = 0
        for worker in workers:  # "done ACCEPTED REFUSED FAILED"
            _, a, r, f = read_line(worker, READY_DEADLINE_S).split()
            accepted, refused, failed = accepted + int(a), refused + int(r), failed + int(f)
        seconds = time.monotonic() - start
    except (OSError, RuntimeError, ValueError) as failure:
        print("burst error: %s" % failure, file=sys.stderr, flush=True)
        return 1
    finally:
        stop_workers(workers)
    print("sessions\topen_at_once\taccepted\trefused\tfailed\tseconds")
    print("%d\t%d\t%d\t%d\t%d\t%.2f" % (total, opened, accepted, refused, failed, seconds), flush=True)
    return 0 if refused == 0 and failed == 0 and accepted == total else 1


# --- worker side ----------------------------------------------------------------------------------
def open_idle(host, port, source):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        sock.bind((source, 0))
        sock.connect((host, port))
        greeting = b""
        while b"\r\n" not in greeting and len(greeting) < 4096:
            chunk = sock.recv(4096)
            if not chunk:
                break
            greeting += chunk
        if not greeting.startswith(b"220"):
            raise RuntimeError("no 220 greeting, got %r" % greeting[:80])
        return sock
    except BaseException:
        sock.close()
        raise


class Refused(Exception):
    pass


async def reply(reader):
    """Reads one (possibly multi-line) SMTP reply; a 4xx or 5xx is a refusal."""
    while True:
        line = await asyncio.wait_for(reader.readline(), REPLY_TIMEOUT_S)
        if not line:
            raise ConnectionError("connection closed")
        if len(line) < 4 or line[3:4] != b"-":
            break
    if line[:1] in (b"4", b"5"):
        raise Refused(line.decode("ascii", "replace").strip())
    return line


async def session(host, port, source, size, go, connects, counts):
    writer = None
    try:
        async with connects:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port, local_addr=(source, 0)), CONNECT_TIMEOUT_S)
            except ConnectionRefusedError as refusal:
                raise Refused(str(refusal)) from refusal
            await reply(reader)
            writer.write(b"EHLO client.bench.test\r\n")
            await reply(reader)
        counts["open"] += 1
        await go.wait()
        body = b"Subject: burst\r\n\r\n" + b"x" * 78 + b"\r\n"
        body = body * max(1, size // len(body))
        writer.write(b"MAIL FROM:<sender@bench.test>\r\n")
        await reply(reader)
        writer.write(b"RCPT TO:<user@bench.test>\r\n")
        await reply(reader)
        writer.write(b"DATA\r\n")
        await reply(reader)
        writer.write(body + b".\r\n")
        await reply(reader)
        counts["accepted"] += 1
        writer.write(b"QUIT\r\n")
        await writer.drain()
    except Refused:
        counts["refused"] += 1
    except (OSError, asyncio.TimeoutError, ConnectionError):
        counts["failed"] += 1
    finally:
        if writer is not None:
            writer.close()


async def burst_worker(host, port, source, n, size):
    counts = {"open": 0, "accepted": 0, "refused": 0, "failed": 0}
    go = asyncio.Event()
    connects = asyncio.Semaphore(CONNECTS_IN_FLIGHT)
    tasks = [asyncio.create_task(session(host, port, source, size, go, connects, counts)) for _ in range(n)]
    # Ready once every session is open or has ended (refused or failed before opening).
    while counts["open"] + counts["refused"] + counts["failed"] < n:
        await asyncio.sleep(0.05)
    print("ready %d %d %d" % (counts["open"], counts["refused"], counts["failed"]), flush=True)
    early_refused, early_failed = counts["refused"], counts["failed"]
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    if line.strip() == "go":
        go.set()
    else:  # the coordinator is gone: end every session
        for task in tasks:
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print("done %d %d %d" % (counts["accepted"], counts["refused"] - early_refused, counts["failed"] - early_failed),
          flush=True)


def worker(host, port, k):
    raise_file_limit()
    source = source_address(k)
    held = []
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["open"]:
            try:
                for _ in range(int(words[1])):
                    held.append(open_idle(host, port, source))
                print("ok %d" % len(held), flush=True)
            except (OSError, RuntimeError) as failure:
                print("error %d %s" % (len(held), failure), flush=True)
        elif words[:1] == ["burst"]:
            asyncio.run(burst_worker(host, port, source, int(words[1]), int(words[2])))
        else:
            break
    for sock in held:
        sock.close()


def main():
    mode = sys.argv[1]
    if mode == "worker":
        host, port, k = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        worker(host, port, k)
        return 0
    if mode == "idle":
        host, port, pid, jcmd, step, total, workers_n = sys.argv[2:9]
        total, workers_n = int(total), int(workers_n)
        return idle(host, int(port), int(pid), jcmd, int(step), total, workers_n)
    if mode == "burst":
        host, port, total, workers_n, size = sys.argv[2:7]
        return burst(host, int(port), int(total), int(workers_n), int(size))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
