// Kestrel raw-middleware peer: one terminal middleware, pre-encoded bytes, Content-Length set.
// GET /plaintext "Hello, World!"; GET /json serialized per request (source-generated
// System.Text.Json, Utf8JsonWriter straight into the response's PipeWriter).
using System.Text.Json;
using System.Text.Json.Serialization;

int port = args.Length > 0 ? int.Parse(args[0]) : 8080;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
var app = builder.Build();
byte[] plaintext = "Hello, World!"u8.ToArray();
byte[] ok = "OK"u8.ToArray();
bool gcEndpoint = Environment.GetEnvironmentVariable("EDDY_BENCH_GC") == "1";
app.Run(context =>
{
    var response = context.Response;
    var path = context.Request.Path.Value;
    if (path == "/json")
    {
        response.ContentType = "application/json";
        using var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
        JsonSerializer.Serialize(writer, new JsonMessage("Hello, World!"), RawJsonContext.Default.JsonMessage);
        response.ContentLength = writer.BytesPending + writer.BytesCommitted;
        writer.Flush();
        return Task.CompletedTask;
    }
    if (path == "/__gc" && gcEndpoint)
    {
        // bench/http/idle.sh only (EDDY_BENCH_GC=1): live managed bytes after a full, compacting GC.
        var text = System.Text.Encoding.ASCII.GetBytes(FullGc.Run());
        response.ContentLength = text.Length;
        return response.Body.WriteAsync(text).AsTask();
    }
    var body = path == "/plaintext" ? plaintext : ok;
    response.ContentType = "text/plain";
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body).AsTask();
});
app.Run();

internal static class FullGc
{
    public static string Run()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return $"{GC.GetTotalMemory(false)}\n";
    }
}

internal sealed record JsonMessage(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonMessage))]
internal sealed partial class RawJsonContext : JsonSerializerContext;
