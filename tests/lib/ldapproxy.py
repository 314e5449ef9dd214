#!/usr/bin/python3
"""A Unix-socket proxy in front of slapd's ldapi socket that can lose a
Password Modify on purpose, for tests of "a write whose answer is lost".

  ldapproxy.py LISTEN TARGET MODEFILE

MODEFILE holds one word, read whenever a Password Modify passes:
  pass          forward everything
  lose-answer   forward the Password Modify request, then cut the
                connection before slapd's answer comes back
  lose-request  cut the connection instead of forwarding the request
  hold          forward the request, so slapd does the write, but never
                return slapd's answers on that connection; connections
                opened after it, until MODEFILE is written again, are
                accepted and never forwarded, so nothing can be read back
The Password Modify is recognised by its OID in the client's bytes (ldapi
carries no TLS).
"""
import asyncio
import os
import sys
import time

OID = b"1.3.6.1.4.1.4203.1.11.1"
held = None     # when a "hold" swallowed a Password Modify's answer


async def pipe(reader, writer, watch, state):
    global held
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if watch and OID in data:
                state["mode"] = read_mode(state["modefile"])
            if watch and OID in data and state["mode"] == "hold":
                state["swallow"] = True
                held = time.time()
            if state.get("swallow"):
                if watch:       # slapd still gets the client's bytes
                    writer.write(data)
                    await writer.drain()
                continue
            if watch and OID in data and state["mode"] != "pass":
                if state["mode"] == "lose-request":
                    break
                writer.write(data)
                await writer.drain()
                state["cut"] = True
                await asyncio.sleep(0.5)   # slapd does the write
                break
            if not watch and state.get("cut"):
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def mtime(path):
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0


def read_mode(modefile):
    try:
        return open(modefile).read().strip()
    except OSError:
        return "pass"


async def blackhole(cr, cw):
    while await cr.read(65536):
        pass
    cw.close()


async def handle(cr, cw, target, modefile):
    global held
    if held is not None and mtime(modefile) > held:
        held = None     # the test has written the mode since
    if held is not None:
        await blackhole(cr, cw)
        return
    state = {"mode": "pass", "modefile": modefile}
    sr, sw = await asyncio.open_unix_connection(target)
    t1 = asyncio.ensure_future(pipe(cr, sw, True, state))
    t2 = asyncio.ensure_future(pipe(sr, cw, False, state))
    done, pending = await asyncio.wait([t1, t2],
                                       return_when=asyncio.FIRST_COMPLETED)
    for t in pending:
        t.cancel()
    cw.close()
    sw.close()


async def main():
    listen, target, modefile = sys.argv[1:4]
    if os.path.exists(listen):
        os.unlink(listen)
    server = await asyncio.start_unix_server(
        lambda r, w: handle(r, w, target, modefile), path=listen)
    async with server:
        await server.serve_forever()

asyncio.run(main())
