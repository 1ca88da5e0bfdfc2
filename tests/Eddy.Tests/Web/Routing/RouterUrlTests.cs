using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>Building URLs from route names (reverse_url, url_for): encoding, checks, and round trips through Match.</summary>
public class RouterUrlTests
{
    private static Router<string> Build()
    {
        var r = new Router<string>(new RouterOptions { TrailingSlash = TrailingSlashPolicy.Strict });
        r.Add("GET", "/users/{id:int}", "user", name: "user");
        r.Add("GET", "/hello/{name}", "hello", name: "hello");
        r.Add("GET", "/files/{*path}", "files", name: "files");
        r.Add("GET", "/docs/", "docs", name: "docs");
        r.Add("GET", "/{controller=Home}/{action=Index}/{id?}", "mvc", name: "mvc");
        r.Add("GET", "/dl/{name}.{ext}", "dl", name: "dl");
        r.Add("GET", "/flags/{on:bool}/{ratio:double}/{g:guid}", "flags", name: "flags");
        r.Add("GET", "/caf\u00e9 au lait/{x}", "lit", name: "lit");
        return r;
    }

    [Fact]
    public void Builds_paths_with_values_formatted_invariantly()
    {
        var r = Build();
        Assert.Equal("/users/42", r.Url("user", ("id", 42)));
        Assert.Equal("/docs/", r.Url("docs"));
        var g = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        Assert.Equal("/flags/true/1.5/6f9619ff-8b86-d011-b42d-00cf4fc964ff", r.Url("flags", ("on", true), ("ratio", 1.5), ("g", g)));
        Assert.Equal("/users/7", r.Url("user", new Dictionary<string, object?> { ["ID"] = 7 }));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("caf\u00e9 \U0001F600")]
    [InlineData("100%")]
    [InlineData("?#[]")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a+b=c&d:e@f")]
    public void Values_needing_encoding_round_trip_through_match(string value)
    {
        var r = Build();
        string url = r.Url("hello", ("name", value));
        Assert.DoesNotContain("/", url["/hello/".Length..]);
        Assert.DoesNotMatch(@"^\.+$", url["/hello/".Length..]);
        Assert.Equal(value, r.Match("GET", url).Values!["name"]);
    }

    [Theory]
    [InlineData("a/b/c.txt")]
    [InlineData("")]
    [InlineData("dir with space/\u00e9/../x")]
    public void Catch_all_values_keep_their_slashes_and_round_trip(string value)
    {
        var r = Build();
        string url = r.Url("files", ("path", value));
        Assert.Equal(value, r.Match("GET", url).Values!["path"]);
    }

    [Fact]
    public void Literal_text_is_encoded_too()
    {
        var r = Build();
        string url = r.Url("lit", ("x", 1));
        Assert.Equal("/caf%C3%A9%20au%20lait/1", url);
        Assert.Equal("lit", r.Match("GET", url).Endpoint);
    }

    [Fact]
    public void Optional_segments_are_left_out_from_the_end_and_defaults_are_written()
    {
        var r = Build();
        Assert.Equal("/Home/Index", r.Url("mvc"));
        Assert.Equal("/Shop/Buy/3", r.Url("mvc", ("controller", "Shop"), ("action", "Buy"), ("id", 3)));
        var m = r.Match("GET", r.Url("mvc", ("controller", "Shop")));
        Assert.Equal("Shop", m.Values!["controller"]);
        Assert.False(m.Values.ContainsKey("id"));
    }

    [Fact]
    public void Complex_segments_round_trip_and_refuse_values_that_would_split_differently()
    {
        var r = Build();
        string url = r.Url("dl", ("name", "a.tar"), ("ext", "gz"));
        Assert.Equal("/dl/a.tar.gz", url);
        var values = r.Match("GET", url).Values!;
        Assert.Equal(("a.tar", "gz"), (values["name"], values["ext"]));
        Assert.Contains("contains '.'", Assert.Throws<ArgumentException>(() => r.Url("dl", ("name", "a"), ("ext", "tar.gz"))).Message);
    }

    [Fact]
    public void Missing_unknown_empty_and_invalid_values_fail_clearly()
    {
        var r = Build();
        Assert.Contains("needs a value for 'id'", Assert.Throws<ArgumentException>(() => r.Url("user")).Message);
        Assert.Contains("no parameter 'ids'", Assert.Throws<ArgumentException>(() => r.Url("user", ("ids", 1))).Message);
        Assert.Contains("is not a 32-bit integer", Assert.Throws<ArgumentException>(() => r.Url("user", ("id", "abc"))).Message);
        Assert.Contains("is empty", Assert.Throws<ArgumentException>(() => r.Url("hello", ("name", ""))).Message);
        Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => r.Url("user", ("id", 1), ("ID", 2))).Message);
        var e = Assert.Throws<ArgumentException>(() => r.Url("nope"));
        Assert.Contains("No route named 'nope'", e.Message);
        Assert.Contains("user", e.Message);
    }

    [Fact]
    public void A_route_whose_segments_are_all_optional_serves_the_root_and_conflicts_with_one()
    {
        var r = new Router<string>();
        r.Add("GET", "/{page?}", "page", name: "page");
        Assert.Equal("page", r.Match("GET", "/").Endpoint);
        Assert.Equal("/", r.Url("page"));
        Assert.Throws<ArgumentException>(() => r.Add("GET", "/", "root"));
    }

    [Fact]
    public void An_optional_value_after_an_absent_one_is_refused()
    {
        var r = new Router<string>();
        r.Add("GET", "/a/{b?}/{c?}", "x", name: "x");
        Assert.Equal("/a", r.Url("x"));
        Assert.Equal("/a/1", r.Url("x", ("b", 1)));
        Assert.Contains("none for 'b'", Assert.Throws<ArgumentException>(() => r.Url("x", ("c", 1))).Message);
    }
}
