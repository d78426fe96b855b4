#!/usr/bin/env python3
"""Drain benchmark for `outbox serve`: Postfix's smtp-sink on loopback as the server.

1. Rate: N queued ~5 KB messages drained by `outbox serve --once --workers W` (database
   state updated per message) vs `smtp-source -s W` against the same sink, alternating,
   RUNS times (default 3) over fresh copies of the same queued database; medians printed.
2. Latency: an idle `outbox serve`; one message enqueued; enqueue-to-accepted time is
   the message's finished_at - created_at (repeated, median and max).
3. Idle CPU of `outbox serve` over IDLE seconds (utime+stime from /proc).
4. Peak RSS of the draining process (/usr/bin/time -f %M).

DKIM="none rsa ed25519" (default "none") drains with each signing set-up in the same runs:
unsigned, an RSA-2048 key, an Ed25519 key, or "dual" (both) for the From domain, signed by
`[dkim] sign-modes = smtp` (the bench profile's mode).
"""
import json, os, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smtp_sink import bench_profile, start_sink  # noqa: E402

outbox, workdir = sys.argv[1], sys.argv[2]
messages = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
workers = int(os.environ.get("WORKERS", "4"))
idle_seconds = int(os.environ.get("IDLE", "60"))
runs = int(os.environ.get("RUNS", "3"))
dkim_variants = os.environ.get("DKIM", "none").split()
size = 5000


def make_db(path, port, count):
    body = ("Tere! Arve on lisatud. Lugupidamisega, Raamatupidamine.\n" * 90)[:size - 300]
    batch = os.path.join(workdir, f"batch-{count}.jsonl")
    with open(batch, "w") as f:
        for i in range(count):
            f.write(json.dumps({"owner": "bench", "subject": f"Invoice {i}", "text": body, "to": [f"c{i}@example.net"]}) + "\n")
    env = dict(os.environ, OUTBOX_DB=path)
    subprocess.run([outbox, "enqueue", batch], env=env, check=True, stdout=subprocess.DEVNULL)
    bench_profile(path, port)



def dkim_template(template, variant):
    """A copy of the queued database with `variant`'s DKIM keys, and its outbox.conf."""
    conf = os.path.join(workdir, f"dkim-{variant}.conf")
    with open(conf, "w") as f:
        f.write("[dkim]\nsign-modes = " + ("none" if variant == "none" else "smtp") + "\n")
    if variant == "none":
        return template, conf
    copy = os.path.join(workdir, f"queued-{variant}.db")
    shutil.copyfile(template, copy)
    algorithms = {"rsa": ["rsa"], "ed25519": ["ed25519"], "dual": ["rsa", "ed25519"]}[variant]
    for algorithm in algorithms:
        subprocess.run([outbox, "dkim", "keygen", "--db", copy, "--domain", "example.com", "--selector", algorithm,
                        "--algorithm", algorithm], check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(copy)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return copy, conf


def drain_once(template, path, conf=None):
    """One `serve --once` over a fresh copy of the queued database: (seconds, sent, peak RSS MB, commits)."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copyfile(template, path)
    os.chmod(path, 0o600)
    start = time.time()
    run = subprocess.run(["/usr/bin/time", "-f", "%M", outbox, "serve", "--once", "--db", path, "--workers", str(workers)]
                         + (["--config", conf] if conf else []), capture_output=True, text=True)
    seconds = time.time() - start
    if run.returncode != 0:
        sys.exit(f"serve --once failed: {run.stderr}")
    peak_rss_mb = int(run.stderr.strip().splitlines()[-1]) / 1024
    commits = next((line.split(" in ")[1].split()[0] for line in run.stderr.splitlines() if "group commit:" in line), "?")
    db = sqlite3.connect(path)
    sent = db.execute("SELECT COUNT(*) FROM message WHERE state = 'sent'").fetchone()[0]
    db.close()
    return seconds, sent, peak_rss_mb, commits


def source_once(port):
    start = time.time()
    subprocess.run(["smtp-source", "-4", "-d", "-s", str(workers), "-m", str(messages), "-l", str(size),
                    "-f", "a@x", "-t", "b@x", f"127.0.0.1:{port}"], check=True)
    return time.time() - start


def main():
    sink, port = start_sink()
    try:
        template = os.path.join(workdir, "queued.db")
        make_db(template, port, messages)
        db = sqlite3.connect(template)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        path = os.path.join(workdir, "drain.db")
        setups = {variant: dkim_template(template, variant) for variant in dkim_variants}
        ratios, rates, sources, peaks = {v: [] for v in setups}, {v: [] for v in setups}, [], []
        for run in range(1, runs + 1):  # alternate, so all see the same machine
            source_seconds = source_once(port)
            source_rate = messages / source_seconds
            sources.append(source_rate)
            for variant, (variant_template, conf) in setups.items():
                seconds, sent, peak, commits = drain_once(variant_template, path, conf if len(setups) > 1 or variant != "none" else None)
                rate = messages / seconds
                rates[variant].append(rate); ratios[variant].append(rate / source_rate); peaks.append(peak)
                label = "" if setups.keys() == {"none"} else f" dkim={variant}"
                print(f"run {run}:{label} outbox {rate:.0f}/s ({sent} sent in {seconds:.1f} s, {commits} commits), "
                      f"smtp-source {source_rate:.0f}/s, ratio {100 * rate / source_rate:.0f}%")
        for variant in setups:
            label = "" if setups.keys() == {"none"} else f" dkim={variant}"
            versus = ""
            if variant != "none" and "none" in setups:
                versus = f"; {100 * statistics.median(rates[variant]) / statistics.median(rates['none']):.0f}% of unsigned"
            print(f"drain{label}: {messages} messages, {workers} connections, {runs} runs: outbox median {statistics.median(rates[variant]):.0f}/s, "
                  f"smtp-source median {statistics.median(sources):.0f}/s; ratio median {100 * statistics.median(ratios[variant]):.0f}%, "
                  f"best {100 * max(ratios[variant]):.0f}%{versus}")
        print(f"peak RSS while draining: {max(peaks):.1f} MB")

        idle_db = os.path.join(workdir, "idle.db")
        subprocess.run([outbox, "init", "--db", idle_db], check=True, stdout=subprocess.DEVNULL)
        bench_profile(idle_db, port)
        serve = subprocess.Popen([outbox, "serve", "--db", idle_db, "--workers", str(workers)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(2)
            latencies = []
            single = os.path.join(workdir, "single.json")
            for i in range(10):
                with open(single, "w") as f:
                    json.dump({"owner": "bench", "subject": f"Ping {i}", "text": "ping", "to": ["p@example.net"]}, f)
                subprocess.run([outbox, "enqueue", "--db", idle_db, single], check=True, stdout=subprocess.DEVNULL)
                deadline = time.time() + 5
                while time.time() < deadline:
                    db = sqlite3.connect(idle_db)
                    row = db.execute("SELECT finished_at - created_at FROM message WHERE subject = ? AND state = 'sent'",
                                     (f"Ping {i}",)).fetchone()
                    db.close()
                    if row:
                        latencies.append(row[0]); break
                    time.sleep(0.02)
                time.sleep(0.3)
            print(f"enqueue-to-accepted: median {statistics.median(latencies):.0f} ms, max {max(latencies)} ms "
                  f"({len(latencies)} single messages on an idle daemon)")
            time.sleep(1)
            ticks = os.sysconf("SC_CLK_TCK")
            def cpu():
                fields = open(f"/proc/{serve.pid}/stat").read().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / ticks
            before = cpu(); time.sleep(idle_seconds); after = cpu()
            print(f"idle CPU over {idle_seconds} s: {100 * (after - before) / idle_seconds:.2f}% "
                  f"({after - before:.2f} s CPU)")
        finally:
            serve.terminate(); serve.wait(30)
    finally:
        sink.terminate(); sink.wait()


main()
