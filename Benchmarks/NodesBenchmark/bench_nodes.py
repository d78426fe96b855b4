#!/usr/bin/env python3
"""Several `outbox serve` nodes on one PostgreSQL outbox, next to one node on SQLite (issue #14).

One smtp-sink, one private PostgreSQL cluster (durable defaults, pg_stat_statements), one run:

1. Drain: N queued ~5 KB messages (default 20,000) drained by one `outbox serve` daemon on
   SQLite, then by 1, 2 and 3 daemons sharing a PostgreSQL outbox (each its own copy of one
   queued database); WORKERS connections per node (default 4). The time runs from the nodes'
   start until every message is sent. Per configuration: msg/s; CPU seconds of the nodes, of
   the PostgreSQL server and of smtp-sink per 1,000 messages, and how busy that keeps the
   machine's cores (what limits the scaling on a small machine); on PostgreSQL, statements
   (pg_stat_statements, the outbox role's only) and round trips (server replies, see
   RoundTrips) per delivered message, with the most frequent statements.
2. Enqueue: ENQUEUE keyed messages (default 100,000, JSON Lines) through `outbox enqueue` on
   PostgreSQL and on SQLite: both times and the ratio, and on PostgreSQL statements and round
   trips per enqueued message and the CPU of both sides per 1,000 messages.

RUNS=n repeats the drains n times (medians printed). Usage: bench_nodes.py OUTBOX WORKDIR [N]
"""
import os, signal, sqlite3, statistics, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
sys.path.insert(0, here)
from smtp_sink import bench_profile, start_sink  # noqa: E402
from bench_batch import BODY as body, write_batch as shared_batch  # noqa: E402
from postgres_cluster import Cluster, Monitor, RoundTrips, process_cpu  # noqa: E402

outbox, workdir = sys.argv[1], sys.argv[2]
messages = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
enqueue_count = int(os.environ.get("ENQUEUE", "100000"))
workers = int(os.environ.get("WORKERS", "4"))
node_counts = [int(n) for n in os.environ.get("NODES", "1,2,3").split(",")]
runs = int(os.environ.get("RUNS", "1"))
# The per-profile connection cap holds across nodes: by default it lets every worker of the most nodes connect.
connection_cap = int(os.environ.get("CAP", str(workers * max(node_counts))))
size = 5000
cores = os.cpu_count()


def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def machine_busy():
    """CPU seconds all processes of the machine used so far (/proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def write_batch(count, keyed):
    return shared_batch(workdir, count, keyed, body)


def run_quietly(argv):
    run = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {run.stderr[-2000:]}")


def node_config():
    path = os.path.join(workdir, "node.conf")
    with open(path, "w") as f:
        f.write(f"[delivery]\nworkers = {workers}\nconnections-per-profile = {connection_cap}\nunknown-outcome = resend\n[dkim]\nsign-modes = none\n[log]\nlevel = warning\n")
    return path


def start_nodes(count, database, config):
    nodes = []
    for i in range(count):
        log = open(os.path.join(workdir, f"node-{i + 1}.log"), "w")
        nodes.append((subprocess.Popen([outbox, "serve", "--db", database, "--config", config], stdout=log, stderr=log), log))
    return nodes


def stop_nodes(nodes):
    """SIGTERM to every node; their CPU seconds (user + system, all threads)."""
    for node, _ in nodes:
        node.send_signal(signal.SIGTERM)
    cpu = 0.0
    for node, log in nodes:
        _, status, usage = os.wait4(node.pid, 0)
        node.returncode = os.waitstatus_to_exitcode(status)
        log.close()
        cpu += usage.ru_utime + usage.ru_stime
        if node.returncode != 0:
            sys.exit(f"a node exited with {node.returncode}: {open(log.name).read()[-2000:]}")
    return cpu


def watch_drain(nodes, sent, on_tick=lambda: None, limit=1800):
    """Seconds until `sent()` reaches `messages` (checked every 0.1 s)."""
    start = time.perf_counter()
    while sent() < messages:
        on_tick()
        for node, log in nodes:
            if node.poll() is not None:
                sys.exit(f"a node exited early: {open(log.name).read()[-2000:]}")
        if time.perf_counter() - start > limit:
            sys.exit(f"not drained within {limit} s: {sent()} of {messages} sent")
        time.sleep(0.1)
    return time.perf_counter() - start


class Figures:
    """One drain's or enqueue's figures."""

    def __init__(self, label, count, seconds, outbox_cpu, server_cpu, sink_cpu, busy, statements=None, round_trips=None):
        self.label, self.count, self.seconds = label, count, seconds
        self.outbox_cpu, self.server_cpu, self.sink_cpu, self.busy = outbox_cpu, server_cpu, sink_cpu, busy
        self.statements, self.round_trips = statements, round_trips

    @property
    def rate(self):
        return self.count / self.seconds

    def cpu_line(self, unit):
        per = 1000 / self.count
        used = self.outbox_cpu + self.server_cpu + self.sink_cpu
        line = (f"  CPU per 1,000 {unit}: outbox {self.outbox_cpu * per:.2f} s, postgres {self.server_cpu * per:.2f} s, "
                f"smtp-sink {self.sink_cpu * per:.2f} s; of {cores} cores x {self.seconds:.1f} s these used "
                f"{100 * used / (cores * self.seconds):.0f}% (outbox {100 * self.outbox_cpu / (cores * self.seconds):.0f}%, "
                f"postgres {100 * self.server_cpu / (cores * self.seconds):.0f}%), everything on the machine {100 * self.busy / (cores * self.seconds):.0f}%")
        if self.server_cpu == 0:
            line = line.replace(", postgres 0.00 s", "").replace(", postgres 0%", "")
        if self.sink_cpu == 0:
            line = line.replace(", smtp-sink 0.00 s", "")
        return line

    def database_line(self, unit):
        calls = sum(c for c, _ in self.statements)
        return (f"  per {unit} message: {calls / self.count:.3f} statements (pg_stat_statements), "
                f"{self.round_trips / self.count:.3f} round trips (server replies)")

    def top_statements(self, limit=10, least=0.005):
        lines = []
        for calls, query in self.statements[:limit]:
            if calls / self.count >= least:
                lines.append(f"    {calls / self.count:8.4f}  {query[:110]}")
        return "\n".join(lines)


def drain_sqlite(template_jsonl, port, config, run):
    path = os.path.join(workdir, f"drain-{run}.db")
    run_quietly([outbox, "init", "--db", path])
    run_quietly([outbox, "enqueue", "--db", path, template_jsonl])
    bench_profile(path, port)
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    sent = lambda: reader.execute("SELECT count(*) FROM message WHERE state = 'sent'").fetchone()[0]  # noqa: E731
    sink_before, busy_before = process_cpu(sink.pid), machine_busy()
    nodes = start_nodes(1, path, config)
    seconds = watch_drain(nodes, sent)
    busy = machine_busy() - busy_before
    sink_cpu = process_cpu(sink.pid) - sink_before
    outbox_cpu = stop_nodes(nodes)
    reader.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return Figures("1 node, SQLite", messages, seconds, outbox_cpu, 0.0, sink_cpu, busy)


def drain_postgres(cluster, count, config, run):
    database = f"drain_{count}_{run}"
    cluster.create_database(database, template="queued")
    monitor = Monitor(cluster, database)
    trips = RoundTrips(cluster.port, [monitor.client_port])
    sent = lambda: int(monitor.query("SELECT count(*) FROM message WHERE state = 'sent'"))  # noqa: E731
    cluster.reset_statements()
    server_before = cluster.cpu(leaving_out={monitor.backend})
    sink_before, busy_before = process_cpu(sink.pid), machine_busy()
    nodes = start_nodes(count, cluster.url(database), config)
    seconds = watch_drain(nodes, sent, on_tick=trips.sample)
    trips.sample()
    busy = machine_busy() - busy_before
    sink_cpu = process_cpu(sink.pid) - sink_before
    statements = cluster.statements()
    outbox_cpu = stop_nodes(nodes)
    time.sleep(0.5)  # the nodes' backends exit and are reaped into the postmaster's children's time
    server_cpu = cluster.cpu(leaving_out={monitor.backend}) - server_before
    failed = monitor.query("SELECT count(*) FROM message WHERE state <> 'sent'")
    monitor.close()
    if failed != "0":
        sys.exit(f"{failed} message(s) not sent after the drain with {count} node(s)")
    cluster.sql(f"DROP DATABASE {database}", "postgres")
    return Figures(f"{count} node{'s' if count > 1 else ''}, PostgreSQL", messages, seconds, outbox_cpu, server_cpu, sink_cpu, busy,
                   statements, trips.total())


def measured(argv, during=lambda: None):
    """Runs argv: (wall seconds, its CPU seconds); `during` is called every 0.1 s meanwhile."""
    err = open(os.path.join(workdir, "stderr.log"), "w+")
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            break
        during()
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err.seek(0)
        sys.exit(f"{' '.join(argv)} failed: {err.read()[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime


def enqueue_sqlite(batch):
    path = os.path.join(workdir, "enqueue.db")
    run_quietly([outbox, "init", "--db", path])
    busy_before = machine_busy()
    seconds, outbox_cpu = measured([outbox, "enqueue", "--db", path, batch])
    figures = Figures("SQLite", enqueue_count, seconds, outbox_cpu, 0.0, 0.0, machine_busy() - busy_before)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return figures


def enqueue_postgres(cluster, batch):
    cluster.create_database("enqueue")
    run_quietly([outbox, "status", "--db", cluster.url("enqueue")])  # migrates the empty outbox first
    monitor = Monitor(cluster, "enqueue")
    trips = RoundTrips(cluster.port, [monitor.client_port])
    cluster.reset_statements()
    server_before = cluster.cpu(leaving_out={monitor.backend})
    busy_before = machine_busy()
    seconds, outbox_cpu = measured([outbox, "enqueue", "--db", cluster.url("enqueue"), batch], during=trips.sample)
    busy = machine_busy() - busy_before
    time.sleep(0.5)
    server_cpu = cluster.cpu(leaving_out={monitor.backend}) - server_before
    statements = cluster.statements()
    stored = monitor.query("SELECT count(*) FROM message")
    monitor.close()
    if stored != str(enqueue_count):
        sys.exit(f"enqueue on PostgreSQL stored {stored} of {enqueue_count}")
    cluster.sql("DROP DATABASE enqueue", "postgres")
    return Figures("PostgreSQL", enqueue_count, seconds, outbox_cpu, server_cpu, 0.0, busy, statements, trips.total())


def report_drains(results):
    print(f"\ndrain: {messages} messages of ~{size} bytes, {workers} workers per node, connections-per-profile {connection_cap} (across nodes), {runs} run(s), one smtp-sink")
    baseline = None
    for label in results:
        figures = results[label]
        middle = sorted(figures, key=lambda f: f.rate)[len(figures) // 2]
        rate = statistics.median(f.rate for f in figures)
        baseline = baseline or rate
        runs_text = f" (runs: {', '.join(f'{f.rate:,.0f}' for f in figures)})" if len(figures) > 1 else ""
        print(f"{label}: {rate:,.0f} msg/s{runs_text}, {100 * rate / baseline:.0f}% of SQLite; load {middle.load}")
        print(middle.cpu_line("messages"))
        if middle.statements is not None:
            print(middle.database_line("delivered"))
            print(middle.top_statements())
    sys.stdout.flush()


def main():
    global sink
    os.makedirs(workdir, exist_ok=True)
    print(f"bench-nodes: load average {load()} on {cores} CPUs")
    sink, port = start_sink()
    cluster = Cluster(workdir)
    try:
        config = node_config()
        drain_batch = write_batch(messages, False)
        cluster.create_database("queued")
        run_quietly([outbox, "enqueue", "--db", cluster.url("queued"), drain_batch])
        cluster.sql(f"INSERT INTO profile (owner, mode, host, port, tls, from_address, updated_at) "
                    f"VALUES ('bench', 'smtp', '127.0.0.1', {port}, 'none', 'bench@example.com', 1)", "queued")
        cluster.sql("CHECKPOINT", "postgres")
        results = {}
        for run in range(runs):
            measured_load = load()
            figures = drain_sqlite(drain_batch, port, config, run)
            figures.load = measured_load
            results.setdefault(figures.label, []).append(figures)
            for count in node_counts:
                cluster.sql("CHECKPOINT", "postgres")
                measured_load = load()
                figures = drain_postgres(cluster, count, config, run)
                figures.load = measured_load
                results.setdefault(figures.label, []).append(figures)
                print(f"  run {run + 1}: {figures.label} {figures.rate:,.0f} msg/s (load {measured_load})", file=sys.stderr, flush=True)
        report_drains(results)
        os.remove(drain_batch)

        if enqueue_count > 0:
            batch = write_batch(enqueue_count, True)
            cluster.sql("CHECKPOINT", "postgres")
            pg_load = load()
            postgres = enqueue_postgres(cluster, batch)
            sqlite_load = load()
            lite = enqueue_sqlite(batch)
            os.remove(batch)
            print(f"\nenqueue {enqueue_count:,} keyed messages of ~{size} bytes (JSON Lines, one batch): "
                  f"PostgreSQL {postgres.seconds:.1f} s (load {pg_load}), SQLite {lite.seconds:.1f} s (load {sqlite_load}); "
                  f"PostgreSQL / SQLite {postgres.seconds / lite.seconds:.2f}x")
            print(postgres.database_line("enqueued"))
            print(postgres.top_statements(6, least=0))
            print(postgres.cpu_line("messages").replace("  CPU", "  PostgreSQL: CPU"))
            print(lite.cpu_line("messages").replace("  CPU", "  SQLite: CPU"))
    finally:
        cluster.stop()
        sink.terminate(); sink.wait()


main()
