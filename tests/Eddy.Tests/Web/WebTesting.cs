using System.Text;
using Eddy.Http.Testing;
using Eddy.Web;
using Eddy.Web.Testing;

namespace Eddy.Tests.Web;

/// <summary>Helpers for web framework tests: serve an App on the test server, send requests with headers and bodies.</summary>
internal static class WebTesting
{
    /// <summary>Serves <paramref name="app"/> on a test server with its hooks (<see cref="AppTestServer"/>).</summary>
    public static Task ServeAsync(App app, Func<HttpTestServer, Task> test, HttpTestOptions? options = null) =>
        AppTestServer.RunAsync(app, test, options);

    /// <summary>A GET with extra header lines ("Accept: text/html").</summary>
    public static Task<HttpTestResponse> GetAsync(this HttpTestServer server, string target, params string[] headers) =>
        server.SendAsync(Request("GET", target, headers));

    /// <summary>A request of any method, with optional body (UTF-8, Content-Length) and header lines.</summary>
    public static Task<HttpTestResponse> SendAsync(this HttpTestServer server, string method, string target, string? body = null, string? contentType = null, params string[] headers)
    {
        var all = new List<string>(headers);
        if (contentType is not null) all.Add("Content-Type: " + contentType);
        return server.SendAsync(Request(method, target, [.. all], body));
    }

    /// <summary>The raw text of a request (the body as UTF-8 bytes in Latin-1 chars, as the wire carries them).</summary>
    public static string Request(string method, string target, string[] headers, string? body = null)
    {
        var builder = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: localhost\r\n");
        foreach (var header in headers) builder.Append(header).Append("\r\n");
        if (body is not null) builder.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
        builder.Append("\r\n");
        if (body is not null) builder.Append(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(body)));
        return builder.ToString();
    }
}

/// <summary>Reads a streamed response off a raw connection piece by piece.</summary>
internal sealed class StreamReaderOverConnection(HttpTestConnection connection)
{
    private readonly StringBuilder _received = new();
    private int _consumed;

    /// <summary>Everything received so far (head, chunk framing and body), as Latin-1 text.</summary>
    public string Received => _received.ToString();

    /// <summary>Waits until <paramref name="marker"/> arrives after what earlier calls consumed; returns the text up to and including it.</summary>
    public async Task<string> ReadThroughAsync(string marker)
    {
        while (true)
        {
            int at = _received.ToString().IndexOf(marker, _consumed, StringComparison.Ordinal);
            if (at >= 0)
            {
                var piece = _received.ToString(_consumed, at + marker.Length - _consumed);
                _consumed = at + marker.Length;
                return piece;
            }
            var bytes = await connection.ReadAvailableAsync();
            if (bytes.Length == 0) throw new EndOfStreamException($"The server closed the connection before sending \"{marker}\"; received:\n{Received}");
            _received.Append(Encoding.Latin1.GetString(bytes));
        }
    }
}
