# Tornado peer: GET /plaintext "Hello, World!" on 127.0.0.1:PORT (logging off).
import asyncio, logging, sys
import tornado.web

class Plaintext(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/plain")
        self.write(b"Hello, World!")

async def main():
    logging.getLogger("tornado.access").disabled = True
    app = tornado.web.Application([(r"/plaintext", Plaintext)])
    app.listen(int(sys.argv[1]), address="127.0.0.1")
    await asyncio.Event().wait()

asyncio.run(main())
