using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>Regex routes (Tornado's URL specs): anchoring, groups to values, precedence, reversing.</summary>
public class RegexRouteTests
{
    [Fact]
    public void The_pattern_is_anchored_on_the_whole_path()
    {
        var r = new Router<string>(new RouterOptions { TrailingSlash = TrailingSlashPolicy.Strict });
        r.AddRegex("GET", "/a|/ab", "x");
        Assert.True(r.Match("GET", "/ab").IsFound); // whole-path anchoring, not a prefix match
        Assert.False(r.Match("GET", "/abc").IsFound);
        Assert.False(r.Match("GET", "/x/ab").IsFound);
        r.AddRegex("GET", "^/own-anchors$", "y");
        Assert.True(r.Match("GET", "/own-anchors").IsFound);
        Assert.False(r.Match("GET", "/own-anchors\n").IsFound);
    }

    [Fact]
    public void Named_groups_are_values_by_name_and_unnamed_ones_by_position()
    {
        var r = new Router<string>();
        r.AddRegex("GET", @"/(\w+)/(?<year>\d{4})/(\d+)", "x");
        var values = r.Match("GET", "/blog/2024/7").Values!;
        Assert.Equal("blog", values["0"]);
        Assert.Equal("7", values["1"]);
        Assert.Equal("2024", values["year"]);
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public void Group_values_are_percent_decoded_and_groups_that_did_not_take_part_are_absent()
    {
        var r = new Router<string>();
        r.AddRegex("GET", @"/s/(?<q>[^/]+)(?:/(?<page>\d+))?", "x");
        var values = r.Match("GET", "/s/a%20b%2Fc").Values!;
        Assert.Equal("a b/c", values["q"]);
        Assert.False(values.ContainsKey("page"));
        Assert.Equal(RouteMatchKind.InvalidRouteValue, r.Match("GET", "/s/%zz").Kind);
    }

    [Fact]
    public void Templates_win_then_regex_routes_in_registration_order()
    {
        var r = new Router<string>();
        r.AddRegex("GET", @"/users/.*", "regex-1");
        r.AddRegex("GET", @"/users/(\d+)", "regex-2");
        r.Add("GET", "/users/{id:int}", "template");
        Assert.Equal("template", r.Match("GET", "/users/5").Endpoint);
        Assert.Equal("regex-1", r.Match("GET", "/users/x").Endpoint);
    }

    [Fact]
    public void Methods_405_and_head_apply_to_regex_routes()
    {
        var r = new Router<string>();
        r.AddRegex("GET", @"/r/\d+", "get");
        r.AddRegex("POST", @"/r/\d+", "post");
        Assert.Equal("post", r.Match("POST", "/r/1").Endpoint);
        Assert.Equal("get", r.Match("HEAD", "/r/1").Endpoint);
        Assert.Equal(["GET", "HEAD", "POST"], r.Match("PUT", "/r/1").AllowedMethods!.ToArray());
    }

    [Fact]
    public void Trailing_slash_policy_applies_to_regex_routes()
    {
        var r = new Router<string>();
        r.AddRegex("GET", @"/r/\d+", "r");
        r.AddRegex("GET", @"/d/", "d");
        Assert.Equal("/r/1", r.Match("GET", "/r/1/").RedirectPath);
        Assert.Equal("/d/", r.Match("GET", "/d").RedirectPath);
        var ignore = new Router<string>(new RouterOptions { TrailingSlash = TrailingSlashPolicy.Ignore });
        ignore.AddRegex("GET", @"/d/(?<x>\d)/", "d");
        Assert.Equal("1", ignore.Match("GET", "/d/1").Values!["x"]);
    }

    [Fact]
    public void Case_insensitive_option_applies_to_regex_routes()
    {
        var r = new Router<string>(new RouterOptions { CaseSensitive = false });
        r.AddRegex("GET", "/abc", "x");
        Assert.True(r.Match("GET", "/ABC").IsFound);
    }

    [Fact]
    public void Invalid_patterns_are_refused_at_registration()
    {
        var e = Assert.Throws<ArgumentException>(() => new Router<string>().AddRegex("GET", "/(unclosed", "x"));
        Assert.Contains("'/(unclosed'", e.Message);
    }

    [Fact]
    public void Simple_patterns_reverse_to_urls_that_match_back()
    {
        var r = new Router<string>();
        r.AddRegex("GET", @"^/blog/(?<year>\d{4})/([^/]+)\.html$", "x", name: "post");
        string url = r.Url("post", ("year", 2024), ("0", "a b/c"));
        Assert.Equal("/blog/2024/a%20b%2Fc.html", url);
        var values = r.Match("GET", url).Values!;
        Assert.Equal(("2024", "a b/c"), (values["year"], values["0"]));
    }

    [Fact]
    public void Reversing_fails_clearly_on_missing_unknown_or_unfit_values_and_complex_patterns()
    {
        var r = new Router<string>();
        r.AddRegex("GET", @"/blog/(?<year>\d{4})", "x", name: "year");
        r.AddRegex("GET", @"/a/(b(c))", "y", name: "nested");
        r.AddRegex("GET", @"/a+/(\d)", "z", name: "operator");
        Assert.Contains("needs a value for group 'year'", Assert.Throws<ArgumentException>(() => r.Url("year")).Message);
        Assert.Contains("no parameter 'month'", Assert.Throws<ArgumentException>(() => r.Url("year", ("year", 2024), ("month", 1))).Message);
        Assert.Contains("does not match", Assert.Throws<ArgumentException>(() => r.Url("year", ("year", "24"))).Message);
        Assert.Contains("nested group", Assert.Throws<InvalidOperationException>(() => r.Url("nested", ("0", "bc"))).Message);
        Assert.Contains("'+'", Assert.Throws<InvalidOperationException>(() => r.Url("operator", ("0", 1))).Message);
    }
}
