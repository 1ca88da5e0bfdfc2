#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one GET PATH on each and reads the
response, then holds them all idle: prints READY and waits for a line on stdin, then closes them.
Used by bench/http/idle.sh to measure a server's memory per idle connection."""
import socket
import sys
import time

def read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise IOError("closed before the response head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            raise IOError("closed in the body")
        body += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise IOError("not a 200: %r" % head[:40])

def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    path = sys.argv[3] if len(sys.argv) > 3 else "/plaintext"
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
    sockets = []
    start = time.monotonic()
    batch = 200  # under the listen backlog, so no SYN is dropped and retried
    for first in range(0, count, batch):
        opened = []
        for _ in range(min(batch, count - first)):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            opened.append(s)
        for s in opened:
            s.sendall(request)
        for s in opened:
            read_response(s)
        sockets.extend(opened)
    print("READY %d connections in %.1f s" % (len(sockets), time.monotonic() - start), flush=True)
    sys.stdin.readline()
    for s in sockets:
        s.close()
    print("CLOSED", flush=True)

if __name__ == "__main__":
    main()
