using System.Text;
using Eddy.Http.Testing;
using Eddy.Web;

namespace Eddy.Tests.Web;

/// <summary>Helpers for web framework tests: serve an App on the test server, send requests with headers and bodies.</summary>
internal static class WebTesting
{
    /// <summary>Serves <paramref name="app"/> on a test server: start-up hooks before <paramref name="test"/>, clean-up hooks after.</summary>
    public static Task ServeAsync(App app, Func<HttpTestServer, Task> test, HttpTestOptions? options = null) =>
        HttpTestServer.RunAsync(app.Handler, async server =>
        {
            await app.InitializeAsync();
            try
            {
                await test(server);
            }
            finally
            {
                await app.CleanupAsync();
            }
        }, options);

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
