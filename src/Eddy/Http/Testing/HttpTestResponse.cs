using System.Diagnostics;
using System.Text;

namespace Eddy.Http.Testing;

/// <summary>
/// One response as an <see cref="HttpTestConnection"/> read it off the wire: the status line,
/// the header fields in the order they came, the body with its framing removed, and the head's
/// exact text, so a test can assert on either the meaning or the bytes.
/// </summary>
[DebuggerDisplay("{Version,nq} {StatusCode} {ReasonPhrase,nq} ({Body.Length} body bytes)")]
public sealed class HttpTestResponse
{
    internal HttpTestResponse(string raw, string version, int statusCode, string reasonPhrase,
        IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body, bool isChunked, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        Raw = raw;
        Version = version;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        Body = body;
        IsChunked = isChunked;
        Trailers = trailers;
    }

    /// <summary>The status code, such as 200.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase of the status line, such as "OK" (possibly empty).</summary>
    public string ReasonPhrase { get; }

    /// <summary>The protocol version of the status line, such as "HTTP/1.1".</summary>
    public string Version { get; }

    /// <summary>The header fields in the order received, names as sent, values without surrounding whitespace.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The body: the Content-Length bytes, the de-chunked data, or what came before the close. Empty for HEAD, 1xx, 204 and 304.</summary>
    public byte[] Body { get; }

    /// <summary>The body decoded as UTF-8.</summary>
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>Whether the body came with Transfer-Encoding: chunked.</summary>
    public bool IsChunked { get; }

    /// <summary>The trailer fields after a chunked body, in order; empty otherwise.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers { get; }

    /// <summary>
    /// The head exactly as received: status line, header lines and the empty line that ends them,
    /// each with its CRLF, one char per byte (Latin-1), so <c>Assert.Contains("\r\nContent-Length: 5\r\n", response.Raw)</c>
    /// checks the wire text.
    /// </summary>
    public string Raw { get; }

    /// <summary>Whether this is an interim (1xx) response, such as 100 Continue; the final response follows it.</summary>
    public bool IsInterim => StatusCode is >= 100 and < 200;

    /// <summary>The first value of the header field <paramref name="name"/> (case-insensitive), or null if absent.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value, or null.</returns>
    public string? Header(string name) => First(Headers, name);

    /// <summary>Every value of the header field <paramref name="name"/> (case-insensitive), in order, one per field line.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The values; empty if the field is absent.</returns>
    public IReadOnlyList<string> HeaderValues(string name)
    {
        var values = new List<string>();
        foreach (var field in Headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase)) values.Add(field.Value);
        }
        return values;
    }

    /// <summary>The first value of the trailer field <paramref name="name"/> (case-insensitive), or null if absent.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value, or null.</returns>
    public string? Trailer(string name) => First(Trailers, name);

    /// <summary>The status line, as received.</summary>
    /// <returns>For example "HTTP/1.1 200 OK".</returns>
    public override string ToString() => Raw.AsSpan(0, Math.Max(0, Raw.IndexOf('\r'))).ToString();

    private static string? First(IReadOnlyList<KeyValuePair<string, string>> fields, string name)
    {
        foreach (var field in fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase)) return field.Value;
        }
        return null;
    }
}
