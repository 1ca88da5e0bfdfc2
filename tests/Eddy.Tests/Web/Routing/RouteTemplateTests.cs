using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>Template syntax: what parses, and what is refused at registration with the template and the fix in the message.</summary>
public class RouteTemplateTests
{
    private static RouteTemplate Parse(string template) => RouteTemplate.Parse(template, new RouteConstraintMap());

    [Fact]
    public void Literal_and_parameter_segments_are_parsed_in_order()
    {
        var t = Parse("/users/{id:int}/posts/{slug}");
        Assert.Equal(4, t.Segments.Length);
        Assert.Equal("users", t.Segments[0].Literal);
        Assert.Equal("id", t.Segments[1].Parameter!.Name);
        Assert.Equal("int", t.Segments[1].Parameter!.ConstraintText);
        Assert.Equal(["id", "slug"], t.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void Root_is_one_empty_segment_and_a_trailing_slash_is_a_final_empty_segment()
    {
        Assert.Equal([""], Parse("/").Segments.Select(s => s.Literal));
        Assert.Equal(["a", ""], Parse("/a/").Segments.Select(s => s.Literal));
    }

    [Fact]
    public void Optional_default_catch_all_and_complex_segments_are_recognised()
    {
        var t = Parse("/{controller=Home}/{action=Index}/{id?}");
        Assert.All(t.Parameters, p => Assert.True(p.IsOptional));
        Assert.Equal("Home", t.Parameters[0].Default);
        Assert.Null(t.Parameters[2].Default);
        Assert.True(Parse("/files/{*path}").Parameters[0].IsCatchAll);
        var complex = Parse("/files/{name}.{ext:alpha}").Segments[1];
        Assert.True(complex.IsComplex);
        Assert.Equal("{}.{alpha}", complex.ComplexKey);
    }

    [Fact]
    public void Constraints_chain_and_arguments_may_hold_colons_slashes_and_braces()
    {
        var t = Parse("/x/{id:int:range(1,10)}/{code:regex(^[a-z]{2}/?:x$)}");
        Assert.Equal(2, t.Parameters[0].Constraints.Length);
        Assert.Equal("regex(^[a-z]{2}/?:x$)", t.Parameters[1].ConstraintText);
        Assert.Equal(3, t.Segments.Length);
    }

    [Theory]
    [InlineData("users", "must start with '/'")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/a/{id", "without its '}'")]
    [InlineData("/a/id}", "'}'")]
    [InlineData("/a/{}", "is not letters")]
    [InlineData("/a/{my-id}", "is not letters")]
    [InlineData("/a/{id}/{ID}", "twice")]
    [InlineData("/a/{id:nope}", "unknown constraint 'nope'")]
    [InlineData("/a/{id:}", "empty constraint")]
    [InlineData("/a/{id:min(x)}", "min needs one integer")]
    [InlineData("/a/{id:range(10,1)}", "reversed")]
    [InlineData("/a/{id:regex(()}", "without its")]
    [InlineData("/a/{id:regex([)}", "not a valid .NET regular expression")]
    [InlineData("/a/{id:int=abc}", "default 'abc', which is not a 32-bit integer")]
    [InlineData("/a/{id=}", "empty default")]
    [InlineData("/a/{id?}/b", "after an optional parameter")]
    [InlineData("/a/{id?}/", "trailing slash after an optional")]
    [InlineData("/a/{id?}/{*rest}", "catch-all after an optional")]
    [InlineData("/a/{*rest}/b", "catch-all '{*rest}' before its end")]
    [InlineData("/a/x{*rest}", "inside a segment")]
    [InlineData("/a/{*rest?}", "catch-all 'rest' optional")]
    [InlineData("/a/{name}.{ext?}", "optional inside a segment")]
    [InlineData("/a/{a}{b}", "side by side")]
    [InlineData("/a%20b", "contains '%'")]
    [InlineData("/a?x=1", "query and fragment")]
    [InlineData("/a/{id!}", "is not letters")]
    [InlineData("/a/{id?x}", "unexpected text")]
    public void Malformed_templates_are_refused_naming_the_template_and_the_fix(string template, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Parse(template));
        Assert.Contains($"'{template}'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(";", e.Message); // problem; fix
    }

    [Fact]
    public void Unknown_constraint_message_lists_the_known_ones_and_how_to_register()
    {
        var e = Assert.Throws<ArgumentException>(() => Parse("/a/{id:slug}"));
        Assert.Contains("int", e.Message);
        Assert.Contains("RouteConstraintMap.Add", e.Message);
    }
}
