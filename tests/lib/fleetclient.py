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


def main():
    port, ca, cert, key = sys.argv[1:5]
    steps = sys.argv[5:]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    if cert != "-":
        ctx.load_cert_chain(cert, key)
    raw = socket.create_connection(("127.0.0.1", int(port)), 10)
    t = ctx.wrap_socket(raw, server_hostname="localhost")
    i = 0
    while i < len(steps):
        st = steps[i]
        i += 1
        try:
            if st == "host":
                kind = steps[i]
                i += 1
                if kind == "root":
                    t.sendall(frame(0x20, b"\x01" + struct.pack(">I", 0) + s("")))
                elif kind == "allowed":
                    t.sendall(frame(0x20, b"\x02" + struct.pack(">I", int(steps[i])) + s("")))
                    i += 1
                else:
                    t.sendall(frame(0x20, b"\x03" + struct.pack(">I", int(steps[i])) + s(steps[i + 1])))
                    i += 2
            elif st == "hello":
                rhost = ""
                if i < len(steps) and steps[i] not in ("recv", "start", "status", "admin", "hold"):
                    rhost = steps[i]
                    i += 1
                t.sendall(frame(0x01, struct.pack(">H", 1) + s("fleet-test") + s("pts/9")
                                + s(rhost) + s("") + s("")))
            elif st == "start":
                t.sendall(frame(0x02, b"\x01" + s(steps[i])))
                i += 1
            elif st in ("answer", "newpw"):
                t.sendall(frame(0x03 if st == "answer" else 0x04, s(steps[i])))
                i += 1
            elif st == "cancel":
                t.sendall(frame(0x05))
            elif st == "code":
                code = subprocess.run(
                    [os.environ["SRC"] + "/tests/lib/env-mailcode.sh",
                     os.environ["T"], steps[i], steps[i + 1]],
                    check=True, capture_output=True, text=True).stdout.strip()
                i += 2
                t.sendall(frame(0x03, s(code)))
            elif st == "status":
                t.sendall(frame(0x07, s(steps[i])))
                i += 1
            elif st == "admin":
                op = int(steps[i])
                arg = steps[i + 1] if i + 1 < len(steps) and steps[i + 1] != "recv" else ""
                i += 2 if arg else 1
                t.sendall(frame(0x10, struct.pack(">H", op) + s(arg)))
            elif st == "toolong":
                t.sendall(struct.pack(">I", 5000) + b"\x00\x01")
            elif st == "recv":
                if not show(t):
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
                print("resumed" if t.session_reused else "new")
                sys.stdout.flush()
        except (OSError, ssl.SSLError):
            print("closed")
            return


if __name__ == "__main__":
    main()
