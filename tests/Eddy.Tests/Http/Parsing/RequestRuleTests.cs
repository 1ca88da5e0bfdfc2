using Eddy.Http.Parsing;
using static Eddy.Tests.Http.Parsing.ParsingTesting;

namespace Eddy.Tests.Http.Parsing;

/// <summary>
/// One row per rule: the request and the exact outcome (0 = Complete, else the error status). Every
/// row is also parsed split at every byte boundary and byte by byte, which must change nothing.
/// </summary>
public class RequestRuleTests
{
    private const string Get = "GET / HTTP/1.1";
    private const string Host = "Host: example.com";

    private static readonly string LongTarget = "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n";
    private static readonly string LongMethod = new string('G', 9000) + " / HTTP/1.1\r\nHost: a\r\n\r\n";
    private static readonly string LongVersion = "GET / HTTP/1.1" + new string('1', 9000) + "\r\nHost: a\r\n\r\n";
    private static readonly string LongHeader = Head(Get, Host, "X-Big: " + new string('v', 33000));
    private static readonly string HundredHeaders = Head([Get, Host, .. Enumerable.Range(0, 99).Select(i => $"X-{i}: {i}")]);
    private static readonly string TooManyHeaders = Head([Get, Host, .. Enumerable.Range(0, 100).Select(i => $"X-{i}: {i}")]);

    public static TheoryData<string, string, int> Cases => new()
    {
        // Accepted
        { "simple GET", Head(Get, Host), 0 },
        { "HTTP/1.0 without Host", Head("GET / HTTP/1.0"), 0 },
        { "HTTP/1.0 with a valid Host", Head("GET / HTTP/1.0", Host), 0 },
        { "HTTP/1.2 is served as 1.1", Head("GET / HTTP/1.2", Host), 0 },
        { "HTTP/1.9 is served as 1.1", Head("GET / HTTP/1.9", Host), 0 },
        { "empty lines before the request line are skipped", "\r\n\r\n" + Head(Get, Host), 0 },
        { "unknown method token", Head("FROB / HTTP/1.1", Host), 0 },
        { "lowercase method is just another token", Head("get / HTTP/1.1", Host), 0 },
        { "method with every tchar punctuation", Head("!#$%&'*+-.^_`|~ / HTTP/1.1", Host), 0 },
        { "origin-form with query", Head("GET /a/b%20c?x=1&y=%zz HTTP/1.1", Host), 0 },
        { "origin-form with empty query", Head("GET /a? HTTP/1.1", Host), 0 },
        { "origin-form with unencoded | { } in it", Head("GET /a|b{c}?q=[1] HTTP/1.1", Host), 0 },
        { "absolute-form", Head("GET http://example.com:8080/p?q HTTP/1.1", Host), 0 },
        { "absolute-form without path", Head("GET http://example.com HTTP/1.1", Host), 0 },
        { "absolute-form, https, upper-case scheme", Head("GET HTTPS://example.com/ HTTP/1.1", Host), 0 },
        { "absolute-form with IPv6 host", Head("GET http://[2001:db8::1]:80/ HTTP/1.1", Host), 0 },
        { "OPTIONS *", Head("OPTIONS * HTTP/1.1", Host), 0 },
        { "OPTIONS with a path", Head("OPTIONS /x HTTP/1.1", Host), 0 },
        { "CONNECT host:port", Head("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"), 0 },
        { "CONNECT [IPv6]:port", Head("CONNECT [::1]:443 HTTP/1.1", "Host: [::1]:443"), 0 },
        { "CONNECT IPv4:port", Head("CONNECT 10.0.0.1:443 HTTP/1.1", "Host: 10.0.0.1:443"), 0 },
        { "Host with port", Head(Get, "Host: example.com:8080"), 0 },
        { "Host IPv4", Head(Get, "Host: 192.168.0.1"), 0 },
        { "Host IPv6 with port", Head(Get, "Host: [fe80::1:2]:8080"), 0 },
        { "Host IPv6 with embedded IPv4", Head(Get, "Host: [::ffff:192.0.2.1]"), 0 },
        { "Host reg-name with sub-delims and pct-encoding", Head(Get, "Host: a-b_c~d!$&'()*+,;=%41"), 0 },
        { "empty Host (RFC 9112 §3.2)", Head(Get, "Host:"), 0 },
        { "field name case does not matter", Head(Get, "hOsT: example.com"), 0 },
        { "Content-Length 0", Head("POST / HTTP/1.1", Host, "Content-Length: 0"), 0 },
        { "Content-Length with leading zeros", Head("POST / HTTP/1.1", Host, "Content-Length: 007"), 0 },
        { "Content-Length repeated with the same value", Head("POST / HTTP/1.1", Host, "Content-Length: 5", "Content-Length: 5"), 0 },
        { "Content-Length list of identical values", Head("POST / HTTP/1.1", Host, "Content-Length: 5, 5"), 0 },
        { "Content-Length long.MaxValue", Head("POST / HTTP/1.1", Host, "Content-Length: 9223372036854775807"), 0 },
        { "Transfer-Encoding chunked", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked"), 0 },
        { "Transfer-Encoding Chunked, any case", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: CHUNKED"), 0 },
        { "Transfer-Encoding with OWS", Head("POST / HTTP/1.1", Host, "Transfer-Encoding:  \tchunked \t"), 0 },
        { "Expect: 100-continue", Head("POST / HTTP/1.1", Host, "Expect: 100-Continue", "Content-Length: 3"), 0 },
        { "Expect: 100-continue on HTTP/1.0 is ignored", Head("POST / HTTP/1.0", "Expect: 100-continue", "Content-Length: 3"), 0 },
        { "Connection close", Head(Get, Host, "Connection: close"), 0 },
        { "Connection list with empty elements", Head(Get, Host, "Connection: , keep-alive,, Upgrade ,"), 0 },
        { "Upgrade", Head(Get, Host, "Connection: Upgrade", "Upgrade: websocket"), 0 },
        { "field value with obs-text, inner HTAB and outer OWS", Head(Get, Host, "X-Text: \t caf\u00e9\tau lait \t"), 0 },
        { "empty field value", Head(Get, Host, "X-Empty:"), 0 },
        { "field value of only whitespace", Head(Get, Host, "X-Empty:  \t "), 0 },
        { "100 header fields", HundredHeaders, 0 },

        // Framing: smuggling vectors
        { "Content-Length and Transfer-Encoding", Head("POST / HTTP/1.1", Host, "Content-Length: 5", "Transfer-Encoding: chunked"), 400 },
        { "Transfer-Encoding and Content-Length", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked", "Content-Length: 5"), 400 },
        { "Content-Length with +", Head("POST / HTTP/1.1", Host, "Content-Length: +5"), 400 },
        { "Content-Length with -", Head("POST / HTTP/1.1", Host, "Content-Length: -5"), 400 },
        { "Content-Length with inner space", Head("POST / HTTP/1.1", Host, "Content-Length: 1 2"), 400 },
        { "Content-Length hex", Head("POST / HTTP/1.1", Host, "Content-Length: 0x5"), 400 },
        { "Content-Length letters", Head("POST / HTTP/1.1", Host, "Content-Length: five"), 400 },
        { "Content-Length empty", Head("POST / HTTP/1.1", Host, "Content-Length:"), 400 },
        { "Content-Length decimal point", Head("POST / HTTP/1.1", Host, "Content-Length: 5.0"), 400 },
        { "Content-Length past long.MaxValue", Head("POST / HTTP/1.1", Host, "Content-Length: 9223372036854775808"), 400 },
        { "Content-Length far past long", Head("POST / HTTP/1.1", Host, "Content-Length: 99999999999999999999999"), 400 },
        { "Content-Length list of different values", Head("POST / HTTP/1.1", Host, "Content-Length: 5, 6"), 400 },
        { "Content-Length list with an empty element", Head("POST / HTTP/1.1", Host, "Content-Length: 5,,5"), 400 },
        { "Content-Length list with a trailing comma", Head("POST / HTTP/1.1", Host, "Content-Length: 5,"), 400 },
        { "Content-Length repeated with different values", Head("POST / HTTP/1.1", Host, "Content-Length: 5", "Content-Length: 6"), 400 },
        { "Transfer-Encoding chunked, gzip", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked, gzip"), 400 },
        { "Transfer-Encoding chunked, chunked", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked, chunked"), 400 },
        { "Transfer-Encoding chunked on two lines", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), 400 },
        { "Transfer-Encoding identity", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: identity"), 400 },
        { "Transfer-Encoding identity, chunked", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: identity, chunked"), 400 },
        { "Transfer-Encoding gzip alone", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: gzip"), 400 },
        { "Transfer-Encoding empty", Head("POST / HTTP/1.1", Host, "Transfer-Encoding:"), 400 },
        { "Transfer-Encoding trailing comma", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked,"), 400 },
        { "Transfer-Encoding with parameters", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked;q=1"), 400 },
        { "Transfer-Encoding misspelt", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: chunked-"), 400 },
        { "Transfer-Encoding quoted", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: \"chunked\""), 400 },
        { "Transfer-Encoding on HTTP/1.0", Head("POST / HTTP/1.0", "Transfer-Encoding: chunked"), 400 },
        { "Transfer-Encoding gzip, chunked is not implemented", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: gzip, chunked"), 501 },
        { "Transfer-Encoding gzip then chunked on two lines", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), 501 },
        { "Transfer-Encoding unknown coding before chunked", Head("POST / HTTP/1.1", Host, "Transfer-Encoding: frob, chunked"), 501 },

        // Line syntax
        { "obs-fold", Head(Get, Host, "X-A: one", " two"), 400 },
        { "obs-fold with HTAB", Head(Get, Host, "X-A: one", "\ttwo"), 400 },
        { "first header line starts with whitespace", Head(Get, " Host: example.com"), 400 },
        { "space between name and colon", Head(Get, "Host : example.com"), 400 },
        { "tab between name and colon", Head(Get, Host, "X-A\t: 1"), 400 },
        { "empty field name", Head(Get, Host, ": value"), 400 },
        { "invalid tchar in field name", Head(Get, Host, "X(A): 1"), 400 },
        { "non-ASCII in field name", Head(Get, Host, "X-\u00e9: 1"), 400 },
        { "field line without colon", Head(Get, Host, "X-A"), 400 },
        { "field line of spaces", Head(Get, Host, "X-A b"), 400 },
        { "NUL in field value", Head(Get, Host, "X-A: a\0b"), 400 },
        { "control char in field value", Head(Get, Host, "X-A: a\u0001b"), 400 },
        { "DEL in field value", Head(Get, Host, "X-A: a\u007fb"), 400 },
        { "ESC in field value", Head(Get, Host, "X-A: \u001b[1m"), 400 },
        { "bare CR in field value", Head(Get, Host, "X-A: a\rb"), 400 },
        { "bare CR in field name", Head(Get, Host, "X\r-A: 1"), 400 },
        { "bare CR at line start", Head(Get, Host, "\rX-A: 1"), 400 },
        { "bare CR before the final CRLF", Get + "\r\n" + Host + "\r\n\r\r\n", 400 },
        { "NUL in field name", Head(Get, Host, "X\0A: 1"), 400 },
        { "bare LF ends the request line", Get + "\n" + Host + "\r\n\r\n", 400 },
        { "bare LF ends a field line", Get + "\r\n" + Host + "\n\r\n", 400 },
        { "bare LF ends the head", Get + "\r\n" + Host + "\r\n\n", 400 },
        { "bare LF only", Get + "\n" + Host + "\n\n", 400 },
        { "bare LF as a leading empty line", "\n" + Head(Get, Host), 400 },
        { "CR CR LF as a leading line", "\r\r\n" + Head(Get, Host), 400 },

        // Request line
        { "invalid char in method", Head("GE(T / HTTP/1.1", Host), 400 },
        { "NUL in method", Head("GE\0T / HTTP/1.1", Host), 400 },
        { "TLS ClientHello", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", 400 },
        { "tab after method", Head("GET\t/ HTTP/1.1", Host), 400 },
        { "empty method", Head(" / HTTP/1.1", Host), 400 },
        { "two spaces after method", Head("GET  / HTTP/1.1", Host), 400 },
        { "two spaces before version", Head("GET /  HTTP/1.1", Host), 400 },
        { "trailing space after version", Head("GET / HTTP/1.1 ", Host), 400 },
        { "no version", Head("GET /", Host), 400 },
        { "method only", Head("GET", Host), 400 },
        { "space in target", Head("GET /a b HTTP/1.1", Host), 400 },
        { "control char in target", Head("GET /a\u0001b HTTP/1.1", Host), 400 },
        { "bare CR in target", Head("GET /a\rb HTTP/1.1", Host), 400 },
        { "DEL in target", Head("GET /a\u007f HTTP/1.1", Host), 400 },
        { "non-ASCII in target", Head("GET /caf\u00e9 HTTP/1.1", Host), 400 },
        { "fragment in target", Head("GET /a#b HTTP/1.1", Host), 400 },
        { "bad percent-encoding in path", Head("GET /a%2 HTTP/1.1", Host), 400 },
        { "non-hex percent-encoding in path", Head("GET /a%zz HTTP/1.1", Host), 400 },
        { "lower-case version", Head("GET / http/1.1", Host), 400 },
        { "version without minor", Head("GET / HTTP/1", Host), 400 },
        { "version with two-digit minor", Head("GET / HTTP/1.10", Host), 400 },
        { "version with two-digit major", Head("GET / HTTP/11.1", Host), 400 },
        { "version with letters", Head("GET / HTTP/a.b", Host), 400 },
        { "version with comma", Head("GET / HTTP/1,1", Host), 400 },
        { "HTTP/2.0 in an HTTP/1 request line", Head("GET / HTTP/2.0", Host), 505 },
        { "HTTP/0.9", Head("GET / HTTP/0.9", Host), 505 },
        { "HTTP/3.1", Head("GET / HTTP/3.1", Host), 505 },
        { "HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505 },

        // Target form against method
        { "asterisk with GET", Head("GET * HTTP/1.1", Host), 400 },
        { "authority-form with GET", Head("GET example.com:80 HTTP/1.1", Host), 400 },
        { "CONNECT with origin-form", Head("CONNECT / HTTP/1.1", Host), 400 },
        { "CONNECT with asterisk", Head("CONNECT * HTTP/1.1", Host), 400 },
        { "CONNECT with absolute-form", Head("CONNECT http://example.com:443/ HTTP/1.1", Host), 400 },
        { "CONNECT without port", Head("CONNECT example.com HTTP/1.1", Host), 400 },
        { "CONNECT with empty port", Head("CONNECT example.com: HTTP/1.1", Host), 400 },
        { "CONNECT with empty host", Head("CONNECT :443 HTTP/1.1", Host), 400 },
        { "CONNECT with a path", Head("CONNECT example.com:443/x HTTP/1.1", Host), 400 },
        { "relative path", Head("GET a/b HTTP/1.1", Host), 400 },
        { "other scheme", Head("GET ftp://example.com/ HTTP/1.1", Host), 400 },
        { "absolute-form with userinfo", Head("GET http://user:pw@example.com/ HTTP/1.1", Host), 400 },
        { "absolute-form with empty host", Head("GET http:///path HTTP/1.1", Host), 400 },
        { "absolute-form with bad port", Head("GET http://example.com:x/ HTTP/1.1", Host), 400 },
        { "absolute-form with bad percent-encoding in path", Head("GET http://example.com/%G0 HTTP/1.1", Host), 400 },
        { "scheme without slashes", Head("GET http:example.com HTTP/1.1", Host), 400 },

        // Host
        { "missing Host on HTTP/1.1", Head(Get, "X-A: 1"), 400 },
        { "missing Host on absolute-form still rejected", Head("GET http://example.com/ HTTP/1.1"), 400 },
        { "repeated Host, same value", Head(Get, Host, Host), 400 },
        { "repeated Host, different values", Head(Get, Host, "Host: other.com"), 400 },
        { "repeated Host on HTTP/1.0", Head("GET / HTTP/1.0", Host, Host), 400 },
        { "Host with space", Head(Get, "Host: exa mple.com"), 400 },
        { "Host with userinfo", Head(Get, "Host: user@example.com"), 400 },
        { "Host with path", Head(Get, "Host: example.com/x"), 400 },
        { "Host with empty port", Head(Get, "Host: example.com:"), 400 },
        { "Host with non-digit port", Head(Get, "Host: example.com:8o"), 400 },
        { "Host with 6-digit port", Head(Get, "Host: example.com:123456"), 400 },
        { "Host with port 65536", Head(Get, "Host: example.com:65536"), 400 },
        { "Host port only", Head(Get, "Host: :80"), 400 },
        { "Host with two colons", Head(Get, "Host: a:1:2"), 400 },
        { "Host unclosed IPv6", Head(Get, "Host: [::1"), 400 },
        { "Host bad IPv6", Head(Get, "Host: [::g]"), 400 },
        { "Host IPv6 with two ::", Head(Get, "Host: [1::2::3]"), 400 },
        { "Host IPv6 with 9 groups", Head(Get, "Host: [1:2:3:4:5:6:7:8:9]"), 400 },
        { "Host IPv6 zone id", Head(Get, "Host: [fe80::1%25eth0]"), 400 },
        { "Host bare IPv6", Head(Get, "Host: ::1"), 400 },
        { "Host with bad percent-encoding", Head(Get, "Host: a%4"), 400 },
        { "Host with quote", Head(Get, "Host: \"example.com\""), 400 },
        { "invalid Host on HTTP/1.0", Head("GET / HTTP/1.0", "Host: a b"), 400 },

        // Connection and expectations
        { "Connection option that is not a token", Head(Get, Host, "Connection: close foo"), 400 },
        { "unknown expectation", Head("POST / HTTP/1.1", Host, "Expect: 200-ok"), 417 },
        { "100-continue with another expectation", Head("POST / HTTP/1.1", Host, "Expect: 100-continue, x"), 417 },
        { "100-continue with parameters", Head("POST / HTTP/1.1", Host, "Expect: 100-continue;a=b"), 417 },

        // Limits
        { "over-long target", LongTarget, 414 },
        { "over-long method", LongMethod, 400 },
        { "over-long version", LongVersion, 400 },
        { "header fields over 32 KiB", LongHeader, 431 },
        { "101 header fields", TooManyHeaders, 431 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_gives_its_status(string name, string request, int status)
    {
        var parser = new HttpRequestParser();
        var bytes = Bytes(request);
        var result = parser.TryParse(bytes);
        if (status == 0)
        {
            Assert.True(result.Status == HttpParseStatus.Complete, $"{name}: expected Complete, got {result}");
            Assert.Equal(bytes.Length, result.Consumed);
            AssertRangesInside(parser.Head, result.Consumed);
        }
        else
        {
            Assert.True(result.Status == HttpParseStatus.Error && result.StatusCode == status, $"{name}: expected {status}, got {result}");
            Assert.False(string.IsNullOrEmpty(result.Reason));
        }
        // The result sticks until Reset.
        Assert.Equal(result, parser.TryParse(bytes));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_gives_the_same_result_split_at_every_byte(string name, string request, int status)
    {
        _ = status;
        var parser = new HttpRequestParser();
        var bytes = Bytes(request);
        string whole = Describe(ParseWhole(parser, bytes), parser, bytes);
        for (int split = 0; split <= bytes.Length; split++)
        {
            string pieces = Describe(ParseSplit(parser, bytes, split), parser, bytes);
            Assert.True(whole == pieces, $"{name}: split at {split} gave\n{pieces}\nwhole gave\n{whole}");
        }
        string byteByByte = Describe(ParseByteByByte(parser, bytes), parser, bytes);
        Assert.True(whole == byteByByte, $"{name}: byte by byte gave\n{byteByByte}\nwhole gave\n{whole}");
    }

}
