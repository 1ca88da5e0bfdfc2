using Eddy.Web;
using Eddy.Web.Forms;
using static Eddy.Tests.Web.Forms.FormTesting;

namespace Eddy.Tests.Web.Forms;

/// <summary>Query strings and application/x-www-form-urlencoded bodies: decoding rules and limits.</summary>
public class UrlEncodedTests
{
    // (input, expected pairs as "name=value" joined by " | ")
    public static TheoryData<string, string> Cases => new()
    {
        { "a=1&b=2", "a=1 | b=2" },
        { "a=1&a=2&b=3&a=4", "a=1 | a=2 | b=3 | a=4" },
        { "q=hello+world", "q=hello world" },
        { "q=hello%20world", "q=hello world" },
        { "q=1%2B1", "q=1+1" },
        { "euro=%E2%82%AC", "euro=\u20ac" },
        { "lower=%e2%82%ac", "lower=\u20ac" },
        { "a%5B%5D=1&a%5b%5d=2", "a[]=1 | a[]=2" },
        { "bad=%zz", "bad=%zz" },
        { "bad=%2", "bad=%2" },
        { "bad=%", "bad=%" },
        { "bad=%%41", "bad=%A" },
        { "half=%4g", "half=%4g" },
        { "latin1=%FF", "latin1=\ufffd" },
        { "flag", "flag=" },
        { "flag&b=2", "flag= | b=2" },
        { "=x", "=x" },
        { "a=", "a=" },
        { "a==b", "a==b" },
        { "a=1;b=2", "a=1;b=2" },
        { "&&a=1&&&b=2&", "a=1 | b=2" },
        { "", "" },
        { "&", "" },
        { "raw=caf\u00e9", "raw=caf\u00e9" },
    };

    private static string Show(Parameters parameters) => string.Join(" | ", parameters.Select(p => $"{p.Key}={p.Value}"));

    [Theory, MemberData(nameof(Cases))]
    public void Text_parses_as_the_rules_say(string input, string expected) => Assert.Equal(expected, Show(UrlEncoded.Parse(input.AsSpan())));

    [Theory, MemberData(nameof(Cases))]
    public void Bytes_parse_as_text_does(string input, string expected) => Assert.Equal(expected, Show(UrlEncoded.Parse(Bytes(input))));

    [Theory, MemberData(nameof(Cases))]
    public async Task A_streamed_body_split_anywhere_parses_the_same(string input, string expected)
    {
        var body = Bytes(input);
        for (int split = 0; split <= body.Length; split++)
        {
            await using var form = await FormReader.ReadUrlEncodedAsync(new PieceStream(body, splits: [split]));
            Assert.Equal(expected, Show(form.Fields));
            Assert.Empty(form.Files);
        }
        await using var byteByByte = await FormReader.ReadUrlEncodedAsync(new PieceStream(body, pieceSize: 1));
        Assert.Equal(expected, Show(byteByByte.Fields));
    }

    [Fact]
    public void ParseQuery_skips_one_leading_question_mark()
    {
        Assert.Equal("a=1", Show(UrlEncoded.ParseQuery("?a=1")));
        Assert.Equal("a=1", Show(UrlEncoded.ParseQuery("a=1")));
        Assert.Equal("?a=1", Show(UrlEncoded.ParseQuery("??a=1")));
        Assert.Same(Parameters.Empty, UrlEncoded.ParseQuery(null));
        Assert.Same(Parameters.Empty, UrlEncoded.ParseQuery(""));
    }

    [Fact]
    public void Decode_decodes_one_component()
    {
        Assert.Equal("a b+c\u20ac%zz", UrlEncoded.Decode("a+b%2Bc%E2%82%AC%zz".AsSpan()));
        Assert.Equal("plain", UrlEncoded.Decode("plain".AsSpan()));
        string longValue = new string('x', 300) + "%41";
        Assert.Equal(new string('x', 300) + "A", UrlEncoded.Decode(longValue.AsSpan()));
    }

    [Fact]
    public void Field_count_at_the_limit_is_accepted() =>
        Assert.Equal(3, UrlEncoded.Parse("a=1&b=2&c=3".AsSpan(), new FormLimits { MaxFieldCount = 3 }).Count);

    [Fact]
    public void Field_count_over_the_limit_is_413_naming_MaxFieldCount()
    {
        var e = Assert.Throws<Eddy.Http.BadHttpRequestException>(() => UrlEncoded.Parse("a=1&b=2&c=3&&".AsSpan(), new FormLimits { MaxFieldCount = 2 }));
        Assert.Equal(413, e.StatusCode);
        Assert.Contains("FormLimits.MaxFieldCount (2)", e.Message);
    }

    [Fact]
    public void Query_over_the_field_count_names_the_query_string()
    {
        var e = Assert.Throws<Eddy.Http.BadHttpRequestException>(() => UrlEncoded.ParseQuery("?a&b", new FormLimits { MaxFieldCount = 1 }));
        Assert.Contains("query string", e.Message);
    }

    [Fact]
    public void Key_length_counts_encoded_bytes()
    {
        var limits = new FormLimits { MaxKeyLength = 3 };
        Assert.Equal("1", UrlEncoded.Parse("abc=1".AsSpan(), limits)["abc"]);
        var e = Assert.Throws<Eddy.Http.BadHttpRequestException>(() => UrlEncoded.Parse("%41%42=1".AsSpan(), limits));
        Assert.Equal(413, e.StatusCode);
        Assert.Contains("FormLimits.MaxKeyLength (3 bytes)", e.Message);
        Assert.Throws<Eddy.Http.BadHttpRequestException>(() => UrlEncoded.Parse("abcd".AsSpan(), limits));
    }

    [Fact]
    public void Value_length_counts_encoded_bytes()
    {
        var limits = new FormLimits { MaxValueLength = 3 };
        Assert.Equal("abc", UrlEncoded.Parse("a=abc".AsSpan(), limits)["a"]);
        var e = Assert.Throws<Eddy.Http.BadHttpRequestException>(() => UrlEncoded.Parse("a=%41%42".AsSpan(), limits));
        Assert.Equal(413, e.StatusCode);
        Assert.Contains("FormLimits.MaxValueLength (3 bytes)", e.Message);
    }

    [Fact]
    public async Task A_value_longer_than_the_read_buffer_streams_whole()
    {
        string value = new('v', 100_000);
        await using var form = await FormReader.ReadUrlEncodedAsync(new PieceStream(Bytes("a=1&big=" + value + "&z=2"), pieceSize: 7_000));
        Assert.Equal(value, form.Fields["big"]);
        Assert.Equal("2", form.Fields["z"]);
    }

    [Fact]
    public async Task A_streamed_body_over_MaxUrlEncodedBodyLength_is_413()
    {
        var limits = new FormLimits { MaxUrlEncodedBodyLength = 10 };
        await using (await FormReader.ReadUrlEncodedAsync(new PieceStream(Bytes("a=12345678")), limits)) { }
        var e = await AssertBadRequestAsync(413, async () => await FormReader.ReadUrlEncodedAsync(new PieceStream(Bytes("a=123456789")), limits));
        Assert.Contains("FormLimits.MaxUrlEncodedBodyLength (10 bytes)", e.Message);
    }

    [Fact]
    public async Task An_endless_field_is_refused_before_the_body_is_read()
    {
        var body = new PieceStream(new byte[10_000_000], pieceSize: 4096); // zeros: one endless field name
        var e = await AssertBadRequestAsync(413, async () => await FormReader.ReadUrlEncodedAsync(body, new FormLimits { MaxKeyLength = 5000 }));
        Assert.Contains("MaxKeyLength", e.Message);
        Assert.True(body.BytesRead < 100_000, $"read {body.BytesRead} bytes");
    }

    [Fact]
    public async Task An_endless_value_is_refused_in_a_streamed_body()
    {
        var data = Bytes("a=" + new string('v', 100_000));
        var e = await AssertBadRequestAsync(413, async () => await FormReader.ReadUrlEncodedAsync(new PieceStream(data, pieceSize: 1000), new FormLimits { MaxValueLength = 10_000 }));
        Assert.Contains("MaxValueLength", e.Message);
    }

    [Fact]
    public async Task A_body_that_fails_to_read_passes_the_failure_on()
    {
        var body = new PieceStream(Bytes("a=1&b=2"), pieceSize: 2) { FailAt = 4 };
        await Assert.ThrowsAsync<IOException>(async () => await FormReader.ReadUrlEncodedAsync(body));
    }
}
