"""Postfix's smtp-sink on a free loopback port, for the drain benchmarks."""
import socket, subprocess, sys, time


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def wait_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close(); return
        except OSError:
            time.sleep(0.05)
    sys.exit("smtp-sink did not start")


def start_sink():
    """(process, port) of an smtp-sink accepting every message; terminate it when done."""
    port = free_port()
    sink = subprocess.Popen(["smtp-sink", "-4", "-u", "nobody", f"127.0.0.1:{port}", "1000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return sink, port


def bench_profile(path, port):
    """Points the `bench` owner of the database at `path` to the sink on `port` (plain SMTP)."""
    import sqlite3
    db = sqlite3.connect(path, timeout=30)
    db.execute("INSERT OR REPLACE INTO profile (owner, mode, host, port, tls, from_address, from_name, updated_at) "
               "VALUES ('bench', 'smtp', '127.0.0.1', ?, 'none', 'bench@example.com', 'Bench', 1)", (port,))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
