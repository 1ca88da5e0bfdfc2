using System.Diagnostics;
using System.Text;

namespace Eddy.Http.Parsing;

/// <summary>
/// A parsed request head: ranges into the buffer given to <see cref="HttpRequestParser.TryParse"/>,
/// and what the parser derived from the headers (framing, keep-alive, expectations). Nothing is
/// copied and no string is made until asked for; read it before the buffer is reused.
/// </summary>
/// <remarks>
/// One instance per parser, overwritten by every request, so the hot path allocates nothing.
/// Every property is valid only after TryParse returned <see cref="HttpParseStatus.Complete"/>.
/// </remarks>
[DebuggerDisplay("{MethodKind} {TargetForm} {ProtocolVersion} {Framing}")]
internal sealed class HttpRequestHead
{
    private static readonly string[] MethodNames = ["", "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

    internal HttpRequestHead(HttpParserLimits limits) =>
        Headers = new HttpFields(limits.MaxRequestHeaderCount, limits.MaxRequestHeadersTotalSize);

    /// <summary>The method token, case as sent.</summary>
    public ByteRange Method { get; internal set; }

    /// <summary>The method, if it is one of the common ones (methods are case-sensitive).</summary>
    public HttpMethodKind MethodKind { get; internal set; }

    /// <summary>The whole request target, as sent.</summary>
    public ByteRange Target { get; internal set; }

    /// <summary>Which form the target has; it has been checked against the method.</summary>
    public RequestTargetForm TargetForm { get; internal set; }

    /// <summary>
    /// The path, still percent-encoded (its '%' escapes are well formed). Empty for asterisk-form,
    /// authority-form, and absolute-form without a path ("http://host"), which all mean "/" or
    /// nothing; the router must normalise dot-segments and decide on encoded slashes.
    /// </summary>
    public ByteRange Path { get; internal set; }

    /// <summary>The query without its '?', raw; empty when there is none (see <see cref="HasQuery"/>).</summary>
    public ByteRange Query { get; internal set; }

    /// <summary>Whether the target had a '?', even with nothing after it.</summary>
    public bool HasQuery { get; internal set; }

    /// <summary>
    /// Where the request is addressed: the target's authority for absolute-form and
    /// authority-form (RFC 9112 §3.2.2: it overrides Host), otherwise the Host value (possibly
    /// empty on HTTP/1.1 with "Host:", absent on HTTP/1.0 without Host).
    /// </summary>
    public ByteRange Authority { get; internal set; }

    /// <summary>The Host field value, validated; see <see cref="HasHost"/>.</summary>
    public ByteRange Host { get; internal set; }

    /// <summary>Whether there was a Host field (there is exactly one on every HTTP/1.1 request that parses).</summary>
    public bool HasHost { get; internal set; }

    /// <summary>The version as sent, e.g. "HTTP/1.1".</summary>
    public ByteRange Version { get; internal set; }

    /// <summary>The version to serve: HTTP/1.0, or HTTP/1.1 for 1.1 and any later 1.x.</summary>
    public HttpProtocolVersion ProtocolVersion { get; internal set; }

    /// <summary>The minor version digit as sent (so 1.2 can be logged though it is served as 1.1).</summary>
    public int MinorVersion { get; internal set; }

    /// <summary>The header fields, in order, as ranges.</summary>
    public HttpFields Headers { get; }

    /// <summary>How the body is delimited.</summary>
    public BodyFraming Framing { get; internal set; }

    /// <summary>With <see cref="BodyFraming.ContentLength"/>, the body's length (may be 0); otherwise -1.</summary>
    public long ContentLength { get; internal set; }

    /// <summary>
    /// Whether the connection may carry another request after this one: on HTTP/1.1 unless
    /// "Connection: close", on HTTP/1.0 only with "Connection: keep-alive" (and no close).
    /// </summary>
    public bool KeepAlive { get; internal set; }

    /// <summary>
    /// "Expect: 100-continue" on HTTP/1.1: send "100 Continue" before reading the body (or a final
    /// status instead). Ignored on HTTP/1.0, as RFC 9110 §10.1.1 requires.
    /// </summary>
    public bool ExpectContinue { get; internal set; }

    /// <summary>The Upgrade field value (the first one), empty if none or on HTTP/1.0 (RFC 9110 §7.8 says ignore it there).</summary>
    public ByteRange Upgrade { get; internal set; }

    /// <summary>
    /// Whether the client asks to switch protocols: an Upgrade field on HTTP/1.1 with "upgrade"
    /// listed in Connection, as RFC 9110 §7.8 requires for the upgrade to be honoured.
    /// </summary>
    public bool IsUpgradeRequest { get; internal set; }

    /// <summary>The head's length in bytes, final CRLF included: where the body starts.</summary>
    public int HeadLength { get; internal set; }

    /// <summary>The method as a string: a cached literal for the common methods, allocated otherwise.</summary>
    public string GetMethodString(ReadOnlySpan<byte> buffer) =>
        MethodKind == HttpMethodKind.Other ? Method.ToLatin1String(buffer) : MethodNames[(int)MethodKind];

    /// <summary>The field value for <paramref name="name"/> (first line with that name), or null.</summary>
    public string? GetHeaderString(ReadOnlySpan<byte> buffer, string name)
    {
        Span<byte> bytes = stackalloc byte[Math.Min(name.Length, 256)];
        if (name.Length > bytes.Length || !Ascii.IsValid(name)) return null;
        Encoding.ASCII.GetBytes(name, bytes);
        return Headers.TryGetValue(buffer, bytes, out var value) ? value.ToLatin1String(buffer) : null;
    }

    internal void Reset()
    {
        Headers.Reset();
        Method = Target = Path = Query = Authority = Host = Version = Upgrade = default;
        MethodKind = HttpMethodKind.Other;
        TargetForm = RequestTargetForm.Origin;
        HasQuery = HasHost = KeepAlive = ExpectContinue = IsUpgradeRequest = false;
        ProtocolVersion = HttpProtocolVersion.Http11;
        MinorVersion = 0;
        Framing = BodyFraming.None;
        ContentLength = -1;
        HeadLength = 0;
    }

    internal static HttpMethodKind ClassifyMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => HttpMethodKind.Get,
        3 when method.SequenceEqual("PUT"u8) => HttpMethodKind.Put,
        4 when method.SequenceEqual("HEAD"u8) => HttpMethodKind.Head,
        4 when method.SequenceEqual("POST"u8) => HttpMethodKind.Post,
        5 when method.SequenceEqual("PATCH"u8) => HttpMethodKind.Patch,
        5 when method.SequenceEqual("TRACE"u8) => HttpMethodKind.Trace,
        6 when method.SequenceEqual("DELETE"u8) => HttpMethodKind.Delete,
        7 when method.SequenceEqual("CONNECT"u8) => HttpMethodKind.Connect,
        7 when method.SequenceEqual("OPTIONS"u8) => HttpMethodKind.Options,
        _ => HttpMethodKind.Other,
    };
}
