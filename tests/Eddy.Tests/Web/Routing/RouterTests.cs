using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>Matching templates: literals, parameters, constraints, optional, default, catch-all, complex segments, precedence, decoding.</summary>
public class RouterTests
{
    private static Router<string> Build(params string[] templates)
    {
        var router = new Router<string>(new RouterOptions { TrailingSlash = TrailingSlashPolicy.Strict });
        foreach (var t in templates) router.Add("GET", t, t);
        return router;
    }

    private static string? Endpoint(Router<string> router, string path)
    {
        var m = router.Match("GET", path);
        return m.IsFound ? m.Endpoint : null;
    }

    private static Dictionary<string, string> Values(Router<string> router, string path)
    {
        var m = router.Match("GET", path);
        Assert.True(m.IsFound, m.ToString());
        return m.Values!.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    [Fact]
    public void Literal_routes_match_exactly_and_case_sensitively_by_default()
    {
        var r = Build("/", "/hello", "/hello/world");
        Assert.Equal("/", Endpoint(r, "/"));
        Assert.Equal("/hello", Endpoint(r, "/hello"));
        Assert.Equal("/hello/world", Endpoint(r, "/hello/world"));
        Assert.Null(Endpoint(r, "/Hello"));
        Assert.Null(Endpoint(r, "/hello/world/x"));
        Assert.Null(Endpoint(r, "/hell"));
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/nothing").Kind);
    }

    [Fact]
    public void Case_insensitive_option_applies_to_literals_and_keeps_value_case()
    {
        var r = new Router<string>(new RouterOptions { CaseSensitive = false });
        r.Add("GET", "/Hello/{name}", "h");
        var m = r.Match("GET", "/HELLO/World");
        Assert.True(m.IsFound);
        Assert.Equal("World", m.Values!["name"]);
    }

    [Fact]
    public void Paths_that_are_not_origin_form_are_not_found()
    {
        var r = Build("/");
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "").Kind);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("OPTIONS", "*").Kind);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "http://x/").Kind);
    }

    [Fact]
    public void A_parameter_matches_one_non_empty_segment()
    {
        var r = Build("/hello/{name}");
        Assert.Equal(new() { ["name"] = "bob" }, Values(r, "/hello/bob"));
        Assert.Null(Endpoint(r, "/hello/"));
        Assert.Null(Endpoint(r, "/hello"));
        Assert.Null(Endpoint(r, "/hello/a/b"));
    }

    [Fact]
    public void Values_are_percent_decoded_per_segment_and_an_encoded_slash_does_not_split()
    {
        var r = Build("/hello/{name}", "/files/{*path}");
        Assert.Equal("a b", Values(r, "/hello/a%20b")["name"]);
        Assert.Equal("caf\u00e9", Values(r, "/hello/caf%C3%A9")["name"]);
        Assert.Equal("a/b", Values(r, "/hello/a%2Fb")["name"]);
        Assert.Equal("a+b", Values(r, "/hello/a+b")["name"]); // '+' is not a space in a path
        Assert.Equal("a/b/c d", Values(r, "/files/a%2Fb/c%20d")["path"]);
    }

    [Fact]
    public void Literal_segments_compare_decoded()
    {
        var r = Build("/caf\u00e9/a b");
        Assert.Equal("/caf\u00e9/a b", Endpoint(r, "/caf%C3%A9/a%20b"));
        Assert.Equal("/caf\u00e9/a b", Endpoint(r, "/caf%c3%a9/a%20b"));
    }

    [Theory]
    [InlineData("/hello/%zz")]
    [InlineData("/hello/%4")]
    [InlineData("/hello/%")]
    [InlineData("/hello/%C3")] // truncated UTF-8
    [InlineData("/hello/%FF")]
    [InlineData("/hello/\u0100")] // not a raw (byte) path
    public void Malformed_percent_encoding_is_an_invalid_route_value(string path)
    {
        var m = Build("/hello/{name}").Match("GET", path);
        Assert.Equal(RouteMatchKind.InvalidRouteValue, m.Kind);
        Assert.Contains("percent-encoded UTF-8", m.Error);
    }

    [Fact]
    public void Raw_utf8_bytes_in_the_path_are_decoded_like_escapes()
    {
        // HttpRequest.Path is one char per byte: "café" arrives as "caf\u00C3\u00A9".
        Assert.Equal("caf\u00e9", Values(Build("/hello/{name}"), "/hello/caf\u00C3\u00A9")["name"]);
    }

    [Fact]
    public void A_constrained_parameter_is_tried_before_an_unconstrained_one_whatever_the_order()
    {
        var r = Build("/users/{name}", "/users/{id:int}");
        Assert.Equal("/users/{id:int}", Endpoint(r, "/users/42"));
        Assert.Equal("/users/{name}", Endpoint(r, "/users/bob"));
    }

    [Fact]
    public void A_literal_beats_a_parameter_and_matching_backtracks_when_a_branch_dead_ends()
    {
        var r = Build("/users/me", "/users/{id}/posts", "/users/me/settings");
        Assert.Equal("/users/me", Endpoint(r, "/users/me"));
        Assert.Equal("/users/{id}/posts", Endpoint(r, "/users/me/posts")); // literal 'me' branch has no 'posts'
        Assert.Equal("/users/me/settings", Endpoint(r, "/users/me/settings"));
    }

    [Fact]
    public void Constrained_values_that_fail_give_invalid_route_value_naming_value_constraint_and_route()
    {
        var r = Build("/users/{id:int}");
        var m = r.Match("GET", "/users/abc");
        Assert.Equal(RouteMatchKind.InvalidRouteValue, m.Kind);
        Assert.Equal("Route value 'id' = 'abc' is not valid: it must be a 32-bit integer (route /users/{id:int}).", m.Error);
        Assert.Equal("/users/{id:int}", m.Route!.Pattern);
    }

    [Fact]
    public void A_constraint_failure_counts_only_if_the_rest_of_the_path_fits_the_route()
    {
        var r = Build("/users/{id:int}/posts");
        Assert.Equal(RouteMatchKind.InvalidRouteValue, r.Match("GET", "/users/abc/posts").Kind);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/users/abc/comments").Kind);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/users/abc/posts/x").Kind);
    }

    [Fact]
    public void Another_route_that_matches_wins_over_a_constraint_failure()
    {
        var r = Build("/users/{id:int}", "/users/{name:alpha}");
        Assert.Equal("/users/{name:alpha}", Endpoint(r, "/users/abc"));
        var m = r.Match("GET", "/users/a1");
        Assert.Equal(RouteMatchKind.InvalidRouteValue, m.Kind);
        Assert.Contains("'id' = 'a1'", m.Error); // the first route tried reports
    }

    [Fact]
    public void Long_values_are_cut_in_the_message()
    {
        var m = Build("/users/{id:int}").Match("GET", "/users/" + new string('x', 500));
        Assert.Contains("...", m.Error);
        Assert.True(m.Error!.Length < 200);
    }

    [Fact]
    public void Optional_parameters_may_be_absent_from_the_end()
    {
        var r = Build("/{controller=Home}/{action=Index}/{id?}");
        Assert.Equal(new() { ["controller"] = "Home", ["action"] = "Index" }, Values(r, "/"));
        Assert.Equal(new() { ["controller"] = "Shop", ["action"] = "Index" }, Values(r, "/Shop"));
        Assert.Equal(new() { ["controller"] = "Shop", ["action"] = "Buy", ["id"] = "3" }, Values(r, "/Shop/Buy/3"));
        Assert.Null(Endpoint(r, "/a/b/c/d"));
    }

    [Fact]
    public void Optional_parameter_keeps_its_constraint()
    {
        var r = Build("/page/{n:int?}");
        Assert.Empty(Values(r, "/page"));
        Assert.Equal("2", Values(r, "/page/2")["n"]);
        Assert.Equal(RouteMatchKind.InvalidRouteValue, r.Match("GET", "/page/x").Kind);
    }

    [Fact]
    public void A_catch_all_matches_the_rest_including_slashes_or_nothing()
    {
        var r = Build("/files/{*path}");
        Assert.Equal("a/b/c.txt", Values(r, "/files/a/b/c.txt")["path"]);
        Assert.Equal("a//b/", Values(r, "/files/a//b/")["path"]);
        Assert.Equal("", Values(r, "/files/")["path"]);
        Assert.Equal("", Values(r, "/files")["path"]);
        Assert.Null(Endpoint(r, "/other"));
    }

    [Fact]
    public void Catch_all_comes_after_every_other_kind_and_keeps_its_constraints()
    {
        var r = Build("/s/{*rest:minlength(3)}", "/s/{one}", "/s/x/y");
        Assert.Equal("/s/{one}", Endpoint(r, "/s/abc"));
        Assert.Equal("/s/x/y", Endpoint(r, "/s/x/y"));
        Assert.Equal("/s/{*rest:minlength(3)}", Endpoint(r, "/s/x/z"));
        Assert.Equal(RouteMatchKind.InvalidRouteValue, r.Match("GET", "/s/").Kind);
    }

    [Fact]
    public void Complex_segments_split_at_the_last_occurrence_of_each_literal()
    {
        var r = Build("/files/{name}.{ext}", "/v{major:int}.{minor:int}/x");
        Assert.Equal(new() { ["name"] = "a.tar", ["ext"] = "gz" }, Values(r, "/files/a.tar.gz"));
        Assert.Equal(new() { ["name"] = "readme", ["ext"] = "md" }, Values(r, "/files/readme.md"));
        Assert.Null(Endpoint(r, "/files/readme"));
        Assert.Null(Endpoint(r, "/files/.md"));
        Assert.Null(Endpoint(r, "/files/readme."));
        Assert.Equal(new() { ["major"] = "1", ["minor"] = "20" }, Values(r, "/v1.20/x"));
        Assert.Null(Endpoint(r, "/w1.20/x"));
        Assert.Equal(RouteMatchKind.InvalidRouteValue, r.Match("GET", "/v1.x/x").Kind);
    }

    [Fact]
    public void Complex_segment_literals_follow_the_case_option()
    {
        var strict = Build("/f/{name}.JSON");
        Assert.Null(Endpoint(strict, "/f/a.json"));
        var loose = new Router<string>(new RouterOptions { CaseSensitive = false });
        loose.Add("GET", "/f/{name}.JSON", "x");
        Assert.Equal("a", loose.Match("GET", "/f/a.json").Values!["name"]);
    }

    [Fact]
    public void Empty_segments_in_the_middle_match_no_parameter()
    {
        var r = Build("/a/{x}/b", "/c/{*rest}");
        Assert.Null(Endpoint(r, "/a//b"));
        Assert.Equal("x//y", Values(r, "/c/x//y")["rest"]); // a catch-all keeps them
    }

    [Fact]
    public void Complex_segments_are_tried_before_plain_parameters()
    {
        var r = Build("/f/{all}", "/f/{name}.{ext}");
        Assert.Equal("/f/{name}.{ext}", Endpoint(r, "/f/a.b"));
        Assert.Equal("/f/{all}", Endpoint(r, "/f/ab"));
    }

    [Fact]
    public void Two_routes_of_the_same_shape_and_method_are_refused_as_ambiguous()
    {
        var r = Build("/users/{id}");
        var e = Assert.Throws<ArgumentException>(() => r.Add("GET", "/users/{name}", "x"));
        Assert.Contains("'GET /users/{name}' is ambiguous with 'GET /users/{id}'", e.Message);
        Assert.Throws<ArgumentException>(() => r.Add("GET", "/users/{id}", "x"));
        r.Add("POST", "/users/{name}", "post"); // another method is fine
        r.Add("GET", "/users/{id:int}", "int"); // so is another constraint
        var optional = Build("/a");
        Assert.Throws<ArgumentException>(() => optional.Add("GET", "/a/{b?}", "x"));
        Assert.Equal("/a", Endpoint(optional, "/a")); // the refused route left nothing behind
        Assert.Null(Endpoint(optional, "/a/x"));
    }

    [Fact]
    public void Names_must_be_unique_and_without_colon()
    {
        var r = new Router<string>();
        r.Add("GET", "/a", "a", name: "a");
        Assert.Throws<ArgumentException>(() => r.Add("GET", "/b", "b", name: "a"));
        Assert.Throws<ArgumentException>(() => r.Add("GET", "/c", "c", name: "x:y"));
        Assert.Null(Endpoint(r, "/b"));
    }

    [Theory]
    [InlineData("get", "write 'GET'")]
    [InlineData("GE T", "not an HTTP token")]
    [InlineData("", "empty")]
    public void Methods_must_be_upper_case_tokens(string method, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new Router<string>().Add(method, "/", "x"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Reused_route_values_are_cleared_between_matches()
    {
        var r = Build("/a/{x}", "/b");
        var values = new RouteValues();
        Assert.True(r.Match("GET", "/a/1", values).IsFound);
        Assert.Single(values);
        Assert.True(r.Match("GET", "/b", values).IsFound);
        Assert.Empty(values);
    }

    [Fact]
    public void Deep_paths_and_long_values_use_pooled_buffers_correctly()
    {
        var r = Build("/{*rest}", "/x/{v}");
        string deep = string.Concat(Enumerable.Range(0, 100).Select(i => "/s" + i));
        Assert.Equal(deep[1..], Values(r, deep)["rest"]);
        string longValue = new('v', 5000);
        Assert.Equal(longValue, Values(r, "/x/" + longValue)["v"]);
        Assert.Equal("\u00e9" + longValue, Values(r, "/x/%C3%A9" + longValue)["v"]);
    }

    [Fact]
    public void Endpoint_of_a_match_that_found_nothing_throws_explaining_why()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build("/").Match("GET", "/x").Endpoint);
        Assert.Contains("NotFound", e.Message);
    }
}
