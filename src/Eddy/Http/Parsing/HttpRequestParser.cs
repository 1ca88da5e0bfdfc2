using System.Diagnostics;
using System.Text;
using static Eddy.Http.Parsing.HttpSyntax;

namespace Eddy.Http.Parsing;

/// <summary>
/// A strict, incremental RFC 9112 request-head parser that copies nothing and allocates nothing
/// per request. Pure: it never does I/O, so it can be fed any split of the bytes.
/// </summary>
/// <remarks>
/// <para>
/// Usage: append received bytes to one contiguous buffer that starts at the request's first byte,
/// and call <see cref="TryParse"/> with all of it each time. It resumes where the previous call
/// stopped (each byte is searched for line ends once, so a head arriving byte by byte is still
/// O(n)). On <see cref="HttpParseStatus.Complete"/> read <see cref="Head"/> against that buffer; the
/// body starts at <see cref="HttpParseResult.Consumed"/>. Call <see cref="Reset"/> before the next
/// request, passing a buffer that starts at that request.
/// </para>
/// <para>
/// Strict wherever lenience lets a request be smuggled or misread; every such case is an
/// <see cref="HttpParseStatus.Error"/> the server answers with its status and then closes. A result
/// depends only on the bytes, never on how they were split: limits are checked on incomplete lines
/// too, so an oversized head is refused as soon as it passes a limit.
/// </para>
/// </remarks>
[DebuggerDisplay("HttpRequestParser {_stage}")]
internal sealed class HttpRequestParser
{
    private enum Stage : byte { RequestLine, Headers, Done }

    private readonly HttpParserLimits _limits;
    private Stage _stage;
    private HttpParseResult _result; // the final result, repeated until Reset
    private int _seen;               // buffer length at the previous call, to catch misuse

    // Request line state.
    private int _scan;          // where the search for LF resumes
    private int _lineStart;     // start of the request line, after any skipped empty lines
    private int _methodScanned; // how far the method has been checked for tchar, on partial lines too
    private int _methodEnd;     // the SP after the method, or -1 while not seen
    private int _headersStart;

    // What the header fields said so far.
    private int _hostCount;
    private bool _hasContentLength;
    private long _contentLength;
    private bool _hasTransferEncoding;
    private bool _chunkedLast;
    private bool _chunkedNotFinal;
    private bool _identityCoding;
    private bool _unknownCoding;
    private bool _connectionClose;
    private bool _connectionKeepAlive;
    private bool _connectionUpgrade;
    private bool _expectContinue;
    private bool _expectOther;
    private bool _hasUpgrade;

    /// <summary>Creates a parser; keep one per connection and <see cref="Reset"/> it per request.</summary>
    /// <param name="limits">Size limits; <see cref="HttpParserLimits.Default"/> if null.</param>
    public HttpRequestParser(HttpParserLimits? limits = null)
    {
        _limits = limits ?? HttpParserLimits.Default;
        Head = new HttpRequestHead(_limits);
        Reset();
    }

    /// <summary>The limits in force.</summary>
    public HttpParserLimits Limits => _limits;

    /// <summary>The parsed head; valid after <see cref="TryParse"/> returned Complete, until <see cref="Reset"/>.</summary>
    public HttpRequestHead Head { get; }

    /// <summary>Forgets the current request so the parser can take the next one.</summary>
    public void Reset()
    {
        _stage = Stage.RequestLine;
        _result = default;
        _seen = 0;
        _scan = _lineStart = _methodScanned = _headersStart = 0;
        _methodEnd = -1;
        _hostCount = 0;
        _hasContentLength = _hasTransferEncoding = false;
        _contentLength = -1;
        _chunkedLast = _chunkedNotFinal = _identityCoding = _unknownCoding = false;
        _connectionClose = _connectionKeepAlive = _connectionUpgrade = false;
        _expectContinue = _expectOther = _hasUpgrade = false;
        Head.Reset();
    }

    /// <summary>
    /// Parses as much of the head as <paramref name="buffer"/> holds. After Complete or Error it
    /// returns that same result until <see cref="Reset"/>.
    /// </summary>
    /// <param name="buffer">
    /// The request from its first byte: the same bytes as the previous call with any new ones
    /// appended (the memory may have moved; the offsets are relative to the start).
    /// </param>
    /// <returns>NeedMoreData, Complete with the head's length, or Error with the status to answer.</returns>
    /// <exception cref="ArgumentException">The buffer is shorter than at the previous call.</exception>
    public HttpParseResult TryParse(ReadOnlySpan<byte> buffer)
    {
        if (_stage == Stage.Done) return _result;
        if (buffer.Length < _seen)
            throw new ArgumentException(
                $"The buffer holds {buffer.Length} bytes but held {_seen} at the previous call. Pass the same request with bytes appended, or call Reset to start a new request.",
                nameof(buffer));
        _seen = buffer.Length;

        if (_stage == Stage.RequestLine)
        {
            var line = ParseRequestLine(buffer);
            if (line.Status == HttpParseStatus.NeedMoreData) return line;
            if (line.IsError) return Finish(line);
            _stage = Stage.Headers;
            Head.Headers.SectionStart = _headersStart;
        }

        var section = buffer[_headersStart..];
        while (true)
        {
            switch (Head.Headers.ReadLine(section, out int sectionLength, out var error))
            {
                case FieldLineStatus.NeedMoreData:
                    return HttpParseResult.NeedMoreData;
                case FieldLineStatus.Error:
                    return Finish(error);
                case FieldLineStatus.Field:
                    var field = OnField(buffer, Head.Headers.Count - 1);
                    if (field.IsError) return Finish(field);
                    break;
                default:
                    return Finish(CompleteHead(_headersStart + sectionLength));
            }
        }
    }

    private HttpParseResult Finish(HttpParseResult result)
    {
        _stage = Stage.Done;
        _result = result;
        return result;
    }

    private static HttpParseResult Fail(string reason) => HttpParseResult.Error(400, reason);

    /// <summary>What the internal steps return to mean "no error, go on".</summary>
    private static HttpParseResult Ok => default;

    /// <summary>
    /// Finds and parses the request line. Empty lines before it are skipped (RFC 9112 §2.2) but
    /// count against the limit. Returns Complete (with no length) when the line is parsed.
    /// </summary>
    private HttpParseResult ParseRequestLine(ReadOnlySpan<byte> buffer)
    {
        int limit = _limits.MaxRequestLineSize;
        while (true)
        {
            int lf = buffer[_scan..].IndexOf(LF);
            if (lf < 0)
            {
                _scan = buffer.Length;
                // Check the method now, so garbage (a TLS handshake on a plain port) fails at once
                // instead of after 8 KiB; then the limit, since the line is at least one byte longer.
                var partial = ScanMethod(buffer, Math.Min(buffer.Length, limit));
                if (partial.IsError) return partial;
                return buffer.Length >= limit ? OverLong(buffer) : HttpParseResult.NeedMoreData;
            }
            lf += _scan;
            _scan = lf + 1;
            if (lf == _lineStart + 1 && buffer[_lineStart] == CR)
            {
                if (lf >= limit) return OverLong(buffer);
                _lineStart = _methodScanned = lf + 1;
                continue;
            }
            // The same checks in the same order as for a partial line, so the split cannot matter.
            var method = ScanMethod(buffer, Math.Min(lf, limit));
            if (method.IsError) return method;
            if (lf >= limit) return OverLong(buffer);
            return ParseRequestLineContent(buffer, lf);
        }
    }

    /// <summary>Checks the method's bytes up to <paramref name="end"/> and notes the SP after it.</summary>
    private HttpParseResult ScanMethod(ReadOnlySpan<byte> buffer, int end)
    {
        if (_methodEnd >= 0) return Ok;
        int i = _methodScanned;
        // A lone CR at the line start may begin an empty line: judge it when the next byte comes.
        if (i >= end || (i == _lineStart && end - i == 1 && buffer[i] == CR)) return Ok;
        int stop = buffer[i..end].IndexOfAnyExcept(Token);
        if (stop < 0)
        {
            _methodScanned = end;
            return Ok;
        }
        i += stop;
        _methodScanned = i;
        if (buffer[i] != SP) return Fail(Reasons.InvalidMethod);
        if (i == _lineStart) return Fail(Reasons.EmptyMethod);
        _methodEnd = i;
        return Ok;
    }

    /// <summary>
    /// The request line reached the limit: 414 when the target is what took the room (it has not
    /// ended, or ended too late for "HTTP/x.y" CRLF to fit), 400 when the method or what follows
    /// the target is too long. Judged on the first MaxRequestLineSize bytes only, whole or partial.
    /// </summary>
    private HttpParseResult OverLong(ReadOnlySpan<byte> buffer)
    {
        int limit = _limits.MaxRequestLineSize;
        if (_methodEnd < 0) return Fail(Reasons.RequestLineTooLong);
        int targetStart = _methodEnd + 1;
        int targetEnd = targetStart < limit ? buffer[targetStart..limit].IndexOf(SP) : -1;
        const int VersionAndCrLf = 10; // "HTTP/1.1\r\n"
        if (targetEnd >= 0 && limit - (targetStart + targetEnd + 1) >= VersionAndCrLf) return Fail(Reasons.RequestLineTooLong);
        return HttpParseResult.Error(414, Reasons.TargetTooLong);
    }

    /// <summary>Parses a complete request line that fits the limit and whose method was checked.</summary>
    private HttpParseResult ParseRequestLineContent(ReadOnlySpan<byte> buffer, int lf)
    {
        if (lf == _lineStart || buffer[lf - 1] != CR) return Fail(Reasons.BareLf);
        if (_methodEnd < 0) return Fail(Reasons.InvalidMethod);
        int end = lf - 1;
        int targetStart = _methodEnd + 1;
        var rest = buffer[targetStart..end];
        int sp = rest.IndexOf(SP);
        if (sp < 0) return Fail(Reasons.MissingVersion);
        if (sp == 0) return Fail(Reasons.EmptyTarget);
        var target = rest[..sp];
        if (target.ContainsAnyExcept(TargetChar)) return Fail(Reasons.InvalidTargetChar);

        var version = rest[(sp + 1)..];
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != '.' || !char.IsAsciiDigit((char)version[7]))
            return Fail(Reasons.InvalidVersion);
        if (version[5] != '1') return HttpParseResult.Error(505, Reasons.UnsupportedVersion);

        var head = Head;
        head.MinorVersion = version[7] - '0';
        head.ProtocolVersion = head.MinorVersion == 0 ? HttpProtocolVersion.Http10 : HttpProtocolVersion.Http11;
        head.Version = new ByteRange(targetStart + sp + 1, 8);
        head.Method = new ByteRange(_lineStart, _methodEnd - _lineStart);
        head.MethodKind = HttpRequestHead.ClassifyMethod(head.Method.Slice(buffer));
        head.Target = new ByteRange(targetStart, sp);
        var targetResult = ParseTarget(target, targetStart);
        if (targetResult.IsError) return targetResult;
        _headersStart = lf + 1;
        return HttpParseResult.Complete(0);
    }

    /// <summary>Works out the target's form, checks it against the method (RFC 9112 §3.2), and splits it.</summary>
    private HttpParseResult ParseTarget(ReadOnlySpan<byte> target, int offset)
    {
        var head = Head;
        bool isConnect = head.MethodKind == HttpMethodKind.Connect;
        if (target[0] == '/')
        {
            if (isConnect) return Fail(Reasons.ConnectNeedsAuthority);
            head.TargetForm = RequestTargetForm.Origin;
            return SplitPathAndQuery(target, offset);
        }
        if (target.Length == 1 && target[0] == '*')
        {
            if (head.MethodKind != HttpMethodKind.Options) return Fail(isConnect ? Reasons.ConnectNeedsAuthority : Reasons.AsteriskNotOptions);
            head.TargetForm = RequestTargetForm.Asterisk;
            return Ok;
        }
        int schemeLength = StartsWithIgnoreCase(target, "http://"u8) ? 7 : StartsWithIgnoreCase(target, "https://"u8) ? 8 : 0;
        if (isConnect)
        {
            if (schemeLength > 0) return Fail(Reasons.ConnectNeedsAuthority);
            if (!IsValidHostPort(target, requirePort: true)) return Fail(Reasons.InvalidAuthorityTarget);
            head.TargetForm = RequestTargetForm.Authority;
            head.Authority = new ByteRange(offset, target.Length);
            return Ok;
        }
        if (schemeLength == 0) return Fail(Reasons.AuthorityNotConnect);
        var afterScheme = target[schemeLength..];
        int authorityLength = afterScheme.IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0) authorityLength = afterScheme.Length;
        // IsValidHostPort refuses '@', so userinfo (deprecated, RFC 9110 §4.2.4) is rejected too.
        if (!IsValidHostPort(afterScheme[..authorityLength], requirePort: false)) return Fail(Reasons.InvalidAbsoluteTarget);
        head.TargetForm = RequestTargetForm.Absolute;
        head.Authority = new ByteRange(offset + schemeLength, authorityLength);
        return SplitPathAndQuery(afterScheme[authorityLength..], offset + schemeLength + authorityLength);
    }

    private HttpParseResult SplitPathAndQuery(ReadOnlySpan<byte> pathAndQuery, int offset)
    {
        int question = pathAndQuery.IndexOf((byte)'?');
        var path = question < 0 ? pathAndQuery : pathAndQuery[..question];
        // The path is decoded for routing, so a malformed escape would be read differently by
        // different decoders; the query is left raw for the application to decode.
        if (!IsValidPercentEncoding(path)) return Fail(Reasons.InvalidPercentEncoding);
        var head = Head;
        head.Path = new ByteRange(offset, path.Length);
        head.HasQuery = question >= 0;
        head.Query = question < 0 ? new ByteRange(offset + pathAndQuery.Length, 0) : new ByteRange(offset + question + 1, pathAndQuery.Length - question - 1);
        return Ok;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> prefix) =>
        value.Length >= prefix.Length && Ascii.EqualsIgnoreCase(value[..prefix.Length], prefix);

    /// <summary>Takes note of the fields that decide framing, routing and the connection.</summary>
    private HttpParseResult OnField(ReadOnlySpan<byte> buffer, int index)
    {
        var head = Head;
        var name = head.Headers.Name(index).Slice(buffer);
        var valueRange = head.Headers.Value(index);
        var value = valueRange.Slice(buffer);
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "host"u8):
                if (++_hostCount > 1) return Fail(Reasons.RepeatedHost);
                // An empty Host is what RFC 9112 §3.2 tells clients to send when the target has no authority.
                if (!value.IsEmpty && !IsValidHostPort(value, requirePort: false)) return Fail(Reasons.InvalidHost);
                head.Host = valueRange;
                head.HasHost = true;
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                if (!TryParseContentLength(value, out long length)) return Fail(Reasons.InvalidContentLength);
                if (_hasContentLength && length != _contentLength) return Fail(Reasons.ConflictingContentLength);
                _hasContentLength = true;
                _contentLength = length;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                return OnTransferEncoding(value);
            case 10 when Ascii.EqualsIgnoreCase(name, "connection"u8):
            {
                int position = 0;
                while (NextListElement(value, ref position, out var option))
                {
                    if (option.IsEmpty) continue; // RFC 9110 §5.6.1: ignore empty list elements
                    if (!IsToken(option)) return Fail(Reasons.InvalidConnection);
                    if (Ascii.EqualsIgnoreCase(option, "close"u8)) _connectionClose = true;
                    else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8)) _connectionKeepAlive = true;
                    else if (Ascii.EqualsIgnoreCase(option, "upgrade"u8)) _connectionUpgrade = true;
                }
                break;
            }
            case 6 when Ascii.EqualsIgnoreCase(name, "expect"u8):
            {
                int position = 0;
                while (NextListElement(value, ref position, out var expectation))
                {
                    if (expectation.IsEmpty) continue;
                    if (Ascii.EqualsIgnoreCase(expectation, "100-continue"u8)) _expectContinue = true;
                    else _expectOther = true;
                }
                break;
            }
            case 7 when Ascii.EqualsIgnoreCase(name, "upgrade"u8):
                if (!_hasUpgrade) head.Upgrade = valueRange;
                _hasUpgrade = true;
                break;
        }
        return Ok;
    }

    /// <summary>
    /// Collects the codings of one Transfer-Encoding line; repeated lines continue the same list
    /// (RFC 9110 §5.3), so the verdict waits for the end of the head.
    /// </summary>
    private HttpParseResult OnTransferEncoding(ReadOnlySpan<byte> value)
    {
        if (Head.ProtocolVersion == HttpProtocolVersion.Http10) return Fail(Reasons.TransferEncodingOnHttp10);
        _hasTransferEncoding = true;
        int position = 0;
        bool any = false;
        while (NextListElement(value, ref position, out var coding))
        {
            // Strict: no empty elements, and no parameters (none of the codings we could accept has any).
            if (!IsToken(coding)) return Fail(Reasons.InvalidTransferEncoding);
            any = true;
            if (_chunkedLast) _chunkedNotFinal = true;
            _chunkedLast = Ascii.EqualsIgnoreCase(coding, "chunked"u8);
            if (_chunkedLast) continue;
            if (Ascii.EqualsIgnoreCase(coding, "identity"u8)) _identityCoding = true;
            else _unknownCoding = true;
        }
        return any ? Ok : Fail(Reasons.InvalidTransferEncoding);
    }

    /// <summary>The checks that need the whole head, then the derived connection semantics.</summary>
    private HttpParseResult CompleteHead(int length)
    {
        var head = Head;
        bool http11 = head.ProtocolVersion == HttpProtocolVersion.Http11;
        if (http11 && _hostCount == 0) return Fail(Reasons.MissingHost);
        if (_hasTransferEncoding)
        {
            if (_hasContentLength) return Fail(Reasons.ContentLengthAndTransferEncoding);
            if (_identityCoding) return Fail(Reasons.IdentityCoding);
            if (!_chunkedLast || _chunkedNotFinal) return Fail(Reasons.ChunkedNotFinal);
            // Chunked is final but other codings precede it: well formed, just not something we decode.
            if (_unknownCoding) return HttpParseResult.Error(501, Reasons.UnsupportedTransferCoding);
            head.Framing = BodyFraming.Chunked;
        }
        else if (_hasContentLength)
        {
            head.Framing = BodyFraming.ContentLength;
            head.ContentLength = _contentLength;
        }
        if (_expectOther) return HttpParseResult.Error(417, Reasons.UnsupportedExpectation);

        head.ExpectContinue = _expectContinue && http11;
        head.KeepAlive = !_connectionClose && (http11 || _connectionKeepAlive);
        if (http11) head.IsUpgradeRequest = _hasUpgrade && _connectionUpgrade;
        else head.Upgrade = default;
        if (head.TargetForm is RequestTargetForm.Origin or RequestTargetForm.Asterisk) head.Authority = head.Host;
        head.HeadLength = length;
        return HttpParseResult.Complete(length);
    }
}
