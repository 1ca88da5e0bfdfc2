namespace Eddy.Http.Parsing;

/// <summary>The HTTP version a request is served as.</summary>
internal enum HttpProtocolVersion : byte
{
    /// <summary>HTTP/1.0: close after the response unless the client asked for keep-alive.</summary>
    Http10,

    /// <summary>HTTP/1.1, and HTTP/1.x with an unknown minor version (RFC 9110 §6.2: answer as 1.1).</summary>
    Http11,
}

/// <summary>
/// The method, when it is one the server may treat specially; <see cref="Other"/> for every other
/// valid token (methods are case-sensitive, so "get" is Other).
/// </summary>
internal enum HttpMethodKind : byte
{
    /// <summary>A valid method token not listed here.</summary>
    Other,
    /// <summary>GET.</summary>
    Get,
    /// <summary>HEAD: the response has no content.</summary>
    Head,
    /// <summary>POST.</summary>
    Post,
    /// <summary>PUT.</summary>
    Put,
    /// <summary>DELETE.</summary>
    Delete,
    /// <summary>CONNECT: authority-form target, tunnel afterwards.</summary>
    Connect,
    /// <summary>OPTIONS: may use the asterisk-form target.</summary>
    Options,
    /// <summary>TRACE.</summary>
    Trace,
    /// <summary>PATCH.</summary>
    Patch,
}

/// <summary>Which of RFC 9112 §3.2's four forms the request target has.</summary>
internal enum RequestTargetForm : byte
{
    /// <summary>"/path?query": the usual form.</summary>
    Origin,
    /// <summary>"http://host/path?query": sent to proxies; the authority replaces Host (RFC 9112 §3.2.2).</summary>
    Absolute,
    /// <summary>"host:port": CONNECT only.</summary>
    Authority,
    /// <summary>"*": OPTIONS only.</summary>
    Asterisk,
}

/// <summary>How the request's body is delimited (RFC 9112 §6.3).</summary>
internal enum BodyFraming : byte
{
    /// <summary>No Content-Length and no Transfer-Encoding: there is no body.</summary>
    None,
    /// <summary>Exactly <see cref="HttpRequestHead.ContentLength"/> bytes follow the head (possibly 0).</summary>
    ContentLength,
    /// <summary>A chunked body follows: decode it with <see cref="ChunkedDecoder"/>.</summary>
    Chunked,
}
