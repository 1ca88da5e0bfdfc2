using Eddy.Web.Cookies;

namespace Eddy.Tests.Web.Cookies;

/// <summary>Formatting Set-Cookie (RFC 6265 §4.1), and what is refused with a message that says the fix.</summary>
public class SetCookieTests
{
    [Fact]
    public void Defaults_give_a_session_cookie_for_the_whole_site()
    {
        Assert.Equal("a=1; Path=/", SetCookie.Format("a", "1"));
        var defaults = CookieOptions.Default;
        Assert.Equal("/", defaults.Path);
        Assert.Null(defaults.Domain);
        Assert.Null(defaults.Expires);
        Assert.Null(defaults.MaxAge);
        Assert.False(defaults.Secure);
        Assert.False(defaults.HttpOnly);
        Assert.Equal(SameSiteMode.Unspecified, defaults.SameSite);
    }

    [Fact]
    public void Every_attribute_is_written()
    {
        var options = new CookieOptions
        {
            Path = "/app",
            Domain = "example.com",
            Expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
            MaxAge = TimeSpan.FromSeconds(3600.9),
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
        };
        Assert.Equal("sid=abc; Expires=Wed, 02 Jan 2030 01:04:05 GMT; Max-Age=3600; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict",
            SetCookie.Format("sid", "abc", options));
    }

    [Theory]
    [InlineData(SameSiteMode.Lax, "; SameSite=Lax")]
    [InlineData(SameSiteMode.Strict, "; SameSite=Strict")]
    [InlineData(SameSiteMode.None, "; SameSite=None")]
    [InlineData(SameSiteMode.Unspecified, "")]
    public void SameSite_is_written_when_specified(SameSiteMode mode, string expected) =>
        Assert.Equal("a=1; Path=/; Secure" + expected, SetCookie.Format("a", "1", new CookieOptions { Secure = true, SameSite = mode }));

    [Fact]
    public void A_null_path_omits_the_attribute() => Assert.Equal("a=1", SetCookie.Format("a", "1", new CookieOptions { Path = null }));

    [Fact]
    public void A_negative_max_age_is_written_as_zero() =>
        Assert.Equal("a=1; Max-Age=0; Path=/", SetCookie.Format("a", "1", new CookieOptions { MaxAge = TimeSpan.FromSeconds(-5) }));

    [Fact]
    public void SameSite_None_without_Secure_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SetCookie.Format("a", "1", new CookieOptions { SameSite = SameSiteMode.None }));
        Assert.Contains("Secure = true", e.Message);
    }

    [Fact]
    public void An_undefined_SameSite_is_refused() =>
        Assert.Throws<ArgumentException>(() => SetCookie.Format("a", "1", new CookieOptions { SameSite = (SameSiteMode)42 }));

    [Fact]
    public void Secure_prefix_requires_Secure()
    {
        Assert.Throws<ArgumentException>(() => SetCookie.Format("__Secure-id", "1"));
        Assert.Equal("__Secure-id=1; Path=/; Secure", SetCookie.Format("__Secure-id", "1", new CookieOptions { Secure = true }));
    }

    [Fact]
    public void Host_prefix_requires_Secure_root_path_and_no_domain()
    {
        Assert.Throws<ArgumentException>(() => SetCookie.Format("__Host-id", "1"));
        Assert.Throws<ArgumentException>(() => SetCookie.Format("__Host-id", "1", new CookieOptions { Secure = true, Path = "/app" }));
        Assert.Throws<ArgumentException>(() => SetCookie.Format("__Host-id", "1", new CookieOptions { Secure = true, Domain = "example.com" }));
        Assert.Equal("__Host-id=1; Path=/; Secure", SetCookie.Format("__Host-id", "1", new CookieOptions { Secure = true }));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a b", "' '")]
    [InlineData("a=b", "'='")]
    [InlineData("a;b", "';'")]
    [InlineData("a,b", "','")]
    [InlineData("a\"b", "'\"'")]
    [InlineData("(a)", "'('")]
    [InlineData("caf\u00e9", "U+00E9")]
    [InlineData("a\tb", "U+0009")]
    public void Names_that_are_not_tokens_are_refused(string name, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => SetCookie.Format(name, "1"));
        Assert.Contains(named, e.Message);
    }

    [Theory]
    [InlineData("a!#$%&'*+-.^_`|~9")]
    public void Token_names_are_accepted(string name) => Assert.StartsWith(name + "=1", SetCookie.Format(name, "1"));

    [Theory]
    [InlineData("a b", "' '")]
    [InlineData("a,b", "','")]
    [InlineData("a;b", "';'")]
    [InlineData("a\\b", "'\\'")]
    [InlineData("a\"b", "'\"'")]
    [InlineData("\"a", "'\"'")]
    [InlineData("caf\u00e9", "U+00E9")]
    [InlineData("a\u007fb", "U+007F")]
    [InlineData("line\r\nSet-Cookie: evil=1", "U+000D")]
    public void Values_with_non_cookie_octets_are_refused_with_the_fix(string value, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => SetCookie.Format("a", value));
        Assert.Contains(named, e.Message);
        Assert.Contains("Uri.EscapeDataString", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"\"")]
    [InlineData("\"quoted\"")]
    [InlineData("!#$%&'()*+-./0123456789:<=>?@AZ[]^_`az{|}~")]
    public void Cookie_octet_values_are_accepted(string value) => Assert.Equal($"a={value}; Path=/", SetCookie.Format("a", value));

    [Theory]
    [InlineData("/a;b", null)]
    [InlineData("/a b", null)]
    [InlineData(null, "example.com; Secure")]
    [InlineData(null, "exa\nmple.com")]
    public void Attributes_that_would_break_the_header_are_refused(string? path, string? domain)
    {
        var e = Assert.Throws<ArgumentException>(() => SetCookie.Format("a", "1", new CookieOptions { Path = path ?? "/", Domain = domain }));
        Assert.Contains(path is null ? "CookieOptions.Domain" : "CookieOptions.Path", e.Message);
    }

    [Fact]
    public void Deletion_expires_the_cookie_with_the_same_path_and_domain()
    {
        var options = new CookieOptions { Path = "/app", Domain = "example.com", Secure = true, MaxAge = TimeSpan.FromDays(1), Expires = DateTimeOffset.MaxValue };
        Assert.Equal("sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Domain=example.com; Path=/app; Secure", SetCookie.FormatDeletion("sid", options));
        Assert.Equal("sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/", SetCookie.FormatDeletion("sid"));
        Assert.Throws<ArgumentException>(() => SetCookie.FormatDeletion("bad name"));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with spaces, commas; and \"quotes\" \\ caf\u00e9 \u20ac")]
    public void Escaped_values_round_trip_through_the_Cookie_header(string original)
    {
        string header = SetCookie.Format("data", Uri.EscapeDataString(original));
        string sent = header[..header.IndexOf(';')]; // what a browser sends back: name=value
        Assert.Equal(original, Uri.UnescapeDataString(CookieHeader.Parse("other=1; " + sent)["data"]!));
    }
}
