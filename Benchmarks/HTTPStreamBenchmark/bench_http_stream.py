"""The HTTP listener's cost to `outbox serve` (run by scripts/bench-http-stream):
RSS per concurrent SSE subscriber, and drain time with and without the listener."""
import json, os, selectors, shutil, socket, sqlite3, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from smtp_sink import bench_profile, start_sink  # noqa: E402

outbox, workdir = sys.argv[1], sys.argv[2]
subscribers = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
messages = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
runs = int(os.environ.get("RUNS", "3"))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def start_serve(db, conf, log):
    serve = subprocess.Popen([outbox, "serve", "--db", db, "--config", conf, "--poll", "50ms"],
                             stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    return serve


def wait_port(log, serve):
    for _ in range(600):
        text = open(log).read()
        marker = "HTTP API listening on 127.0.0.1:"
        if marker in text:
            return int(text.split(marker)[1].split()[0].rstrip("."))
        if serve.poll() is not None:
            break
        time.sleep(0.05)
    sys.exit("serve did not listen: " + open(log).read())


def token(db, name):
    return subprocess.run([outbox, "api-token", "create", name, "--db", db], check=True, capture_output=True, text=True).stdout.strip()


def open_subscribers(port, bearer, count):
    """count SSE connections that got their 200; (sockets, seconds to open them)."""
    start = time.time()
    sockets = []
    request = (f"GET /v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), 30)
        s.sendall(request)
        sockets.append(s)
    for s in sockets:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                sys.exit("a subscriber was closed before its 200")
            head += chunk
        if not head.startswith(b"HTTP/1.1 200"):
            sys.exit("a subscriber was refused: " + head.split(b"\r\n")[0].decode())
    return sockets, time.time() - start


def all_receive(sockets, needle, timeout=60):
    """Whether every socket receives `needle` within timeout seconds."""
    selector = selectors.DefaultSelector()
    buffers = {}
    for s in sockets:
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ)
        buffers[s] = b""
    waiting = set(sockets)
    deadline = time.time() + timeout
    while waiting and time.time() < deadline:
        for key, _ in selector.select(timeout=1):
            try:
                buffers[key.fileobj] += key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            if needle in buffers[key.fileobj]:
                waiting.discard(key.fileobj)
                selector.unregister(key.fileobj)
    return len(sockets) - len(waiting)


def measure_subscribers():
    db, conf, log = os.path.join(workdir, "sse.db"), os.path.join(workdir, "sse.conf"), os.path.join(workdir, "sse.log")
    with open(conf, "w") as f:
        f.write("[http]\nlisten = 127.0.0.1:0\n")
    bearer = token(db, "bench")
    serve = start_serve(db, conf, log)
    try:
        port = wait_port(log, serve)
        time.sleep(2)
        baseline = rss_mb(serve.pid)
        sockets, opened = open_subscribers(port, bearer, subscribers)
        time.sleep(2)
        loaded = rss_mb(serve.pid)
        batch = os.path.join(workdir, "one.json")
        with open(batch, "w") as f:
            json.dump({"key": "sse-probe", "owner": "bench", "subject": "x", "text": "x", "messages": [{"to": ["a@example.net"]}]}, f)
        subprocess.run([outbox, "enqueue", "--db", db, batch], check=True, stdout=subprocess.DEVNULL)
        received = all_receive(sockets, b"event: enqueued")
        after = rss_mb(serve.pid)
        for s in sockets:
            s.close()
        return baseline, loaded, after, opened, received
    finally:
        serve.terminate()
        serve.wait()


def queued_template(port):
    path = os.path.join(workdir, "queued.db")
    batch = os.path.join(workdir, "batch.jsonl")
    body = ("Tere! Arve on lisatud. Lugupidamisega, Raamatupidamine.\n" * 40)
    with open(batch, "w") as f:
        for i in range(messages):
            f.write(json.dumps({"owner": "bench", "subject": f"Invoice {i}", "text": body, "to": [f"c{i}@example.net"]}) + "\n")
    subprocess.run([outbox, "enqueue", "--db", path, batch], check=True, stdout=subprocess.DEVNULL)
    bench_profile(path, port)
    return path


def drain(template, listener, subscribers=0):
    """Seconds from serve's start until every message is sent or failed."""
    path = os.path.join(workdir, "drain.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copyfile(template, path)
    conf, log = os.path.join(workdir, "drain.conf"), os.path.join(workdir, "drain.log")
    with open(conf, "w") as f:
        f.write("[http]\nlisten = 127.0.0.1:0\n" if listener else "")
    bearer = token(path, "bench") if listener else None
    start = time.time()
    serve = start_serve(path, conf, log)
    sockets = []
    try:
        if listener:
            port = wait_port(log, serve)
            if subscribers:
                sockets, _ = open_subscribers(port, bearer, subscribers)
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        while True:
            done = reader.execute("SELECT COALESCE(SUM(n), 0) FROM message_count WHERE state IN ('sent','failed')").fetchone()[0]
            if done >= messages:
                break
            if serve.poll() is not None:
                sys.exit("serve ended: " + open(log).read()[-2000:])
            time.sleep(0.02)
        seconds = time.time() - start
        reader.close()
        return seconds
    finally:
        for s in sockets:
            s.close()
        serve.terminate()
        serve.wait()


def main():
    load = open("/proc/loadavg").read().split()[:3]
    print(f"outbox: {outbox}; {os.cpu_count()} cores, load average {' '.join(load)}")
    baseline, loaded, after, opened, received = measure_subscribers()
    print(f"SSE: {subscribers} subscribers opened in {opened:.1f} s; {received} of them received the next event")
    print(f"RSS: {baseline:.1f} MB listening idle, {loaded:.1f} MB with {subscribers} subscribers "
          f"(+{loaded - baseline:.1f} MB, {(loaded - baseline) * 1024 / subscribers:.1f} KB each), {after:.1f} MB after one event to all")
    sink, port = start_sink()
    try:
        template = queued_template(port)
        without, idle, with_listener = [], [], []
        for _ in range(runs):
            without.append(drain(template, False))
            idle.append(drain(template, True))
            with_listener.append(drain(template, True, subscribers=1))
    finally:
        sink.terminate()
        sink.wait()
    a, i, b = statistics.median(without), statistics.median(idle), statistics.median(with_listener)
    print(f"drain {messages} messages to smtp-sink, median of {runs}: without [http] {a:.2f} s, "
          f"with the listener {i:.2f} s ({(i - a) / a * 100:+.1f} %), "
          f"with the listener and 1 SSE subscriber {b:.2f} s ({(b - a) / a * 100:+.1f} %)")
    print("  runs without: " + " ".join(f"{x:.2f}" for x in without) + "; listener: " + " ".join(f"{x:.2f}" for x in idle)
          + "; listener + subscriber: " + " ".join(f"{x:.2f}" for x in with_listener))


if __name__ == "__main__":
    main()
