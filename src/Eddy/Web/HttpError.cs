namespace Eddy.Web;

/// <summary>
/// Thrown by a handler to answer with an error status (Tornado's HTTPError, aiohttp's
/// HTTPException): the app's error pages render <see cref="StatusCode"/> and the message, which
/// the client sees, so say what was wrong and how to fix it.
/// </summary>
public class HttpError : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="statusCode">The status to answer, 400 to 599.</param>
    /// <param name="message">Shown to the client; the reason phrase when null.</param>
    /// <param name="innerException">The cause, logged and shown only in debug mode.</param>
    public HttpError(int statusCode, string? message = null, Exception? innerException = null)
        : base(message ?? Http.HttpStatus.Reason(statusCode), innerException)
    {
        if (statusCode is < 400 or > 599) throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "An HTTP error status is between 400 and 599.");
        StatusCode = statusCode;
    }

    /// <summary>The status answered.</summary>
    public int StatusCode { get; }

    /// <summary>Headers to add to the error response (Allow for 405, WWW-Authenticate for 401, Retry-After for 503).</summary>
    public IDictionary<string, string> Headers => _headers ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    internal IDictionary<string, string>? HeadersOrNull => _headers;

    private Dictionary<string, string>? _headers;
}
