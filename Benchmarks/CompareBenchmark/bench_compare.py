#!/usr/bin/env python3
"""Outbox against the floors it is built on, measured side by side in one run.

1. Drain: one Postfix `smtp-sink` on loopback. Alternating RUNS times (default 5), for
   C = 4 and 8 connections: `curl --parallel --parallel-max C` uploading the same N ~5 KB
   messages (libcurl's own ceiling: one process, no database), then `outbox serve --once
   --workers C` over a fresh copy of one queued database. Prints both medians and the
   median of the per-run ratios (each ratio from runs next to each other). Also the CPU
   each side and the sink use per message, context switches per message, and the rate
   CPU alone would allow outbox on this machine's CPUs (what no waiting can beat).
2. Enqueue: the same N keyed messages as JSON Lines through `outbox enqueue`, against a
   20-line Python sqlite3 loop writing the same rows (one table, one unique key, WAL,
   synchronous=FULL, one transaction): the floor for storing them uncompressed. Alternating.
3. Database bytes per queued message (database + WAL after a checkpoint, less an empty one).
4. With INSTRUCTIONS=1: CPU instructions (valgrind --tool=callgrind, Ir) of one drain and
   one enqueue of FIXED messages (default 2000), per message: stable on a loaded machine.

Usage: bench_compare.py OUTBOX_BINARY WORKDIR [MESSAGES]   (default 10000)
DRAIN=0 skips part 1 (and the drain half of part 4): the enqueue figures alone.
"""
import json, os, shutil, sqlite3, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smtp_sink import bench_profile, start_sink  # noqa: E402
from bench_batch import write_batch as shared_batch  # noqa: E402

outbox, workdir = sys.argv[1], sys.argv[2]
messages = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
runs = int(os.environ.get("RUNS", "5"))
connections = [int(c) for c in os.environ.get("CONNECTIONS", "4,8").split(",")]
fixed = int(os.environ.get("FIXED", "2000"))
drain = os.environ.get("DRAIN", "1") != "0"
size = 5000
body = ("Tere! Arve on lisatud. Lugupidamisega, Raamatupidamine.\n" * 90)[:size - 300]


def remove_db(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def write_batch(count, keyed):
    return shared_batch(workdir, count, keyed, body)


def queued_template(count, port):
    path = os.path.join(workdir, f"queued-{count}.db")
    remove_db(path)
    subprocess.run([outbox, "init", "--db", path], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([outbox, "enqueue", "--db", path, write_batch(count, False)], check=True, stdout=subprocess.DEVNULL)
    bench_profile(path, port)
    return path


def fresh_copy(template):
    path = os.path.join(workdir, "drain.db")
    remove_db(path)
    shutil.copyfile(template, path)
    os.chmod(path, 0o600)
    return path


def serve_argv(path, workers):
    return [outbox, "serve", "--once", "--db", path, "--workers", str(workers)]


def run_measured(argv):
    """Runs argv: (wall seconds, CPU seconds, bytes it wrote to disk); exits when it fails."""
    seconds, usage = run_with_usage(argv)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_oublock * 512


last_usage = {}  # the resource usage of the last run of "outbox" and of "curl"


def run_with_usage(argv):
    """Runs argv: (wall seconds, its resource usage); exits when it fails."""
    with open(os.path.join(workdir, "stderr.log"), "w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"{' '.join(argv)} failed: {err.read()[-2000:]}")
    last_usage["curl" if argv[0] == "curl" else "outbox"] = usage
    return seconds, usage


def cpu_seconds(pid):
    """CPU seconds process `pid` used so far (user + system), from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Per run and message, for the CPU budget of each side: (side, workers, own CPU us, sink CPU us, context switches).
budgets = []


def measured_side(side, workers, count, sink, run):
    """Calls run() (which returns wall seconds) and notes the CPU it and the sink used per message."""
    before = cpu_seconds(sink.pid)
    seconds = run()
    usage = last_usage[side]
    budgets.append((side, workers, 1e6 * (usage.ru_utime + usage.ru_stime) / count, 1e6 * (cpu_seconds(sink.pid) - before) / count,
                    (usage.ru_nvcsw + usage.ru_nivcsw) / count))
    return seconds


def budget_report(workers, curl_rate):
    """What each side costs per message on this machine, and the rate outbox could reach if the
    CPUs did nothing but its messages and the sink's: what CPU alone allows, before any waiting."""
    def median(side, index):
        return statistics.median(b[index] for b in budgets if b[0] == side and b[1] == workers)
    own, sink, switches = median("outbox", 2), median("outbox", 3), median("outbox", 4)
    bound = os.cpu_count() * 1e6 / (own + sink)
    return (f"  CPU per message: outbox {own:.0f} us + sink {sink:.0f} us; curl {median('curl', 2):.0f} us + sink {median('curl', 3):.0f} us; "
            f"context switches per message: outbox {switches:.1f}, curl {median('curl', 4):.1f}\n"
            f"  CPU-bound ceiling of outbox on {os.cpu_count()} CPUs: {bound:,.0f} msg/s = {100 * bound / curl_rate:.0f}% of curl's median")


drained = []  # (CPU seconds, bytes written) per drain, per message


def drain_once(template, workers, count):
    path = fresh_copy(template)
    seconds, cpu, written = run_measured(serve_argv(path, workers))
    drained.append((workers, cpu / count, written / count))
    db = sqlite3.connect(path)
    sent = db.execute("SELECT COUNT(*) FROM message WHERE state = 'sent'").fetchone()[0]
    db.close()
    if sent != count:
        sys.exit(f"serve --once sent {sent} of {count}")
    return seconds


def curl_config(count, port):
    """One curl config: N uploads of the same kind of ~5 KB message, one connection pool."""
    path = os.path.join(workdir, f"curl-{count}.conf")
    mails = os.path.join(workdir, "eml")
    os.makedirs(mails, exist_ok=True)
    with open(path, "w") as conf:
        conf.write('mail-from = "bench@example.com"\nmail-rcpt = "c@example.net"\n')
        for i in range(count):
            eml = os.path.join(mails, f"{i}.eml")
            if not os.path.exists(eml):
                with open(eml, "w", newline="") as f:
                    f.write(f"From: Bench <bench@example.com>\r\nTo: c{i}@example.net\r\nSubject: Invoice {i}\r\n"
                            f"Message-ID: <{i}@example.com>\r\nMIME-Version: 1.0\r\n"
                            f"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n"))
            conf.write(f'upload-file = "{eml}"\nurl = "smtp://127.0.0.1:{port}"\n')
    return path


def curl_once(config, workers):
    seconds, _ = run_with_usage(["curl", "--no-progress-meter", "--parallel", "--parallel-max", str(workers), "--parallel-immediate",
                                 "-K", config])
    return seconds


def python_floor(batch, path):
    """The floor: the same rows, one table, one unique key, WAL, FULL, one transaction."""
    remove_db(path)
    start = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL"); db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE message (id INTEGER PRIMARY KEY, key TEXT UNIQUE, owner TEXT, subject TEXT, "
               "text_body TEXT, recipient TEXT)")
    db.execute("BEGIN")
    insert = "INSERT INTO message (key, owner, subject, text_body, recipient) VALUES (?, ?, ?, ?, ?)"
    with open(batch) as f:
        for line in f:
            m = json.loads(line)
            db.execute(insert, (m["key"], m["owner"], m["subject"], m["text"], m["to"][0]))
    db.execute("COMMIT"); db.close()
    return time.perf_counter() - start


enqueued = []  # (CPU seconds, bytes written, peak RSS) per enqueue, per message


def enqueue_once(batch, path, count):
    remove_db(path)
    subprocess.run([outbox, "init", "--db", path], check=True, stdout=subprocess.DEVNULL)
    seconds, cpu, written = run_measured([outbox, "enqueue", "--db", path, batch])
    enqueued.append((cpu / count, written / count))
    return seconds


def stored_bytes(path):
    db = sqlite3.connect(path); db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); db.close()
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def callgrind(argv, label):
    """Instructions (Ir) argv executes, all threads. Valgrind 3.19 cannot read the DWARF 5
    of Swift 6 binaries: it runs a copy without debug information (symbols stay)."""
    stripped = os.path.join(workdir, "outbox-nodebug")
    if not os.path.exists(stripped):
        subprocess.run(["objcopy", "--strip-debug", outbox, stripped], check=True)
    out = os.path.join(workdir, f"callgrind.{label}")
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", stripped] + argv[1:],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit(f"callgrind {label} failed: {run.stderr[-2000:]}")
    for line in open(out):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    sys.exit(f"no totals in {out}")


def report(label, ours, floor, floor_name, unit):
    ratios = [o / f for o, f in zip(ours, floor)]
    return (f"{label}: outbox median {statistics.median(ours):,.0f} {unit}, {floor_name} median "
            f"{statistics.median(floor):,.0f} {unit}; ratio median {100 * statistics.median(ratios):.0f}% "
            f"(runs: {', '.join(f'{100 * r:.0f}%' for r in ratios)})")


def main():
    os.makedirs(workdir, exist_ok=True)
    load = open("/proc/loadavg").read().split()[:3]
    print(f"{messages} messages of ~{size} bytes, {runs} alternating runs; load average {' '.join(load)} on {os.cpu_count()} CPUs")
    sink, port = start_sink()
    try:
        template = config = None
        for workers in connections if runs > 0 and drain else []:
            ours, ceiling = [], []
            template = template or queued_template(messages, port)
            config = config or curl_config(messages, port)
            for _ in range(runs):  # alternate, so both see the same machine
                ceiling.append(messages / measured_side("curl", workers, messages, sink, lambda: curl_once(config, workers)))
                ours.append(messages / measured_side("outbox", workers, messages, sink, lambda: drain_once(template, workers, messages)))
            print(report(f"drain, {workers} connections", ours, ceiling, "curl --parallel", "msg/s"), flush=True)
            mine = [d for d in drained if d[0] == workers]
            print(f"  per delivered message: CPU {1e6 * statistics.median(d[1] for d in mine):.0f} us, "
                  f"written to disk {statistics.median(d[2] for d in mine):,.0f} bytes (medians)", flush=True)
            print(budget_report(workers, statistics.median(ceiling)), flush=True)

        enqueue_db = os.path.join(workdir, "enqueue.db")
        if runs > 0:
            enqueue_floor(messages)
        if os.environ.get("INSTRUCTIONS") == "1":
            instructions(port, enqueue_db)
    finally:
        sink.terminate(); sink.wait()


def enqueue_floor(messages):
    """Parts 2 and 3: outbox enqueue against the Python sqlite3 floor; bytes stored."""
    keyed = write_batch(messages, True)
    enqueue_db, floor_db = os.path.join(workdir, "enqueue.db"), os.path.join(workdir, "floor.db")
    ours, floor = [], []
    for _ in range(runs):
        floor.append(python_floor(keyed, floor_db))
        ours.append(enqueue_once(keyed, enqueue_db, messages))
    ratios = [o / f for o, f in zip(ours, floor)]
    print(f"enqueue {messages} keyed messages: outbox median {statistics.median(ours):.2f} s, "
          f"python sqlite3 floor median {statistics.median(floor):.2f} s; ratio median {statistics.median(ratios):.2f}x "
          f"(runs: {', '.join(f'{r:.2f}x' for r in ratios)})")
    print(f"  per enqueued message: CPU {1e6 * statistics.median(e[0] for e in enqueued):.0f} us, "
          f"written to disk {statistics.median(e[1] for e in enqueued):,.0f} bytes (medians)")
    empty = os.path.join(workdir, "empty.db")
    remove_db(empty)
    subprocess.run([outbox, "init", "--db", empty], check=True, stdout=subprocess.DEVNULL)
    per_message = (stored_bytes(enqueue_db) - stored_bytes(empty)) / messages
    print(f"database bytes per queued message: {per_message:,.0f} (floor: {stored_bytes(floor_db) / messages:,.0f})")


def instructions(port, enqueue_db):
    """Part 4: callgrind instructions per delivered and per enqueued message."""
    if drain:
        small = queued_template(fixed, port)
        for workers in connections:
            total = callgrind(serve_argv(fresh_copy(small), workers), f"drain-{workers}")
            print(f"instructions per delivered message ({fixed}, {workers} connections, callgrind Ir): {total / fixed:,.0f}", flush=True)
    batch = write_batch(fixed, True)
    remove_db(enqueue_db)
    subprocess.run([outbox, "init", "--db", enqueue_db], check=True, stdout=subprocess.DEVNULL)
    total = callgrind([outbox, "enqueue", "--db", enqueue_db, batch], "enqueue")
    print(f"instructions per enqueued message ({fixed} keyed, callgrind Ir): {total / fixed:,.0f}")


main()
