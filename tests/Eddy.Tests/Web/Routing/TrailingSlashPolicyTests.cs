using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>The three trailing-slash policies, and that the exact path always wins.</summary>
public class TrailingSlashPolicyTests
{
    private static Router<string> Build(TrailingSlashPolicy? policy)
    {
        var r = policy is { } p ? new Router<string>(new RouterOptions { TrailingSlash = p }) : new Router<string>();
        r.Add("GET", "/users", "users");
        r.Add("GET", "/docs/", "docs");
        r.Add("GET", "/both", "no-slash");
        r.Add("GET", "/both/", "slash");
        r.Add("POST", "/form", "form");
        r.Add("GET", "/n/{id:int}", "n");
        return r;
    }

    [Fact]
    public void Default_is_redirect()
    {
        Assert.Equal(TrailingSlashPolicy.Redirect, new RouterOptions().TrailingSlash);
        Assert.Equal(RouteMatchKind.RedirectToCanonical, Build(null).Match("GET", "/users/").Kind);
    }

    [Fact]
    public void Redirect_points_to_the_form_the_route_spells()
    {
        var r = Build(TrailingSlashPolicy.Redirect);
        var m = r.Match("GET", "/users/");
        Assert.Equal("/users", m.RedirectPath);
        Assert.Null(m.Values);
        Assert.Equal("/docs/", r.Match("GET", "/docs").RedirectPath);
        Assert.Equal("users", r.Match("GET", "/users").Endpoint);
    }

    [Fact]
    public void The_exact_path_wins_under_every_policy()
    {
        foreach (var policy in Enum.GetValues<TrailingSlashPolicy>())
        {
            var r = Build(policy);
            Assert.Equal("no-slash", r.Match("GET", "/both").Endpoint);
            Assert.Equal("slash", r.Match("GET", "/both/").Endpoint);
        }
    }

    [Fact]
    public void Strict_answers_not_found()
    {
        var r = Build(TrailingSlashPolicy.Strict);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/users/").Kind);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/docs").Kind);
    }

    [Fact]
    public void Ignore_serves_the_other_form_with_its_values()
    {
        var r = Build(TrailingSlashPolicy.Ignore);
        Assert.Equal("users", r.Match("GET", "/users/").Endpoint);
        Assert.Equal("docs", r.Match("GET", "/docs").Endpoint);
        var m = r.Match("GET", "/n/5/");
        Assert.Equal("5", m.Values!["id"]);
    }

    [Fact]
    public void The_other_form_reports_405_and_invalid_values_rather_than_a_redirect_to_an_error()
    {
        var r = Build(TrailingSlashPolicy.Redirect);
        var m = r.Match("GET", "/form/");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal(["POST"], m.AllowedMethods!.ToArray());
        Assert.Equal(RouteMatchKind.InvalidRouteValue, r.Match("GET", "/n/x/").Kind);
        Assert.Equal(RouteMatchKind.RedirectToCanonical, r.Match("POST", "/form/").Kind);
    }

    [Fact]
    public void Nothing_in_either_form_is_not_found_and_root_is_left_alone()
    {
        var r = Build(TrailingSlashPolicy.Redirect);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/missing/").Kind);
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/").Kind);
    }
}
