using System.Buffers.Text;
using System.Text;
using Eddy.Loop;

namespace Eddy.Http;

/// <summary>Status lines, pre-encoded, and reason phrases.</summary>
internal static class HttpStatus
{
    private static readonly byte[]?[] StatusLines = new byte[900][];

    /// <summary>"HTTP/1.1 200 OK\r\n" for <paramref name="status"/>, encoded once per status.</summary>
    public static byte[] StatusLine(int status)
    {
        if (status is < 100 or > 999) throw new ArgumentOutOfRangeException(nameof(status), status, "An HTTP status code has three digits (100 to 999).");
        return StatusLines[status - 100] ??= Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {Reason(status)}\r\n");
    }

    /// <summary>The reason phrase for <paramref name="status"/> (RFC 9110 §15), or a generic one.</summary>
    public static string Reason(int status) => status switch
    {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => status switch { < 200 => "Informational", < 300 => "Success", < 400 => "Redirection", < 500 => "Client Error", _ => "Server Error" },
    };

    /// <summary>Whether a response with this status has no content and no framing headers (RFC 9110 §6.4.1, §8.6).</summary>
    public static bool HasNoBody(int status) => status is < 200 or 204 or 304;
}
