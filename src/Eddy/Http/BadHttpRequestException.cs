namespace Eddy.Http;

/// <summary>
/// The request cannot be served as sent (a malformed chunked body, a body over the size limit).
/// Thrown by the body-reading methods; if the handler lets it escape, the server answers
/// <see cref="StatusCode"/> and closes the connection.
/// </summary>
public sealed class BadHttpRequestException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The status to answer (400, 413, 431).</param>
    /// <param name="message">What is wrong with the request.</param>
    public BadHttpRequestException(int statusCode, string message) : base(message) => StatusCode = statusCode;

    /// <summary>The status the server answers.</summary>
    public int StatusCode { get; }
}
