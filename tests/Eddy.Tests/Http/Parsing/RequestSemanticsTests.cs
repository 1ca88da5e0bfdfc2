using Eddy.Http.Parsing;
using static Eddy.Tests.Http.Parsing.ParsingTesting;

namespace Eddy.Tests.Http.Parsing;

/// <summary>What the parser derives from a valid head: ranges, framing, keep-alive, expectations, upgrade.</summary>
public class RequestSemanticsTests
{
    private static (HttpRequestParser Parser, byte[] Bytes) Parse(string request)
    {
        var parser = new HttpRequestParser();
        var bytes = Bytes(request);
        var result = parser.TryParse(bytes);
        Assert.True(result.Status == HttpParseStatus.Complete, result.ToString());
        return (parser, bytes);
    }

    [Fact]
    public void Ranges_point_at_the_request_line_parts_and_fields()
    {
        var (parser, bytes) = Parse("POST /a/b%2Fc?x=1&y HTTP/1.1\r\nHost: example.com:8080\r\nX-Empty:\r\nX-Pad: \t padded value\t \r\nContent-Length: 12\r\n\r\nhello world!");
        var head = parser.Head;
        Assert.Equal("POST", head.GetMethodString(bytes));
        Assert.Same("POST", head.GetMethodString(bytes)); // cached literal, no allocation
        Assert.Equal(HttpMethodKind.Post, head.MethodKind);
        Assert.Equal("/a/b%2Fc?x=1&y", head.Target.ToLatin1String(bytes));
        Assert.Equal("/a/b%2Fc", head.Path.ToLatin1String(bytes));
        Assert.Equal("x=1&y", head.Query.ToLatin1String(bytes));
        Assert.True(head.HasQuery);
        Assert.Equal("HTTP/1.1", head.Version.ToLatin1String(bytes));
        Assert.Equal("example.com:8080", head.Authority.ToLatin1String(bytes));
        Assert.Equal(4, head.Headers.Count);
        Assert.Equal("X-Empty", head.Headers.Name(1).ToLatin1String(bytes));
        Assert.True(head.Headers.Value(1).IsEmpty);
        Assert.Equal("padded value", head.GetHeaderString(bytes, "x-pad"));
        Assert.Null(head.GetHeaderString(bytes, "X-Missing"));
        Assert.True(head.Headers.TryGetValue(bytes, "CONTENT-LENGTH"u8, out var length));
        Assert.Equal("12", length.ToLatin1String(bytes));
        Assert.Equal(BodyFraming.ContentLength, head.Framing);
        Assert.Equal(12, head.ContentLength);
        Assert.Equal("hello world!", System.Text.Encoding.ASCII.GetString(bytes, head.HeadLength, (int)head.ContentLength));
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Headers.Name(4));
    }

    [Fact]
    public void Absolute_form_authority_overrides_Host()
    {
        var (parser, bytes) = Parse("GET http://origin.example:81/p?q HTTP/1.1\r\nHost: other.example\r\n\r\n");
        Assert.Equal(RequestTargetForm.Absolute, parser.Head.TargetForm);
        Assert.Equal("origin.example:81", parser.Head.Authority.ToLatin1String(bytes));
        Assert.Equal("other.example", parser.Head.Host.ToLatin1String(bytes));
        Assert.Equal("/p", parser.Head.Path.ToLatin1String(bytes));
        Assert.Equal("q", parser.Head.Query.ToLatin1String(bytes));
    }

    [Theory]
    [InlineData("HTTP/1.1", "", true)]
    [InlineData("HTTP/1.1", "Connection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: CLOSE\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: keep-alive\r\n", true)]
    [InlineData("HTTP/1.1", "Connection: keep-alive, close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: keep-alive\r\nConnection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: Upgrade\r\n", true)]
    [InlineData("HTTP/1.0", "", false)]
    [InlineData("HTTP/1.0", "Connection: keep-alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: Keep-Alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: keep-alive, close\r\n", false)]
    [InlineData("HTTP/1.0", "Connection: close\r\n", false)]
    [InlineData("HTTP/1.7", "", true)]
    public void Keep_alive_follows_the_version_and_Connection(string version, string fields, bool keepAlive)
    {
        var (parser, _) = Parse($"GET / {version}\r\nHost: a\r\n{fields}\r\n");
        Assert.Equal(keepAlive, parser.Head.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1", "Connection: upgrade\r\nUpgrade: websocket\r\n", true)]
    [InlineData("HTTP/1.1", "Connection: keep-alive, Upgrade\r\nUpgrade: h2c\r\n", true)]
    [InlineData("HTTP/1.1", "Upgrade: websocket\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: upgrade\r\n", false)]
    [InlineData("HTTP/1.0", "Connection: upgrade\r\nUpgrade: websocket\r\n", false)]
    public void Upgrade_needs_the_field_and_the_connection_option_on_HTTP_1_1(string version, string fields, bool upgrade)
    {
        var (parser, bytes) = Parse($"GET / {version}\r\nHost: a\r\n{fields}\r\n");
        Assert.Equal(upgrade, parser.Head.IsUpgradeRequest);
        if (upgrade) Assert.False(parser.Head.Upgrade.IsEmpty);
        if (version == "HTTP/1.0") Assert.True(parser.Head.Upgrade.IsEmpty);
        _ = bytes;
    }

    [Theory]
    [InlineData("", "None", -1L)]
    [InlineData("Content-Length: 0\r\n", "ContentLength", 0L)]
    [InlineData("Content-Length: 42\r\n", "ContentLength", 42L)]
    [InlineData("Content-Length: 42, 42\r\nContent-Length: 42\r\n", "ContentLength", 42L)]
    [InlineData("Transfer-Encoding: chunked\r\n", "Chunked", -1L)]
    public void Framing_comes_from_Content_Length_or_Transfer_Encoding(string fields, string framing, long length)
    {
        var (parser, _) = Parse($"POST / HTTP/1.1\r\nHost: a\r\n{fields}\r\n");
        Assert.Equal(Enum.Parse<BodyFraming>(framing), parser.Head.Framing);
        Assert.Equal(length, parser.Head.ContentLength);
    }

    [Fact]
    public void Expect_100_continue_is_noted_on_HTTP_1_1_only()
    {
        Assert.True(Parse("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").Parser.Head.ExpectContinue);
        Assert.False(Parse("PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").Parser.Head.ExpectContinue);
        Assert.False(Parse("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n").Parser.Head.ExpectContinue);
    }

    [Fact]
    public void Version_1_x_is_served_as_1_1_but_keeps_its_minor_digit()
    {
        var (parser, _) = Parse("GET / HTTP/1.5\r\nHost: a\r\n\r\n");
        Assert.Equal(HttpProtocolVersion.Http11, parser.Head.ProtocolVersion);
        Assert.Equal(5, parser.Head.MinorVersion);
    }

    [Fact]
    public void Pipelined_requests_parse_one_after_the_other_with_Reset()
    {
        var bytes = Bytes(
            "GET /one HTTP/1.1\r\nHost: a\r\n\r\n" +
            "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
            "\r\nGET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        var parser = new HttpRequestParser();
        int position = 0;
        var paths = new List<string>();
        while (position < bytes.Length)
        {
            parser.Reset();
            var buffer = bytes.AsSpan(position);
            var result = parser.TryParse(buffer);
            Assert.Equal(HttpParseStatus.Complete, result.Status);
            paths.Add(parser.Head.Path.ToLatin1String(buffer));
            position += result.Consumed + (int)Math.Max(0, parser.Head.ContentLength);
        }
        Assert.Equal(["/one", "/two", "/three"], paths);
        Assert.False(parser.Head.KeepAlive);
    }

    [Fact]
    public void The_buffer_may_move_between_calls_but_must_not_shrink()
    {
        var parser = new HttpRequestParser();
        var request = Bytes("GET /moved HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(HttpParseStatus.NeedMoreData, parser.TryParse(request.AsSpan(0, 20)).Status);
        // The caller grew its buffer into a new array: offsets are relative, so this is fine.
        var moved = new byte[100];
        request.CopyTo(moved, 0);
        var result = parser.TryParse(moved.AsSpan(0, request.Length));
        Assert.Equal(HttpParseStatus.Complete, result.Status);
        Assert.Equal("/moved", parser.Head.Path.ToLatin1String(moved));

        parser.Reset();
        parser.TryParse(request.AsSpan(0, 20));
        Assert.Throws<ArgumentException>(() => parser.TryParse(request.AsSpan(0, 10)));
    }

    [Fact]
    public void Bytes_after_the_head_are_not_part_of_it()
    {
        var (parser, bytes) = Parse("GET / HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE \0\r\n");
        Assert.Equal(bytes.Length - "GARBAGE \0\r\n".Length, parser.Head.HeadLength);
    }
}
