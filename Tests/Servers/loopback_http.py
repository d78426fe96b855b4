"""The start-up the loopback HTTP test servers share: a threading server on 127.0.0.1 on an
ephemeral port, the port printed on stdout when ready, shut down after `lifetime` seconds."""
import threading
from http.server import ThreadingHTTPServer


def serve(handler, lifetime):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
