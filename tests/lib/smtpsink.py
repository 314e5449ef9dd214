#!/usr/bin/python3
"""A capturing SMTP server for tests: every message goes to its own file.

  smtpsink.py --port P --dir D [--cert C --key K [--implicit]] [--delay S]
              [--auth USER:PASSWORD] [--one-per-connection]

Files are named NNNNNN-RCPT.eml in arrival order; each starts with the
envelope and the connection it came on (X-Sink-Connection: PID.N, the
Nth TCP connection of this sink process; X-Sink-TLS: yes or no).  With
a certificate the server offers STARTTLS and requires it (or, with
--implicit, speaks TLS from the first byte).  With --auth it offers AUTH
PLAIN and LOGIN (after STARTTLS) and takes mail only from that login.
With --one-per-connection a second MAIL on a connection is answered 421
and the connection closed, as a busy MTA does.  Runs until SIGTERM.
"""
import argparse
import asyncio
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir, delay, one):
        self.outdir = outdir
        self.delay = delay
        self.one = one
        # a restarted sink numbers on, not over the files it left
        self.seq = max((int(n[:6]) for n in os.listdir(outdir)
                        if n[:6].isdigit()), default=0)
        self.conns = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, options):
        if self.one and hasattr(server, "sink_conn"):
            server.loop.call_soon(server.transport.close)
            return "421 one message per connection"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.seq += 1
            seq = self.seq
            # one SMTP object per TCP connection, kept across STARTTLS
            if not hasattr(server, "sink_conn"):
                self.conns += 1
                server.sink_conn = self.conns
        tls = server.transport.get_extra_info("ssl_object") is not None
        rcpt = envelope.rcpt_tos[0] if envelope.rcpt_tos else "none"
        name = "%06d-%s.eml" % (seq, rcpt.replace("/", "_"))
        tmp = os.path.join(self.outdir, "." + name)
        with open(tmp, "wb") as f:
            f.write(("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n"
                     "X-Sink-Connection: %d.%d\r\nX-Sink-TLS: %s\r\n" % (
                         envelope.mail_from, ",".join(envelope.rcpt_tos),
                         os.getpid(), server.sink_conn,
                         "yes" if tls else "no")).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.outdir, name))
        return "250 OK"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login == user and
              data.password == password)
        return AuthResult(success=ok, handled=False)
    return check


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--implicit", action="store_true")
    ap.add_argument("--delay", type=float, default=0,
                    help="seconds to wait before accepting each message")
    ap.add_argument("--pidfile")
    ap.add_argument("--auth", help="USER:PASSWORD the server requires")
    ap.add_argument("--one-per-connection", action="store_true",
                    help="answer a second MAIL on a connection with 421")
    a = ap.parse_args()
    kw = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        if a.implicit:
            kw["ssl_context"] = ctx
        else:
            kw["tls_context"] = ctx
            kw["require_starttls"] = True
    if a.auth:
        user, password = a.auth.split(":", 1)
        kw["authenticator"] = authenticator(user.encode(), password.encode())
        kw["auth_required"] = True
    ctl = Controller(Sink(a.dir, a.delay, a.one_per_connection), hostname="127.0.0.1", port=a.port,
                     ready_timeout=10, **kw)
    ctl.start()
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
