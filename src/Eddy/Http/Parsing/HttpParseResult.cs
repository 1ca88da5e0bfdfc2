namespace Eddy.Http.Parsing;

/// <summary>What a parse attempt concluded.</summary>
internal enum HttpParseStatus : byte
{
    /// <summary>The head is not complete yet: append bytes to the buffer and call again.</summary>
    NeedMoreData,

    /// <summary>The head is complete and valid; <see cref="HttpParseResult.Consumed"/> bytes belong to it.</summary>
    Complete,

    /// <summary>The request is invalid: answer <see cref="HttpParseResult.StatusCode"/> and close.</summary>
    Error,
}

/// <summary>
/// The outcome of <see cref="HttpRequestParser.TryParse"/>: need more data, complete (with the byte
/// count of the head), or an error with the status to answer and a reason that names the cause.
/// </summary>
/// <param name="Status">Which of the three outcomes.</param>
/// <param name="Consumed">On <see cref="HttpParseStatus.Complete"/>, the head's length in bytes, final CRLF included; otherwise 0.</param>
/// <param name="StatusCode">On <see cref="HttpParseStatus.Error"/>, the response status (400, 414, 417, 431, 501, 505); otherwise 0.</param>
/// <param name="Reason">On <see cref="HttpParseStatus.Error"/>, why (a constant string: nothing is allocated); otherwise null.</param>
internal readonly record struct HttpParseResult(HttpParseStatus Status, int Consumed, int StatusCode, string? Reason)
{
    /// <summary>The head is incomplete.</summary>
    public static HttpParseResult NeedMoreData => default;

    /// <summary>The head is complete and is <paramref name="consumed"/> bytes long.</summary>
    public static HttpParseResult Complete(int consumed) => new(HttpParseStatus.Complete, consumed, 0, null);

    /// <summary>The request is invalid; answer <paramref name="statusCode"/>.</summary>
    public static HttpParseResult Error(int statusCode, string reason) => new(HttpParseStatus.Error, 0, statusCode, reason);

    /// <summary>Whether this is <see cref="HttpParseStatus.Error"/>.</summary>
    public bool IsError => Status == HttpParseStatus.Error;
}
