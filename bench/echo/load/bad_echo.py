#!/usr/bin/python3
"""A deliberately faulty echo server, to prove echo_load catches bad echoes.

    bad_echo.py PORT MODE

Echoes correctly until about AFTER bytes have gone through (all connections
together), then misbehaves once, in the way MODE says, and goes on echoing:
  good     never misbehaves (the control: echo_load must pass)
  corrupt  flips one bit in the middle of a message
  extra    sends one byte more than it received
  drop     leaves out one byte (that connection starves)
  swap     sends one connection's bytes to another connection
  close    closes one connection
Single-threaded selectors loop on 127.0.0.1 only; test use only.
"""
import selectors
import socket
import sys

AFTER = 64 * 20000

port, mode = int(sys.argv[1]), sys.argv[2]
sel = selectors.DefaultSelector()
ls = socket.create_server(("127.0.0.1", port), backlog=1024, reuse_port=False)
ls.setblocking(False)
sel.register(ls, selectors.EVENT_READ)
conns = []
total, fired = 0, mode == "good"

while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s is ls:
            c, _ = ls.accept()
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # Blocking sends: a 64-byte echo always fits the socket buffer.
            c.setblocking(True)
            sel.register(c, selectors.EVENT_READ)
            conns.append(c)
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            sel.unregister(s)
            conns.remove(s)
            s.close()
            continue
        total += len(data)
        out, dest = data, s
        if not fired and total >= AFTER and len(data) >= 64:
            fired = True
            if mode == "corrupt":
                out = data[:40] + bytes([data[40] ^ 0x10]) + data[41:]
            elif mode == "extra":
                out = data + b"\0"
            elif mode == "drop":
                out = data[:-1]
            elif mode == "swap" and len(conns) > 1:
                dest = conns[0] if conns[0] is not s else conns[1]
            elif mode == "close":
                sel.unregister(s)
                conns.remove(s)
                s.close()
                continue
            print(f"bad_echo: misbehaved ({mode}) after {total} bytes", file=sys.stderr, flush=True)
        try:
            dest.sendall(out)
        except OSError:
            pass
