using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>Routers mounted under a prefix (aiohttp's sub-apps): matching, precedence, names, URL building.</summary>
public class RouterMountTests
{
    private static (Router<string> Parent, Router<string> Child) Build()
    {
        var child = new Router<string>();
        child.Add("GET", "/", "api-root", name: "root");
        child.Add("GET", "/users/{id:int}", "api-user", name: "user");
        child.Add("POST", "/users", "api-create");
        child.AddRegex("GET", @"/r/(?<n>\d+)", "api-regex", name: "regex");
        var parent = new Router<string>();
        parent.Add("GET", "/", "home", name: "home");
        parent.Add("GET", "/api/status", "parent-status");
        parent.Add("GET", "/{page}/{sub}", "parent-page");
        parent.Mount("/api", child, name: "api");
        return (parent, child);
    }

    [Fact]
    public void Paths_under_the_prefix_are_matched_by_the_child_against_the_rest()
    {
        var (parent, _) = Build();
        Assert.Equal("api-root", parent.Match("GET", "/api/").Endpoint);
        var m = parent.Match("GET", "/api/users/7");
        Assert.Equal("api-user", m.Endpoint);
        Assert.Equal("7", m.Values!["id"]);
        Assert.Equal("api-regex", parent.Match("GET", "/api/r/12").Endpoint);
        Assert.Equal("12", parent.Match("GET", "/api/r/12").Values!["n"]);
        Assert.Equal("home", parent.Match("GET", "/").Endpoint);
    }

    [Fact]
    public void Parent_literals_win_over_the_child_and_the_child_over_parent_parameters()
    {
        var (parent, _) = Build();
        Assert.Equal("parent-status", parent.Match("GET", "/api/status").Endpoint);
        Assert.Equal("api-user", parent.Match("GET", "/api/users/1").Endpoint.ToString());
        Assert.Equal("parent-page", parent.Match("GET", "/other/x").Endpoint);
        Assert.Equal("parent-page", parent.Match("GET", "/api/x").Endpoint); // child has nothing there
    }

    [Fact]
    public void Child_405_constraint_failures_and_the_parents_slash_policy_apply()
    {
        var (parent, _) = Build();
        // The child's POST /users and the parent's GET /{page}/{sub} both match the path.
        Assert.Equal(["POST", "GET", "HEAD"], parent.Match("DELETE", "/api/users").AllowedMethods!.ToArray());
        Assert.Equal(RouteMatchKind.InvalidRouteValue, parent.Match("GET", "/api/users/x").Kind);
        var m = parent.Match("GET", "/api");
        Assert.Equal(RouteMatchKind.RedirectToCanonical, m.Kind);
        Assert.Equal("/api/", m.RedirectPath);
    }

    [Fact]
    public void Routes_added_to_the_child_after_mounting_are_seen()
    {
        var (parent, child) = Build();
        child.Add("GET", "/late", "late");
        Assert.Equal("late", parent.Match("GET", "/api/late").Endpoint);
    }

    [Fact]
    public void Child_route_names_are_qualified_by_the_mount_name()
    {
        var (parent, _) = Build();
        Assert.Equal("/api/users/7", parent.Url("api:user", ("id", 7)));
        Assert.Equal("/api/", parent.Url("api:root"));
        Assert.Equal("/api/r/5", parent.Url("api:regex", ("n", 5)));
        Assert.Equal("/", parent.Url("home"));
        var e = Assert.Throws<ArgumentException>(() => parent.Url("user", ("id", 1)));
        Assert.Contains("api:user", e.Message); // the list of names says how to reach it
    }

    [Fact]
    public void Unnamed_mounts_expose_their_names_unqualified_and_nest()
    {
        var leaf = new Router<string>();
        leaf.Add("GET", "/x/{v}", "leaf", name: "leaf");
        var middle = new Router<string>();
        middle.Mount("/m", leaf);
        var top = new Router<string>();
        top.Mount("/t/u", middle, name: "mid");
        Assert.Equal("/t/u/m/x/a%20b", top.Url("mid:leaf", ("v", "a b")));
        Assert.Equal("a b", top.Match("GET", "/t/u/m/x/a%20b").Values!["v"]);
        Assert.Equal("leaf", top.Match("GET", "/t/u/m/x/1").Endpoint);
    }

    [Fact]
    public void Case_insensitive_parent_matches_the_prefix_whatever_its_case()
    {
        var child = new Router<string>();
        child.Add("GET", "/a", "a");
        var parent = new Router<string>(new RouterOptions { CaseSensitive = false });
        parent.Mount("/Api", child);
        Assert.Equal("a", parent.Match("GET", "/API/a").Endpoint);
        Assert.False(parent.Match("GET", "/api/A").IsFound); // the child is case-sensitive
    }

    [Theory]
    [InlineData("api")]
    [InlineData("/")]
    [InlineData("/api/")]
    [InlineData("/a//b")]
    [InlineData("/{x}")]
    [InlineData("/a%20b")]
    public void Prefixes_must_be_literal_segments(string prefix)
    {
        var e = Assert.Throws<ArgumentException>(() => new Router<string>().Mount(prefix, new Router<string>()));
        Assert.Contains($"'{prefix}'", e.Message);
    }

    [Fact]
    public void Cycles_and_duplicate_or_bad_mount_names_are_refused()
    {
        var a = new Router<string>();
        var b = new Router<string>();
        a.Mount("/b", b, name: "b");
        Assert.Throws<ArgumentException>(() => b.Mount("/a", a));
        Assert.Throws<ArgumentException>(() => a.Mount("/a", a));
        Assert.Throws<ArgumentException>(() => a.Mount("/c", new Router<string>(), name: "b"));
        Assert.Throws<ArgumentException>(() => a.Mount("/d", new Router<string>(), name: "x:y"));
    }
}
