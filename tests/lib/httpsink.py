#!/usr/bin/python3
"""A capturing HTTP server for tests: every request goes to its own file.

  httpsink.py --port P --dir D [--status N] [--delay S]

Files are named NNNNNN.req in arrival order and hold the request line
("METHOD PATH"), the headers as received, an empty line and the body.
Every request is answered with status N (default 200) after S seconds.
Listens on 127.0.0.1 only; runs until SIGTERM.
"""
import argparse
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0)
    a = ap.parse_args()
    lock = threading.Lock()
    seq = [0]

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            with lock:
                seq[0] += 1
                name = "%06d.req" % seq[0]
            tmp = os.path.join(a.dir, "." + name)
            with open(tmp, "wb") as f:
                f.write(("%s %s\n" % (self.command, self.path)).encode())
                f.write(bytes(self.headers))
                f.write(body)
            os.rename(tmp, os.path.join(a.dir, name))
            if a.delay:
                time.sleep(a.delay)
            msg = b'{"status":"queued"}' if a.status < 300 else b'{"error":"x"}'
            self.send_response(a.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)

        do_GET = do_POST = handle_any

        def log_message(self, fmt, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening on %d" % a.port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
