using System.IO.Compression;
using System.Text;
using Eddy.Http.Testing;
using Eddy.Web;

namespace Eddy.Tests.Web.Middlewares;

/// <summary>Helpers for the middleware tests: raw requests, apps served in memory, bodies decompressed.</summary>
internal static class Wire
{
    /// <summary>A raw HTTP/1.1 request with a Host header, the given header lines and an optional UTF-8 body.</summary>
    public static string Request(string method, string target, string? body = null, params string[] headers)
    {
        var text = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: localhost\r\n");
        foreach (var header in headers) text.Append(header).Append("\r\n");
        if (body is not null) text.Append($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n");
        text.Append("\r\n");
        if (body is not null) text.Append(body);
        return text.ToString();
    }

    /// <summary>Serves <paramref name="app"/> in memory (virtual clock) for <paramref name="test"/>.</summary>
    public static Task ServeAsync(App app, Func<HttpTestServer, Task> test, HttpTestOptions? options = null) =>
        HttpTestServer.RunAsync(app.Handler, test, options);

    /// <summary>The body decoded per its Content-Encoding (br, gzip or none).</summary>
    public static byte[] Decode(HttpTestResponse response)
    {
        var encoding = response.Header("Content-Encoding");
        if (encoding is null) return response.Body;
        using var input = new MemoryStream(response.Body);
        using Stream decoder = encoding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => throw new InvalidOperationException($"Unexpected Content-Encoding {encoding}."),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>The value of the cookie <paramref name="name"/> set by the response, or null.</summary>
    public static string? SetCookieValue(HttpTestResponse response, string name)
    {
        foreach (var header in response.HeaderValues("Set-Cookie"))
        {
            var pair = header.Split(';')[0];
            int equals = pair.IndexOf('=');
            if (pair[..equals] == name) return pair[(equals + 1)..];
        }
        return null;
    }
}
