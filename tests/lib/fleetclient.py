#!/usr/bin/python3
"""fleetclient.py PORT CA CERT KEY STEP...: speaks the relay <-> reset
server protocol (PROTOCOL.md) to 127.0.0.1:PORT over TLS with CERT/KEY,
as a hostile host's root could.  Steps:
  host root | host allowed UID | host self UID NAME   HOST frame
  hello [RHOST]        HELLO (service fleet-test, tty pts/9)
  start USER           START purpose 1 (reset)
  answer TEXT | newpw TEXT   ANSWER / NEW_PASSWORD
  status USER          STATUS
  admin OP [ARG]       ADMIN
  toolong              a length of 5000
  cancel               CANCEL
  code RCPT N          ANSWER with the Nth code mailed to RCPT ($T's sink)
  recv                 one answer, printed as rawclient prints it
  hold                 keep the connection open until stdin closes
  until EPOCH          wait until that time (a certificate's end)
  reconnect            a new connection resuming this one's TLS session:
                       prints "resumed" or "new"
  batch ... flush      the frames between go out in one TLS record
  trickle              the next frame goes out a byte per TLS record,
                       20 ms apart
  partial N            only the first N bytes of the next frame
  sleep SECS           read nothing for that long
  drain                answers until ADMIN_END: prints "lines N" (the
                       ADMIN_LINEs) and the ADMIN_END, or "closed"
FLEETCLIENT_RCVBUF, if set, is the socket's receive buffer (a slow
reader's small window).
A closed connection prints "closed"; CERT '-' sends no certificate."""
import socket
import os
import ssl
import struct
import subprocess
import sys
import time

NAMES = {0x8001: "HELLO_OK", 0x8002: "CHALLENGE", 0x8003: "ANSWER_BAD",
         0x8004: "VERIFIED", 0x8005: "REJECTED", 0x8006: "DONE",
         0x8007: "ACCOUNT", 0x8008: "INFO", 0x8009: "METHODS",
         0x8010: "ADMIN_LINE", 0x8011: "ADMIN_END", 0x80ff: "FAIL"}
# steps that may follow "hello": not its rhost
NOT_RHOST = ("recv", "start", "status", "admin", "hold", "host", "flush",
             "batch", "trickle", "partial", "until", "sleep", "drain")


def s(text):
    b = text if isinstance(text, bytes) else text.encode()
    return struct.pack(">H", len(b)) + b


def frame(mtype, body=b""):
    return struct.pack(">IH", len(body) + 2, mtype) + body


def recv_exact(t, n):
    buf = b""
    while len(buf) < n:
        chunk = t.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def drain(t):
    lines = 0
    try:
        while True:
            (n,) = struct.unpack(">I", recv_exact(t, 4))
            body = recv_exact(t, n)
            (mtype,) = struct.unpack(">H", body[:2])
            if mtype != 0x8010:
                break
            lines += 1
    except (EOFError, OSError, ssl.SSLError):
        print("lines %d closed" % lines)
        return False
    print("lines %d %s" % (lines, NAMES.get(mtype, "type=0x%04x" % mtype)))
    return True


def show(t):
    try:
        (n,) = struct.unpack(">I", recv_exact(t, 4))
        body = recv_exact(t, n)
    except (EOFError, OSError, ssl.SSLError):
        print("closed")
        return False
    (mtype,) = struct.unpack(">H", body[:2])
    name = NAMES.get(mtype, "type=0x%04x" % mtype)
    if mtype in (0x80ff, 0x8006):
        print("%s %s=%d" % (name, "reason" if mtype == 0x80ff else "outcome",
                            struct.unpack(">H", body[2:4])[0]))
    elif mtype == 0x8003:
        print("ANSWER_BAD left=%d" % body[2])
    else:
        print(name)
    sys.stdout.flush()
    return True


class Out:
    """How the next frames go out: whole, gathered, a byte at a time."""

    def __init__(self):
        self.t = None
        self.batch = None
        self.trickle = False
        self.partial = None

    def send(self, data):
        if self.batch is not None:
            self.batch += data
        elif self.trickle:
            self.trickle = False
            for i in range(len(data)):
                self.t.sendall(data[i:i + 1])
                time.sleep(0.02)
        elif self.partial is not None:
            self.t.sendall(data[:self.partial])
            self.partial = None
        else:
            self.t.sendall(data)


def main():
    port, ca, cert, key = sys.argv[1:5]
    steps = sys.argv[5:]
    out = Out()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    if cert != "-":
        ctx.load_cert_chain(cert, key)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.environ.get("FLEETCLIENT_RCVBUF"):
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                       int(os.environ["FLEETCLIENT_RCVBUF"]))
    raw.settimeout(10)
    raw.connect(("127.0.0.1", int(port)))
    t = ctx.wrap_socket(raw, server_hostname="localhost")
    out.t = t
    i = 0
    while i < len(steps):
        st = steps[i]
        i += 1
        try:
            if st == "host":
                kind = steps[i]
                i += 1
                if kind == "root":
                    out.send(frame(0x20, b"\x01" + struct.pack(">I", 0) + s("")))
                elif kind == "allowed":
                    out.send(frame(0x20, b"\x02" + struct.pack(">I", int(steps[i])) + s("")))
                    i += 1
                else:
                    out.send(frame(0x20, b"\x03" + struct.pack(">I", int(steps[i])) + s(steps[i + 1])))
                    i += 2
            elif st == "hello":
                rhost = ""
                if i < len(steps) and steps[i] not in NOT_RHOST:
                    rhost = steps[i]
                    i += 1
                out.send(frame(0x01, struct.pack(">H", 1) + s("fleet-test") + s("pts/9")
                                + s(rhost) + s("") + s("")))
            elif st == "start":
                out.send(frame(0x02, b"\x01" + s(steps[i])))
                i += 1
            elif st in ("answer", "newpw"):
                out.send(frame(0x03 if st == "answer" else 0x04, s(steps[i])))
                i += 1
            elif st == "cancel":
                out.send(frame(0x05))
            elif st == "code":
                code = subprocess.run(
                    [os.environ["SRC"] + "/tests/lib/env-mailcode.sh",
                     os.environ["T"], steps[i], steps[i + 1]],
                    check=True, capture_output=True, text=True).stdout.strip()
                i += 2
                out.send(frame(0x03, s(code)))
            elif st == "status":
                out.send(frame(0x07, s(steps[i])))
                i += 1
            elif st == "admin":
                op = int(steps[i])
                arg = steps[i + 1] if i + 1 < len(steps) and steps[i + 1] != "recv" else ""
                i += 2 if arg else 1
                out.send(frame(0x10, struct.pack(">H", op) + s(arg)))
            elif st == "batch":
                out.batch = b""
            elif st == "flush":
                data, out.batch = out.batch, None
                t.sendall(data)
            elif st == "trickle":
                out.trickle = True
            elif st == "partial":
                out.partial = int(steps[i])
                i += 1
            elif st == "toolong":
                out.send(struct.pack(">I", 5000) + b"\x00\x01")
            elif st == "recv":
                if not show(t):
                    return
            elif st == "sleep":
                time.sleep(float(steps[i]))
                i += 1
            elif st == "drain":
                if not drain(t):
                    return
            elif st == "hold":
                sys.stdin.read()
            elif st == "until":
                end = float(steps[i])
                i += 1
                while time.time() <= end:
                    time.sleep(0.1)
            elif st == "reconnect":
                sess = t.session
                t.close()
                raw = socket.create_connection(("127.0.0.1", int(port)), 10)
                t = ctx.wrap_socket(raw, server_hostname="localhost",
                                    session=sess)
                out.t = t
                print("resumed" if t.session_reused else "new")
                sys.stdout.flush()
        except (OSError, ssl.SSLError):
            print("closed")
            return


if __name__ == "__main__":
    main()
