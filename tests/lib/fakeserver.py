#!/usr/bin/python3
"""fakeserver.py PORT CA CERT KEY ROWS|ROWS!|endless|pieces: a hostile reset
server for ssprctl --server, or (pieces) for a relay.  It takes one TLS connection (a client certificate from
CA required), reads HOST, HELLO and ADMIN, and answers ROWS activity rows
whose fields, once decoded, hold terminal escapes, newlines, CSV and JSON
quoting, a time that is none, one that is not written as ssprctl sorts
and cells a spreadsheet would take for formulas, then ADMIN_END.  pieces:
HELLO_OK a byte per TLS record, then to STATUS an ACCOUNT and, in the
same record, a DONE that no flow may get (nothing follows a last
answer); then it waits for the relay to close.  Prints "ready" when it
listens."""
import socket
import ssl
import struct
import sys
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
from fleetclient import frame, recv_exact, s  # noqa: E402


def read_frame(t):
    (n,) = struct.unpack(">I", recv_exact(t, 4))
    return recv_exact(t, n)


def pieces(t):
    hello_ok = frame(0x8001, struct.pack(">HI", 1, 4))
    for i in range(len(hello_ok)):
        t.sendall(hello_ok[i:i + 1])
        time.sleep(0.02)
    read_frame(t)                       # STATUS
    t.sendall(frame(0x8007, b"\x01\x00\x00") + frame(0x8006, struct.pack(">H", 0)))
    try:
        while t.recv(4096):
            pass
    except (OSError, ssl.SSLError):
        pass


def main():
    port, ca, cert, key, rows = sys.argv[1:6]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(port)))
    ls.listen(1)
    print("ready", flush=True)
    raw, _ = ls.accept()
    ls.close()                          # the next one may listen here
    t = ctx.wrap_socket(raw, server_side=True)
    read_frame(t)                       # HOST
    read_frame(t)                       # HELLO
    if rows == "pieces":
        pieces(t)
        return
    t.sendall(frame(0x8001, struct.pack(">HI", 1, 0)))
    read_frame(t)                       # ADMIN
    evil = [b"2026-01-01T00:00:00Z", b"evil%1B]0;owned%07host",
            b"reset", b"ok", b"-", b"mal%1B[2Jlory%0A%0Dx,%22y%5C",
            b"a%E2%80%AEb", b"svc", b"-", b"0"]
    out = [frame(0x8010, s(b" ".join(evil)))]
    out.append(frame(0x8010, s(b"not-a-time h e r - u s v - 0")))
    # the newest record, its time as strptime takes it but not as text
    # sorts; cells a spreadsheet would run as formulas
    out.append(frame(0x8010, s(b"%202026-01-03T00:00:00Z late.test reset ok"
                               b" - =HYPERLINK(%22http://x%22) @SUM(A1) +svc"
                               b" - -1+1")))
    # ROWS more, or "endless": until the client stops reading, or a minute
    # "N!": N rows, then the connection closed with no ADMIN_END
    broken = rows.endswith("!")
    rows = rows.rstrip("!")
    limit = None if rows == "endless" else int(rows)
    deadline = time.monotonic() + 60
    i = 0
    try:
        t.sendall(b"".join(out))
        while (i < limit if limit is not None
               else time.monotonic() < deadline):
            n = 1000 if limit is None else min(1000, limit - i)
            t.sendall(b"".join(frame(0x8010, s(
                b"2026-01-02T00:00:00Z flood.test reset ok - u%d - svc - 0"
                % j)) for j in range(i, i + n)))
            i += n
        if broken:
            t.close()
            return
        t.sendall(frame(0x8011, struct.pack(">H", 0) + s(b"done")))
        t.unwrap()
    except (OSError, ssl.SSLError):
        pass

main()
