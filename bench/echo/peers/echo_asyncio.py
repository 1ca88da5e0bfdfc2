#!/usr/bin/python3
"""asyncio (or, with --uvloop, uvloop) TCP echo server on 127.0.0.1:PORT.

Uses the Protocol API, the fast idiomatic way: data_received() writes straight
back to the transport, no coroutine or StreamReader per message. asyncio and
uvloop both set TCP_NODELAY on accepted sockets themselves.

Run with Debian's /usr/bin/python3 (uvloop comes from python3-uvloop):
    /usr/bin/python3 echo_asyncio.py PORT [--uvloop]
"""
import asyncio
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)  # buffers and waits for writability itself


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, backlog=1024, reuse_address=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    port = int(sys.argv[1])
    if "--uvloop" in sys.argv[2:]:
        import uvloop
        uvloop.install()  # replace the default event loop policy
    asyncio.run(main(port))
