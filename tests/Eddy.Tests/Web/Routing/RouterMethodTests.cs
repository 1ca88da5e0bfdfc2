using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>Method dispatch: 405 with the Allow list, HEAD served by GET, "*" for any method.</summary>
public class RouterMethodTests
{
    private static Router<string> Build()
    {
        var r = new Router<string>();
        r.Add("GET", "/items", "list");
        r.Add("POST", "/items", "create");
        r.Add("DELETE", "/items/{id:int}", "delete");
        r.Add("GET", "/items/{id:int}", "get");
        r.Add("HEAD", "/own-head", "head");
        r.Add("GET", "/own-head", "get");
        r.Add("*", "/any", "any");
        r.Add("PUT", "/any", "put");
        return r;
    }

    [Fact]
    public void Each_method_gets_its_route()
    {
        var r = Build();
        Assert.Equal("list", r.Match("GET", "/items").Endpoint);
        Assert.Equal("create", r.Match("POST", "/items").Endpoint);
        Assert.Equal("delete", r.Match("DELETE", "/items/3").Endpoint);
    }

    [Fact]
    public void A_path_with_routes_for_other_methods_is_405_with_allow_including_head_for_get()
    {
        var m = Build().Match("PUT", "/items");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal(["GET", "HEAD", "POST"], m.AllowedMethods!);
        Assert.Equal(["DELETE", "GET", "HEAD"], Build().Match("PATCH", "/items/3").AllowedMethods!);
    }

    [Fact]
    public void Options_is_allowed_only_when_registered()
    {
        var r = Build();
        Assert.DoesNotContain("OPTIONS", r.Match("OPTIONS", "/items").AllowedMethods!);
        r.Add("OPTIONS", "/items", "options");
        Assert.Equal("options", r.Match("OPTIONS", "/items").Endpoint);
        Assert.Contains("OPTIONS", r.Match("PUT", "/items").AllowedMethods!);
    }

    [Fact]
    public void Methods_are_case_sensitive()
    {
        Assert.Equal(RouteMatchKind.MethodNotAllowed, Build().Match("get", "/items").Kind);
    }

    [Fact]
    public void Head_falls_back_to_get_unless_it_has_its_own_route()
    {
        var r = Build();
        var m = r.Match("HEAD", "/items");
        Assert.Equal("list", m.Endpoint);
        Assert.Equal("GET", m.Route!.Method);
        Assert.Equal("head", r.Match("HEAD", "/own-head").Endpoint);
    }

    [Fact]
    public void Any_method_route_takes_methods_without_their_own()
    {
        var r = Build();
        Assert.Equal("any", r.Match("PATCH", "/any").Endpoint);
        Assert.Equal("put", r.Match("PUT", "/any").Endpoint);
        Assert.Equal("any", r.Match("HEAD", "/any").Endpoint);
    }

    [Fact]
    public void A_route_for_the_method_elsewhere_wins_over_405()
    {
        var r = new Router<string>();
        r.Add("GET", "/users/{id:int}", "get-int");
        r.Add("POST", "/users/{name}", "post-name");
        Assert.Equal("post-name", r.Match("POST", "/users/5").Endpoint);
        Assert.Equal(["GET", "HEAD", "POST"], r.Match("DELETE", "/users/5").AllowedMethods!.ToArray()); // both match the path
        Assert.Equal(["POST"], r.Match("DELETE", "/users/bob").AllowedMethods!.ToArray());
    }

    [Fact]
    public void A_literal_route_for_another_method_does_not_hide_a_parameter_route_for_this_one()
    {
        var r = new Router<string>();
        r.Add("GET", "/users/me", "me");
        r.Add("POST", "/users/{name}", "post");
        Assert.Equal("post", r.Match("POST", "/users/me").Endpoint);
        Assert.Equal("me", r.Match("HEAD", "/users/me").Endpoint);
        Assert.Equal(["GET", "HEAD", "POST"], r.Match("PUT", "/users/me").AllowedMethods!.ToArray());
    }

    [Fact]
    public void Method_not_allowed_beats_a_constraint_failure()
    {
        var r = new Router<string>();
        r.Add("GET", "/users/{id:int}", "get");
        r.Add("POST", "/users/{name}", "post");
        var m = r.Match("GET", "/users/bob");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, m.Kind);
        Assert.Equal(["POST"], m.AllowedMethods!.ToArray());
    }
}
