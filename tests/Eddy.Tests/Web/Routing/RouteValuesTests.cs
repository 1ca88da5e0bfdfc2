using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>The values collection: lookup, typed helpers, enumeration.</summary>
public class RouteValuesTests
{
    private static RouteValues Match(string template, string path)
    {
        var r = new Router<string>();
        r.Add("GET", template, "x");
        var m = r.Match("GET", path);
        Assert.True(m.IsFound, m.ToString());
        return m.Values!;
    }

    [Fact]
    public void Lookup_is_case_insensitive_and_missing_names_are_explained()
    {
        var values = Match("/{a}/{b}", "/1/2");
        Assert.Equal("1", values["A"]);
        Assert.True(values.TryGetValue("b", out var b));
        Assert.Equal("2", b);
        Assert.False(values.TryGetValue("c", out _));
        var e = Assert.Throws<KeyNotFoundException>(() => values["c"]);
        Assert.Contains("a, b", e.Message);
    }

    [Fact]
    public void Enumeration_is_in_template_order()
    {
        var values = Match("/{z}/{a}/{m}", "/1/2/3");
        Assert.Equal(["z", "a", "m"], values.Select(kv => kv.Key));
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public void Typed_helpers_parse_invariantly()
    {
        var values = Match("/{i}/{l}/{b}/{g}/{d}/{m}", "/-5/9000000000/TRUE/6f9619ff-8b86-d011-b42d-00cf4fc964ff/1.5/2.25");
        Assert.Equal(-5, values.GetInt32("i"));
        Assert.Equal(9_000_000_000L, values.GetInt64("l"));
        Assert.True(values.GetBoolean("b"));
        Assert.Equal(Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), values.GetGuid("g"));
        Assert.Equal(1.5, values.GetDouble("d"));
        Assert.Equal(2.25m, values.GetDecimal("m"));
    }

    [Fact]
    public void Typed_helpers_on_unparseable_values_say_which_constraint_to_add()
    {
        var e = Assert.Throws<FormatException>(() => Match("/{id}", "/abc").GetInt32("id"));
        Assert.Contains("{id:int}", e.Message);
    }

    [Fact]
    public void Many_values_grow_the_storage()
    {
        var template = string.Concat(Enumerable.Range(0, 10).Select(i => $"/{{p{i}}}"));
        var path = string.Concat(Enumerable.Range(0, 10).Select(i => $"/{i}"));
        var values = Match(template, path);
        Assert.Equal(10, values.Count);
        Assert.Equal("9", values["p9"]);
    }
}
