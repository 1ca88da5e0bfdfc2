using Eddy.Http.Parsing;
using static Eddy.Tests.Http.Parsing.ParsingTesting;

namespace Eddy.Tests.Http.Parsing;

/// <summary>
/// The limits hold to the byte, and an oversized head is refused as soon as it passes a limit:
/// the parser asks for no more bytes than the limit needs, so memory stays bounded.
/// </summary>
public class RequestLimitTests
{
    private const int LineLimit = 8 * 1024;
    private const int HeadersLimit = 32 * 1024;

    /// <summary>"GET /aaa… HTTP/1.1\r\n" of exactly <paramref name="lineLength"/> bytes, CRLF included.</summary>
    private static string RequestLine(int lineLength) => "GET /" + new string('a', lineLength - "GET / HTTP/1.1\r\n".Length) + " HTTP/1.1\r\n";

    [Fact]
    public void Defaults_are_Kestrels()
    {
        var limits = HttpParserLimits.Default;
        Assert.Equal(8192, limits.MaxRequestLineSize);
        Assert.Equal(32768, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal(4096, limits.MaxChunkLineSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpParserLimits { MaxRequestLineSize = 0 });
    }

    [Fact]
    public void Request_line_of_exactly_the_limit_is_accepted_and_one_byte_more_is_414()
    {
        var parser = new HttpRequestParser();
        var fits = Bytes(RequestLine(LineLimit) + "Host: a\r\n\r\n");
        Assert.Equal(HttpParseStatus.Complete, ParseWhole(parser, fits).Status);
        Assert.Equal(LineLimit - 15, parser.Head.Path.Length);

        var over = Bytes(RequestLine(LineLimit + 1) + "Host: a\r\n\r\n");
        Assert.Equal(414, ParseWhole(parser, over).StatusCode);
    }

    [Fact]
    public void Over_long_request_target_is_refused_at_the_limit_without_waiting_for_the_line_end()
    {
        var parser = new HttpRequestParser();
        var bytes = Bytes("GET /" + new string('a', 100_000));
        Assert.Equal(HttpParseStatus.NeedMoreData, ParseWhole(parser, bytes[..(LineLimit - 1)]).Status);
        var result = ParseWhole(parser, bytes[..LineLimit]);
        Assert.Equal(HttpParseStatus.Error, result.Status);
        Assert.Equal(414, result.StatusCode);
    }

    [Fact]
    public void Over_long_method_or_version_is_400_not_414()
    {
        var parser = new HttpRequestParser();
        Assert.Equal(400, ParseWhole(parser, Bytes(new string('M', LineLimit))).StatusCode);
        Assert.Equal(400, ParseWhole(parser, Bytes("GET / " + new string('H', LineLimit))).StatusCode);
        // The target left room for "HTTP/1.1" CRLF, so the version is what is too long.
        Assert.Equal(400, ParseWhole(parser, Bytes("GET /" + new string('a', LineLimit - 16) + " HTTP/1.1 X")).StatusCode);
        // One byte less room: the target is what did not fit.
        Assert.Equal(414, ParseWhole(parser, Bytes("GET /" + new string('a', LineLimit - 15) + " HTTP/1.1\r\n")).StatusCode);
    }

    [Fact]
    public void Leading_empty_lines_count_against_the_request_line_limit()
    {
        var parser = new HttpRequestParser();
        string empties = string.Concat(Enumerable.Repeat("\r\n", LineLimit / 2));
        Assert.Equal(400, ParseWhole(parser, Bytes(empties + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")).StatusCode);
        // and are refused once they fill the limit, not when a request line finally comes
        Assert.Equal(400, ParseWhole(parser, Bytes(empties)).StatusCode);
        Assert.Equal(HttpParseStatus.NeedMoreData, ParseWhole(parser, Bytes(empties[..(LineLimit - 2)])).Status);
    }

    [Fact]
    public void Garbage_is_refused_at_its_first_byte()
    {
        var parser = new HttpRequestParser();
        // A TLS ClientHello sent to a plain HTTP port: the first byte is no method character.
        Assert.Equal(400, ParseWhole(parser, [0x16]).StatusCode);
        Assert.Equal(400, ParseWhole(parser, Bytes("GET\u0000")).StatusCode);
        Assert.Equal(HttpParseStatus.NeedMoreData, ParseWhole(parser, Bytes("GET")).Status);
        // A lone CR may still become an empty line, so it waits for the next byte.
        Assert.Equal(HttpParseStatus.NeedMoreData, ParseWhole(parser, Bytes("\r")).Status);
        Assert.Equal(400, ParseWhole(parser, Bytes("\rG")).StatusCode);
    }

    [Fact]
    public void Header_fields_of_exactly_the_total_limit_are_accepted_and_one_byte_more_is_431()
    {
        var parser = new HttpRequestParser();
        const string line = "GET / HTTP/1.1\r\n";
        const string host = "Host: a\r\n";
        int valueLength = HeadersLimit - host.Length - "X-Big: \r\n".Length;
        var fits = Bytes(line + host + "X-Big: " + new string('v', valueLength) + "\r\n\r\n");
        Assert.Equal(HttpParseStatus.Complete, ParseWhole(parser, fits).Status);

        var over = Bytes(line + host + "X-Big: " + new string('v', valueLength + 1) + "\r\n\r\n");
        Assert.Equal(431, ParseWhole(parser, over).StatusCode);
    }

    [Fact]
    public void Over_large_headers_are_refused_as_soon_as_the_limit_is_certain_to_be_passed()
    {
        var parser = new HttpRequestParser();
        var bytes = Bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('v', 100_000));
        int headerStart = "GET / HTTP/1.1\r\n".Length;
        // An unterminated field line of n bytes will be at least n + 1 long (its LF).
        int refusedAt = headerStart + HeadersLimit;
        Assert.Equal(HttpParseStatus.NeedMoreData, ParseWhole(parser, bytes[..(refusedAt - 1)]).Status);
        Assert.Equal(431, ParseWhole(parser, bytes[..refusedAt]).StatusCode);
    }

    [Fact]
    public void Many_small_lines_hit_the_count_limit_then_the_size_limit()
    {
        var parser = new HttpRequestParser(new HttpParserLimits { MaxRequestHeaderCount = 3, MaxRequestHeadersTotalSize = 40 });
        Assert.Equal(HttpParseStatus.Complete, ParseWhole(parser, Bytes(Head("GET / HTTP/1.1", "Host: a", "A: 1", "B: 2"))).Status);
        Assert.Equal(431, ParseWhole(parser, Bytes(Head("GET / HTTP/1.1", "Host: a", "A: 1", "B: 2", "C: 3"))).StatusCode);
        Assert.Equal(431, ParseWhole(parser, Bytes(Head("GET / HTTP/1.1", "Host: a", "A: " + new string('x', 30)))).StatusCode);
    }

    [Fact]
    public void Custom_request_line_limit_applies()
    {
        var parser = new HttpRequestParser(new HttpParserLimits { MaxRequestLineSize = 32 });
        Assert.Equal(HttpParseStatus.Complete, ParseWhole(parser, Bytes(RequestLine(32) + "Host: a\r\n\r\n")).Status);
        Assert.Equal(414, ParseWhole(parser, Bytes(RequestLine(33) + "Host: a\r\n\r\n")).StatusCode);
        Assert.Equal(414, ParseWhole(parser, Bytes(RequestLine(33)[..32])).StatusCode);
    }

    [Fact]
    public void Every_limit_edge_gives_the_same_result_split_at_every_byte()
    {
        // Small limits so every boundary of requests around them can be tried quickly; an odd
        // line limit puts a CR that may start an empty line exactly on the last byte allowed.
        var parsers = new[] { 23, 24, 25 }.Select(lineLimit => new HttpRequestParser(
            new HttpParserLimits { MaxRequestLineSize = lineLimit, MaxRequestHeadersTotalSize = 30, MaxRequestHeaderCount = 3 }));
        var requests = new List<string>();
        for (int pad = 0; pad < 16; pad++)
        {
            string a = new('a', pad);
            requests.Add("GET /" + a + " HTTP/1.1\r\nHost: h\r\n\r\n");
            requests.Add("\r\n\r\nGET /" + a + " HTTP/1.1\r\nHost: h\r\n\r\n");
            requests.Add("\r\n" + new string('\r', pad % 3) + "\nGET / HTTP/1.1\r\n\r\n");
            requests.Add(new string('G', pad + 14) + " / HTTP/1.1\r\nHost: h\r\n\r\n");
            requests.Add("GET / HTTP/1.1" + a + "\r\nHost: h\r\n\r\n");
            requests.Add("GET / HTTP/1.1\r\nHost: h\r\nX: " + a + "\r\n\r\n");
            requests.Add("GET / HTTP/1.1\r\nHost: h\r\nX: " + a + "\r\r\n");
            requests.Add("GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\nY:" + a + "\r\n\r\n");
            requests.Add("GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\nY: 2\r\n" + a + "\r\n");
            requests.Add(string.Concat(Enumerable.Repeat("\r\n", pad)) + "\rGET / HTTP/1.1\r\n\r\n");
            requests.Add(string.Concat(Enumerable.Repeat("\r\n", pad)) + "\r");
        }
        foreach (var parser in parsers)
        foreach (string request in requests)
        {
            var bytes = Bytes(request);
            string whole = Describe(ParseWhole(parser, bytes), parser, bytes);
            for (int split = 0; split <= bytes.Length; split++)
                Assert.Equal(whole, Describe(ParseSplit(parser, bytes, split), parser, bytes));
            Assert.Equal(whole, Describe(ParseByteByByte(parser, bytes), parser, bytes));
        }
    }
}
