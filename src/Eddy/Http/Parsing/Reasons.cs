namespace Eddy.Http.Parsing;

/// <summary>
/// The reasons errors carry: constants, so rejecting a request allocates nothing. Each names the
/// rule broken and what a correct request looks like, for logs and for the response body.
/// </summary>
internal static class Reasons
{
    // Request line
    public const string RequestLineTooLong = "The request line is longer than the server's limit (MaxRequestLineSize), or is not 'METHOD SP target SP HTTP/x.y'. Send a shorter request line.";
    public const string TargetTooLong = "The request target is longer than the server's request-line limit (MaxRequestLineSize). Send a shorter URL, or put the data in the body.";
    public const string InvalidMethod = "The request line must start with a method token (letters, digits, !#$%&'*+-.^_`|~) followed by one space.";
    public const string EmptyMethod = "The request line starts with a space; it must start with a method such as GET.";
    public const string MissingVersion = "The request line must be 'METHOD SP target SP HTTP/x.y' with single spaces; the version is missing.";
    public const string EmptyTarget = "The request target is empty (two spaces after the method); send '/' or a path.";
    public const string InvalidTargetChar = "The request target contains a control character, space, '#', or non-ASCII byte; percent-encode it (RFC 3986).";
    public const string InvalidPercentEncoding = "The request path has a '%' not followed by two hex digits; encode a literal '%' as %25.";
    public const string InvalidVersion = "The HTTP version must be exactly 'HTTP/' DIGIT '.' DIGIT, in upper case, at the end of the request line (RFC 9112 §2.3).";
    public const string UnsupportedVersion = "Only HTTP/1.x is served over this connection; send HTTP/1.1.";
    public const string AsteriskNotOptions = "The '*' request target is only allowed with OPTIONS (RFC 9112 §3.2.4).";
    public const string ConnectNeedsAuthority = "CONNECT needs an authority-form target 'host:port' (RFC 9112 §3.2.3).";
    public const string AuthorityNotConnect = "Only CONNECT may use an authority-form target; other methods send '/path' or 'http://host/path' (RFC 9112 §3.2).";
    public const string InvalidAbsoluteTarget = "An absolute-form target must be 'http://host[:port]/path' or https, with a valid host and no userinfo (RFC 9110 §4.2).";
    public const string InvalidAuthorityTarget = "The CONNECT target must be 'host:port' with a valid host and a port of 1 to 5 digits.";

    // Field lines
    public const string HeadersTooLarge = "The header fields (or trailer fields) are larger than the server's limit (MaxRequestHeadersTotalSize); send fewer or smaller fields.";
    public const string TooManyHeaders = "There are more header (or trailer) fields than the server's limit (MaxRequestHeaderCount); send fewer fields.";
    public const string BareLf = "A line ends with LF alone; HTTP/1.1 lines end with CRLF and this server does not accept bare LF (RFC 9112 §2.2).";
    public const string BareCr = "A CR appears that is not followed by LF; CR may only end a line (RFC 9112 §2.2).";
    public const string ObsFold = "A header line starts with whitespace (obsolete line folding, RFC 9112 §5.2); send each field on one line.";
    public const string NoColon = "A header line has no colon; fields are 'Name: value'.";
    public const string SpaceBeforeColon = "A header field name is followed by whitespace before the colon, which is not allowed (RFC 9112 §5.1); remove it.";
    public const string InvalidFieldName = "A header field name contains a character that is not a token character (letters, digits, !#$%&'*+-.^_`|~).";
    public const string EmptyFieldName = "A header line starts with a colon; field names must not be empty.";
    public const string ControlInValue = "A header field value contains a control character (NUL, DEL or 0x01-0x1F other than tab); percent-encode or remove it.";

    // Header semantics
    public const string MissingHost = "An HTTP/1.1 request must have a Host header (RFC 9112 §3.2).";
    public const string RepeatedHost = "The request has more than one Host header; send exactly one (RFC 9112 §3.2).";
    public const string InvalidHost = "The Host header is not a valid 'host[:port]' (a name, IPv4 address or [IPv6] address; port of 1 to 5 digits).";
    public const string InvalidContentLength = "Content-Length must be plain decimal digits (no sign, spaces, or hex) that fit in 63 bits; a comma-separated list must repeat one value.";
    public const string ConflictingContentLength = "The request has Content-Length values that differ; send one Content-Length.";
    public const string ContentLengthAndTransferEncoding = "The request has both Content-Length and Transfer-Encoding, which lets intermediaries disagree on where it ends (RFC 9112 §6.3); send only one.";
    public const string TransferEncodingOnHttp10 = "Transfer-Encoding is not defined for HTTP/1.0 (RFC 9112 §6.1); use Content-Length or HTTP/1.1.";
    public const string InvalidTransferEncoding = "Transfer-Encoding must be a list of coding names without parameters or empty elements, such as 'chunked'.";
    public const string ChunkedNotFinal = "Transfer-Encoding must end with 'chunked', exactly once (RFC 9112 §6.1); otherwise the body's end cannot be found.";
    public const string IdentityCoding = "The 'identity' transfer coding no longer exists (RFC 9112 §6.1); send 'Transfer-Encoding: chunked' or Content-Length.";
    public const string UnsupportedTransferCoding = "Only the chunked transfer coding is supported; send 'Transfer-Encoding: chunked' alone (Content-Encoding may compress the content).";
    public const string InvalidConnection = "The Connection header must be a comma-separated list of tokens such as 'close' or 'keep-alive'.";
    public const string UnsupportedExpectation = "The only supported expectation is 'Expect: 100-continue' (RFC 9110 §10.1.1).";

    // Chunked body
    public const string InvalidChunkSize = "A chunk must start with its size in hex digits followed by CRLF or ';extensions' (RFC 9112 §7.1).";
    public const string ChunkSizeOverflow = "A chunk size (or the body's total) does not fit in 63 bits.";
    public const string InvalidChunkExtension = "A chunk extension must be ';name' or ';name=value' with a token or quoted-string value (RFC 9112 §7.1.1).";
    public const string ChunkLineTooLong = "A chunk-size line (size and extensions) is longer than the server's limit (MaxChunkLineSize); send shorter chunk extensions.";
    public const string ChunkLineBareCr = "A chunk-size line must end with CRLF.";
    public const string ChunkDataMismatch = "The chunk data does not match its declared size: CRLF must follow exactly the number of bytes the size gives.";
}
