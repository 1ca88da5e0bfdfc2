// The HTTP server Eddy is measured with (bench/serve.sh, bench/http/run.sh): 127.0.0.1:PORT,
// default HttpServerOptions, on LOOPS loops (1: the current loop; more: a LoopGroup).
//   GET  /plaintext  "Hello, World!" (text/plain, pre-encoded bytes)
//   GET  /json       {"message":"Hello, World!"} serialized per request (source-generated, pooled buffer)
//   /echo            (any method) every received header as "Name: Value", one per line
//   /cookie          (any method) the request's cookies as "name=value", one per line
//   GET, HEAD other  200 "OK"
//   POST other       200 with exactly the request body
//   OPTIONS          200 with Allow
//   anything else    405 with Allow
// With --web as the third argument it serves /plaintext and /json through Eddy's web framework
// instead (App: router, handler, Result, serializer), the peer of Kestrel's minimal API.
using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Eddy.Http;
using Eddy.Loop;
using Eddy.Web;

int port = args.Length > 0 ? int.Parse(args[0]) : 8080;
int loops = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 1;
bool web = args.Contains("--web");

using var group = loops > 1 ? new LoopGroup(loops) : null;
var options = new HttpServerOptions { LoopGroup = group };
EventLoop.Run(async () =>
{
    var server = HttpServer.Start(web ? WebApp.Create().Handler : Handlers.HandleAsync, new IPEndPoint(IPAddress.Loopback, port), options);
    Console.WriteLine($"eddy {(web ? "web" : "http")} bench on {server.EndPoint}, {Math.Max(loops, 1)} loop(s)");
    await new TaskCompletionSource().Task; // serve until killed
}, new LoopOptions { StallThreshold = null });

static class Handlers
{
    private const string Allow = "GET, HEAD, POST, OPTIONS";
    private static readonly byte[] Plaintext = "Hello, World!"u8.ToArray();
    private static readonly byte[] Ok = "OK"u8.ToArray();
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>bench/http/idle.sh only (EDDY_BENCH_GC=1): GET /__gc answers the live managed bytes after a full GC.</summary>
    private static readonly bool GcEndpoint = Environment.GetEnvironmentVariable("EDDY_BENCH_GC") == "1";

    private static string FullGc()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return $"{GC.GetTotalMemory(false)}\n";
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_jsonBuffer;
    [ThreadStatic] private static Utf8JsonWriter? t_jsonWriter;

    public static ValueTask HandleAsync(HttpRequest request, HttpResponse response)
    {
        string method = request.Method;
        string path = request.Path;
        switch (path)
        {
            case "/echo": return EchoHeaders(request, response);
            case "/cookie": return Cookies(request, response);
            case "/__gc" when GcEndpoint: return WriteString(response, FullGc());
        }
        switch (method)
        {
            case "GET":
            case "HEAD":
                if (path == "/plaintext") return Text(response, Plaintext);
                if (path == "/json") return Json(response);
                return Text(response, Ok);
            case "POST":
                return EchoBodyAsync(request, response);
            case "OPTIONS":
                response.Headers.Set("Allow", Allow);
                response.ContentLength = 0;
                return default;
            default:
                response.StatusCode = 405;
                response.Headers.Set("Allow", Allow);
                response.ContentLength = 0;
                return default;
        }
    }

    private static ValueTask Text(HttpResponse response, byte[] body)
    {
        response.Headers.Set("Content-Type", "text/plain");
        response.Write(body);
        return default;
    }

    private static ValueTask Json(HttpResponse response)
    {
        var buffer = t_jsonBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_jsonWriter ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, new JsonMessage("Hello, World!"), BenchJsonContext.Default.JsonMessage);
        response.Headers.Set("Content-Type", "application/json");
        response.Write(buffer.WrittenSpan);
        return default;
    }

    private static async ValueTask EchoBodyAsync(HttpRequest request, HttpResponse response)
    {
        response.Headers.Set("Content-Type", "application/octet-stream");
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.ReadAsync(chunk)) > 0) response.Write(chunk.AsSpan(0, read));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static ValueTask EchoHeaders(HttpRequest request, HttpResponse response)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in request.Headers) text.Append(name).Append(": ").Append(value).Append('\n');
        return WriteString(response, text.ToString());
    }

    private static ValueTask Cookies(HttpRequest request, HttpResponse response)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in request.Headers)
        {
            if (!name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = part.IndexOf('=');
                if (eq <= 0) continue;
                text.Append(part.AsSpan(0, eq).Trim()).Append('=').Append(part.AsSpan(eq + 1).Trim()).Append('\n');
            }
        }
        return WriteString(response, text.ToString());
    }

    private static ValueTask WriteString(HttpResponse response, string text)
    {
        response.Headers.Set("Content-Type", "text/plain; charset=utf-8");
        response.Write(Encoding.UTF8.GetBytes(text));
        return default;
    }
}

/// <summary>The same endpoints through the web framework: what an Eddy user writes.</summary>
static class WebApp
{
    public static App Create()
    {
        var app = new App();
        app.Get("/plaintext", static _ => Result.Text("Hello, World!", contentType: "text/plain"));
        app.Get("/json", static _ => Result.Json(new JsonMessage("Hello, World!"), BenchJsonContext.Default.JsonMessage));
        return app;
    }
}

internal sealed record JsonMessage(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonMessage))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
