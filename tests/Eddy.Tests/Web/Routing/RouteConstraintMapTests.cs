using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>The built-in constraints, accept and reject, and custom ones.</summary>
public class RouteConstraintMapTests
{
    private static IRouteConstraint Create(string name, string? argument = null) =>
        new RouteConstraintMap().Create(name, argument) ?? throw new InvalidOperationException(name);

    [Theory]
    [InlineData("int", null, "42", true)]
    [InlineData("int", null, "-7", true)]
    [InlineData("int", null, "abc", false)]
    [InlineData("int", null, "2147483648", false)]
    [InlineData("int", null, " 1", false)]
    [InlineData("int", null, "1.0", false)]
    [InlineData("long", null, "2147483648", true)]
    [InlineData("long", null, "9223372036854775808", false)]
    [InlineData("bool", null, "True", true)]
    [InlineData("bool", null, "false", true)]
    [InlineData("bool", null, "yes", false)]
    [InlineData("guid", null, "6f9619ff-8b86-d011-b42d-00cf4fc964ff", true)]
    [InlineData("guid", null, "6f9619ff", false)]
    [InlineData("alpha", null, "abcXYZ", true)]
    [InlineData("alpha", null, "abc1", false)]
    [InlineData("alpha", null, "caf\u00e9", false)]
    [InlineData("decimal", null, "-12.50", true)]
    [InlineData("decimal", null, "1,000", false)]
    [InlineData("double", null, "1e10", true)]
    [InlineData("double", null, "1,5", false)]
    [InlineData("min", "1", "1", true)]
    [InlineData("min", "1", "0", false)]
    [InlineData("min", "1", "x", false)]
    [InlineData("max", "10", "10", true)]
    [InlineData("max", "10", "11", false)]
    [InlineData("range", "1,10", "5", true)]
    [InlineData("range", "1, 10", "10", true)]
    [InlineData("range", "1,10", "0", false)]
    [InlineData("range", "1,10", "11", false)]
    [InlineData("length", "3", "abc", true)]
    [InlineData("length", "3", "ab", false)]
    [InlineData("length", "2,4", "abcd", true)]
    [InlineData("length", "2,4", "abcde", false)]
    [InlineData("minlength", "2", "ab", true)]
    [InlineData("minlength", "2", "a", false)]
    [InlineData("maxlength", "2", "ab", true)]
    [InlineData("maxlength", "2", "abc", false)]
    [InlineData("regex", "^[a-z]+$", "abc", true)]
    [InlineData("regex", "[a-z]+", "abc1", false)] // anchored on the whole value
    [InlineData("regex", "a|ab", "ab", true)]
    public void Built_in_constraints_accept_and_reject(string name, string? argument, string value, bool expected)
    {
        Assert.Equal(expected, Create(name, argument).IsMatch(value));
    }

    [Fact]
    public void Names_are_case_insensitive_and_unknown_names_give_null()
    {
        Assert.NotNull(new RouteConstraintMap().Create("INT", null));
        Assert.Null(new RouteConstraintMap().Create("slug", null));
    }

    [Fact]
    public void A_custom_constraint_is_used_by_templates_of_routers_given_the_map()
    {
        var map = new RouteConstraintMap();
        map.Add("even", new SpanPredicateConstraint(v => int.TryParse(v, out int n) && n % 2 == 0, "an even number"));
        var router = new Router<string>(new RouterOptions { Constraints = map });
        router.Add("GET", "/n/{n:even}", "even");
        Assert.Equal("even", router.Match("GET", "/n/4").Endpoint);
        var odd = router.Match("GET", "/n/3");
        Assert.Equal(RouteMatchKind.InvalidRouteValue, odd.Kind);
        Assert.Contains("an even number", odd.Error);
        Assert.Throws<ArgumentException>(() => router.Add("GET", "/m/{n:even(2)}", "x"));
    }

    [Fact]
    public void A_custom_constraint_factory_receives_its_argument()
    {
        var map = new RouteConstraintMap();
        map.Add("prefix", arg => new SpanPredicateConstraint(v => v.StartsWith(arg!), $"starting with {arg}"));
        var router = new Router<string>(new RouterOptions { Constraints = map });
        router.Add("GET", "/p/{x:prefix(ab)}", "p");
        Assert.True(router.Match("GET", "/p/abc").IsFound);
        Assert.False(router.Match("GET", "/p/bc").IsFound);
    }

    [Fact]
    public void Constraint_names_must_be_identifiers()
    {
        Assert.Throws<ArgumentException>(() => new RouteConstraintMap().Add("bad name", _ => Create("int")));
    }
}
