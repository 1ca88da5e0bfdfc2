// Kestrel minimal API peer: GET /plaintext (Results.Text, so Content-Length is set) and GET /json
// (source-generated System.Text.Json), on 127.0.0.1:PORT, logging providers cleared.
using System.Text.Json.Serialization;

int port = args.Length > 0 ? int.Parse(args[0]) : 8080;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
var app = builder.Build();
app.MapGet("/plaintext", () => Results.Text("Hello, World!", "text/plain"));
app.MapGet("/json", () => Results.Json(new JsonMessage("Hello, World!"), AppJsonContext.Default.JsonMessage));
app.Run();

internal sealed record JsonMessage(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonMessage))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
