"""A private PostgreSQL cluster for the benchmarks, started as the tests start theirs
(Tests/OutboxTestSupport/PostgresCluster.swift): `initdb` in a temporary directory, the
server on a free 127.0.0.1 port with trust authentication for loopback TCP only, no Unix
socket, stopped and deleted by `stop()`. As root, the server runs as `nobody` (setpriv).

Unlike the tests' cluster it keeps PostgreSQL's durable defaults (fsync=on,
synchronous_commit=on: a commit is on disk, as SQLite's synchronous=FULL) and loads
pg_stat_statements, to count the statements of a workload."""
import os, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smtp_sink import free_port  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def binaries():
    root = "/usr/lib/postgresql"
    versions = sorted(int(v) for v in os.listdir(root) if v.isdigit()) if os.path.isdir(root) else []
    if not versions:
        sys.exit("PostgreSQL is not installed (scripts/install-deps --test)")
    return os.path.join(root, str(versions[-1]), "bin")


def process_cpu(pid, children=False):
    """utime + stime of `pid` in seconds (plus its reaped children's with `children`); 0 when gone."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / TICKS


def parent_of(pid):
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


class Cluster:
    user = "outbox"     # what `outbox` connects as (its statements are the ones counted)
    monitor = "bench"   # what the benchmark's own queries run as (left out of the counts)

    def __init__(self, workdir):
        self.bin = binaries()
        self.directory = os.path.join(workdir, "postgres")
        os.makedirs(self.directory)
        self.data = os.path.join(self.directory, "data")
        if os.getuid() == 0:
            shutil.chown(self.directory, "nobody")
        self._server("initdb", "-D", self.data, "-U", self.user, "--auth=trust", "-E", "UTF8", "--locale=C")
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("host all all 127.0.0.1/32 trust\n")
        for _ in range(3):
            self.port = free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' "
                       "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top "
                       "-c max_connections=200")
            started = subprocess.run(self._as_server("pg_ctl", "-D", self.data, "-l", os.path.join(self.directory, "server.log"),
                                                     "-o", options, "-w", "-t", "60", "start"),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if started.returncode == 0:
                break
        else:
            sys.exit("PostgreSQL did not start:\n" + open(os.path.join(self.directory, "server.log")).read()[-3000:])
        self.postmaster = int(open(os.path.join(self.data, "postmaster.pid")).readline())
        self.sql(f"CREATE ROLE {self.monitor} SUPERUSER LOGIN", "postgres", user=self.user)
        self.sql("CREATE EXTENSION pg_stat_statements", "postgres")
        self.user_oid = int(self.sql(f"SELECT '{self.user}'::regrole::oid", "postgres"))

    def _as_server(self, tool, *arguments):
        argv = [os.path.join(self.bin, tool), *arguments]
        if os.getuid() == 0:
            argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] + argv
        return argv

    def _server(self, tool, *arguments):
        run = subprocess.run(self._as_server(tool, *arguments), capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"{tool} failed: {run.stderr[-2000:]}")

    def url(self, database):
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def sql(self, statement, database, user=None):
        """One statement through psql (as the monitor role unless told); its unaligned output."""
        run = subprocess.run([os.path.join(self.bin, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", user or self.monitor,
                              "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", statement], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"psql failed ({statement[:80]}): {run.stderr[-2000:]}")
        return run.stdout.strip()

    def create_database(self, name, template=None):
        self.sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""), "postgres")

    def cpu(self, leaving_out=()):
        """CPU seconds of the whole server so far: the postmaster with its exited children, plus
        its live children (backends, checkpointer, WAL writer, autovacuum), less `leaving_out` pids."""
        total = process_cpu(self.postmaster, children=True)
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in leaving_out and parent_of(int(entry)) == self.postmaster:
                total += process_cpu(int(entry))
        return total

    def reset_statements(self):
        self.sql("SELECT pg_stat_statements_reset()", "postgres")

    def statements(self):
        """[(calls, query)] of the outbox role since the reset, most called first."""
        rows = self.sql(f"SELECT calls, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
                        f"WHERE userid = {self.user_oid} ORDER BY calls DESC", "postgres")
        return [(int(line.split("|", 1)[0]), line.split("|", 1)[1]) for line in rows.splitlines() if line]

    def stop(self):
        subprocess.run(self._as_server("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.directory, ignore_errors=True)


class Monitor:
    """One long-lived psql session (the monitor role) on `database`, for polling without a
    process per query; its backend's pid, so its CPU can be left out of the server's."""

    def __init__(self, cluster, database):
        self.process = subprocess.Popen([os.path.join(cluster.bin, "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U",
                                         cluster.monitor, "-d", database, "-XAtq"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.backend = int(self.query("SELECT pg_backend_pid()"))
        self.client_port = int(self.query("SELECT inet_client_port()"))

    def query(self, statement):
        self.process.stdin.write(statement.rstrip(";") + ";\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self):
        self.process.stdin.close()
        self.process.wait(10)


class RoundTrips:
    """Replies the server sent on the outbox's connections: data segments out of the server's
    loopback sockets (`ss -ti`); a reply to one request (or to a pipelined batch) leaves in
    one segment on loopback, so this counts round trips. Sampled while the connections live
    (a closed connection keeps its last sample)."""

    def __init__(self, port, leaving_out_ports):
        self.port, self.leaving_out, self.seen = port, set(leaving_out_ports), {}

    def sample(self):
        out = subprocess.run(["ss", "-tinH", "state", "established", f"( sport = :{self.port} )"],
                             capture_output=True, text=True).stdout.split("\n")
        peer = None
        for line in out:
            if not line.startswith(("\t", " ")) and line.strip():
                peer = int(line.split()[-1].rsplit(":", 1)[1])
            elif peer is not None and peer not in self.leaving_out:
                for field in line.split():
                    if field.startswith("data_segs_out:"):
                        self.seen[peer] = max(self.seen.get(peer, 0), int(field.split(":")[1]))

    def total(self):
        return sum(self.seen.values())
