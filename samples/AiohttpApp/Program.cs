// The aiohttp seed: an index page and /hello/{name}, each handler a coroutine.
//
//     def index(request):
//         return web.Response(body=b'<h1>Index</h1>')
//     def hello(request):
//         yield from asyncio.sleep(0.5)
//         text = '<h1>Hello, %s!</h1>' % request.match_info['name']
//         return web.Response(body=text.encode('utf-8'))
//     app.router.add_route('GET', '/', index)
//     app.router.add_route('GET', '/hello/{name}', hello)
//     srv = yield from loop.create_server(app.make_handler(), '127.0.0.1', 8000)
//
// Try http://127.0.0.1:8000/ and http://127.0.0.1:8000/hello/World. The half-second sleep holds
// no thread: thousands of requests can sleep at once on one loop.
using System.Net;
using Eddy.Coroutines;
using Eddy.Web;

var app = new App();
app.Get("/", _ => Result.Html("<h1>Index</h1>"));
app.Get("/hello/{name}", async request =>
{
    await Coroutine.SleepAsync(TimeSpan.FromSeconds(0.5));
    return Result.Html($"<h1>Hello, {WebUtility.HtmlEncode(request["name"])}!</h1>");
});
app.Run(args.Length > 0 ? args[0] : "http://127.0.0.1:8000");
