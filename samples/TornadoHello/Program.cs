// The Tornado seed: a RequestHandler class whose get() writes "Hello, world!".
//
//     class HelloWorldHandler(tornado.web.RequestHandler):
//         @tornado.gen.coroutine
//         def get(self):
//             self.write("Hello, world!")
//     app = tornado.web.Application([(r"/", HelloWorldHandler)])
//     app.listen(8000)
//     tornado.ioloop.IOLoop.current().start()
using Eddy.Web;

var app = new App();
app.Route<HelloWorldHandler>("/");
app.Run(args.Length > 0 ? args[0] : "http://127.0.0.1:8000");

internal sealed class HelloWorldHandler : RequestHandler
{
    public override ValueTask GetAsync()
    {
        Write("Hello, world!");
        return default;
    }
}
