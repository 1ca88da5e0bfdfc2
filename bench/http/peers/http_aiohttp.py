# aiohttp peer: GET /plaintext "Hello, World!" on 127.0.0.1:PORT (access log off).
import sys
from aiohttp import web

async def plaintext(request):
    return web.Response(body=b"Hello, World!", content_type="text/plain")

app = web.Application()
app.router.add_get("/plaintext", plaintext)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
