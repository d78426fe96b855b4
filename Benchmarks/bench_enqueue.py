#!/usr/bin/env python3
"""Enqueue and inspection benchmark for Outbox; prints its figures.

1. Enqueue 100,000 messages from JSON Lines (~5 KB text each, all sharing one 100 KB PDF,
   one in ten with its own 20 KB attachment): wall time, peak RSS, database growth.
2. With 1,000,000 messages in the outbox: `outbox status` and
   `outbox list --state queued --limit 50`, wall time of whole process runs.

Usage: bench_enqueue.py OUTBOX_BINARY WORKDIR [--messages N] [--million N]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("outbox")
parser.add_argument("workdir")
parser.add_argument("--messages", type=int, default=100_000)
parser.add_argument("--million", type=int, default=1_000_000)
args = parser.parse_args()


def run_timed(argv, env=None):
    """Runs a process; returns (wall seconds, peak RSS of that process in MB, stdout, CPU seconds)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed ({child.returncode}): {err.read()}")
        return wall, usage.ru_maxrss / 1024, out.read(), usage.ru_utime + usage.ru_stime


def db_size(path):
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


os.makedirs(args.workdir, exist_ok=True)
batch_dir = os.path.join(args.workdir, "batch")
shutil.rmtree(batch_dir, ignore_errors=True)
print(f"generating {args.messages} messages ...", flush=True)
subprocess.run([sys.executable, os.path.join(here, "make_enqueue_batch.py"), batch_dir, str(args.messages)], check=True)
batch = os.path.join(batch_dir, "batch.jsonl")
own = os.path.join(batch_dir, "own")
distinct = 100 * 1024 + sum(os.path.getsize(os.path.join(own, f)) for f in os.listdir(own))
text = os.path.getsize(batch)

db = os.path.join(args.workdir, "enqueue.db")
for p in (db, db + "-wal", db + "-shm"):
    if os.path.exists(p):
        os.remove(p)
subprocess.run([args.outbox, "init", "--db", db], check=True, capture_output=True)
empty = db_size(db)
load = " ".join(open("/proc/loadavg").read().split()[:3])  # before the run, as bench-compare says it
wall, rss, out, cpu = run_timed([args.outbox, "enqueue", "--db", db, batch])
growth = db_size(db) - empty
print(out.strip())
print(f"enqueue {args.messages} messages: wall {wall:.2f} s ({args.messages / wall:,.0f} msg/s), "
      f"peak RSS {rss:.0f} MB, database +{growth / 1e6:.0f} MB "
      f"(input JSON Lines {text / 1e6:.0f} MB, distinct attachment content {distinct / 1e6:.0f} MB; "
      f"shared PDF stored once, not {args.messages} times)")
print(f"targets (issue #15): wall <= 6.5 s: {'met' if wall <= 6.5 else 'MISSED'}; peak RSS <= 100 MB: {'met' if rss <= 100 else 'MISSED'} "
      f"(load average {load} on {os.cpu_count()} CPUs; CPU {cpu:.2f} s)")

# 1M messages: small bodies (inspection speed does not depend on body size).
big = os.path.join(args.workdir, "million.db")
marker = big + ".done"
if not os.path.exists(marker):
    for p in (big, big + "-wal", big + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    lines = os.path.join(args.workdir, "million.jsonl")
    print(f"building an outbox of {args.million} messages ...", flush=True)
    with open(lines, "w") as f:
        f.write('{"batch": {"subject": "Arve", "text": "%s"}}\n' % ("x" * 400))
        for i in range(args.million):
            f.write('{"owner": "owner%d", "key": "m%d", "to": ["c%d@example.com"]}\n' % (i % 20, i, i))
    wall_big = run_timed([args.outbox, "enqueue", "--db", big, lines])[0]
    os.remove(lines)
    open(marker, "w").write(f"{wall_big}\n")
    print(f"  (enqueued in {wall_big:.1f} s)")


def measure(argv, runs=7):
    subprocess.run(argv, check=True, capture_output=True)  # warm the page cache
    walls = [run_timed(argv)[0] * 1000 for _ in range(runs)]
    return statistics.median(walls), max(walls)


for name, argv in [("status", [args.outbox, "status", "--db", big]),
                   ("list --state queued --limit 50", [args.outbox, "list", "--db", big, "--state", "queued", "--limit", "50"])]:
    median, worst = measure(argv)
    print(f"{name} with {args.million} messages: median {median:.0f} ms, worst {worst:.0f} ms of 7 runs "
          f"(target <= 150 ms: {'met' if worst <= 150 else 'MISSED'})")
