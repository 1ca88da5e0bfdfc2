#!/usr/bin/python3
"""gevent StreamServer TCP echo server on 127.0.0.1:PORT: one greenlet per
connection doing blocking-style recv/sendall on gevent's cooperative sockets
(libev/libuv loop underneath).

Run with Debian's /usr/bin/python3 (gevent comes from python3-gevent):
    /usr/bin/python3 echo_gevent.py PORT
"""
import socket
import sys

from gevent.server import StreamServer


def handle(sock, _address):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            data = sock.recv(16384)
            if not data:
                break  # peer closed
            sock.sendall(data)  # handles partial writes
    except OSError:
        pass  # reset by the peer
    finally:
        sock.close()


if __name__ == "__main__":
    # StreamServer sets SO_REUSEADDR on its listener itself.
    StreamServer(("127.0.0.1", int(sys.argv[1])), handle, backlog=1024).serve_forever()
