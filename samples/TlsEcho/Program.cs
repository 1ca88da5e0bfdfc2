// A TLS echo server: each line a client sends comes back, encrypted.
//
// Usage: dotnet run --project samples/TlsEcho -- [options]
//   --selfsigned               a throwaway certificate for localhost, made at start-up (the default)
//   --cert FILE [--key FILE]   a PFX file, or a PEM certificate (with its key in it, or in --key)
//   --password PASSWORD        the PFX's password, or the PEM key's
//   --port N                   the port (default 8443)
//   --selftest                 connect to itself, echo a line, and exit 0 (for CI)
// Then: openssl s_client -connect localhost:8443 -quiet   (and type lines)
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Eddy.Loop;
using Eddy.Net.Tls;

string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
bool selfTest = args.Contains("--selftest");
int port = selfTest ? 0 : int.Parse(Option("--port") ?? "8443");

X509Certificate2 certificate = Option("--cert") is { } path
    ? TlsCertificates.LoadFromFile(path, Option("--key"), Option("--password"))
    : TlsCertificates.CreateSelfSigned("localhost");
Console.WriteLine($"Certificate: {certificate.Subject}, SHA-256 fingerprint {TlsCertificates.Sha256Fingerprint(certificate)}");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

return EventLoop.Run(async () =>
{
    await using var server = await TlsStreams.StartServerAsync(EchoLines, "127.0.0.1", port, new TlsServerOptions { Certificate = certificate });
    Console.WriteLine($"TLS echo server on {server.EndPoint}");
    if (!selfTest)
    {
        await server.ServeForeverAsync(stop.Token);
        return 0;
    }
    // Trust exactly this certificate, for this connection only.
    await using var client = await TlsStreams.OpenConnectionAsync("localhost", server.Port, new TlsClientOptions { TrustedRoots = new(certificate) });
    client.Writer.Write("hello over TLS\n"u8);
    string echo = Encoding.UTF8.GetString((await client.Reader.ReadLineAsync()).Span);
    Console.WriteLine($"Self-test: {client.NegotiatedProtocol}, echoed {echo.TrimEnd()}");
    return echo == "hello over TLS\n" ? 0 : 1;
});

static async Task EchoLines(TlsConnection connection)
{
    ReadOnlyMemory<byte> line;
    while (!(line = await connection.Reader.ReadLineAsync()).IsEmpty)
        await connection.Writer.WriteAsync(line);
}
