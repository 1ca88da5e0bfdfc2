using Eddy.Web;
using Eddy.Web.Cookies;

namespace Eddy.Tests.Web.Cookies;

/// <summary>Reading the Cookie request header (RFC 6265 §5.4), leniently.</summary>
public class CookieHeaderTests
{
    private static string Show(Parameters cookies) => string.Join(" | ", cookies.Select(c => $"{c.Key}={c.Value}"));

    [Theory]
    [InlineData("a=1", "a=1")]
    [InlineData("a=1; b=2", "a=1 | b=2")]
    [InlineData("a=1;b=2", "a=1 | b=2")]
    [InlineData("  a = 1 ;\tb=2\t; ", "a=1 | b=2")]
    [InlineData("id=1; id=2", "id=1 | id=2")]
    [InlineData("a=\"quoted\"", "a=quoted")]
    [InlineData("a=\"\"", "a=")]
    [InlineData("a=\"half", "a=\"half")]
    [InlineData("a=", "a=")]
    [InlineData("a=b=c", "a=b=c")]
    [InlineData("a=%20x", "a=%20x")]
    [InlineData("flag; a=1", "a=1")]
    [InlineData("=orphan; a=1", "a=1")]
    [InlineData("Sid=x; sid=y", "Sid=x | sid=y")]
    [InlineData("a=caf\u00e9", "a=caf\u00e9")]
    public void Cookies_are_read_in_order(string header, string expected) => Assert.Equal(expected, Show(CookieHeader.Parse(header)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(";;;")]
    [InlineData("=")]
    [InlineData("garbage")]
    [InlineData(" ; = ; ")]
    [InlineData("\"")]
    [InlineData("\0\u0001\uffff")]
    public void Garbage_gives_no_cookies_and_never_throws(string? header) => Assert.Empty(CookieHeader.Parse(header));

    [Fact]
    public void The_first_of_same_named_cookies_wins_the_indexer()
    {
        var cookies = CookieHeader.Parse("id=specific; id=general");
        Assert.Equal("specific", cookies["id"]);
        Assert.Equal(["specific", "general"], cookies.GetAll("id"));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        const string alphabet = "ab=; \t\"%\u00e9\0";
        for (int i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (int j = 0; j < chars.Length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            var cookies = CookieHeader.Parse(new string(chars));
            foreach (var cookie in cookies) Assert.NotEqual("", cookie.Key);
        }
    }
}
