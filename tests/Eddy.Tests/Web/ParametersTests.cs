using Eddy.Web;

namespace Eddy.Tests.Web;

/// <summary>Parameters: ordered, multi-valued, case-sensitive name/value pairs.</summary>
public class ParametersTests
{
    private static readonly Parameters Sample = new(
    [
        new("tag", "a"), new("id", "7"), new("tag", "b"), new("Tag", "C"), new("empty", ""), new("tag", "c"),
    ]);

    [Fact]
    public void Indexer_gives_the_first_value()
    {
        Assert.Equal("a", Sample["tag"]);
        Assert.Equal("7", Sample["id"]);
    }

    [Fact]
    public void Indexer_gives_null_for_a_missing_name() => Assert.Null(Sample["missing"]);

    [Fact]
    public void GetAll_gives_every_value_in_order() => Assert.Equal(["a", "b", "c"], Sample.GetAll("tag"));

    [Fact]
    public void GetAll_gives_one_value_or_none()
    {
        Assert.Equal(["7"], Sample.GetAll("id"));
        Assert.Empty(Sample.GetAll("missing"));
    }

    [Fact]
    public void Names_are_case_sensitive()
    {
        Assert.Equal("C", Sample["Tag"]);
        Assert.Equal(["C"], Sample.GetAll("Tag"));
        Assert.Null(Sample["TAG"]);
        Assert.False(Sample.Contains("ID"));
    }

    [Fact]
    public void TryGetValue_and_Contains_see_empty_values()
    {
        Assert.True(Sample.TryGetValue("empty", out var value));
        Assert.Equal("", value);
        Assert.True(Sample.Contains("empty"));
        Assert.False(Sample.TryGetValue("missing", out value));
        Assert.Null(value);
    }

    [Fact]
    public void Count_counts_every_pair() => Assert.Equal(6, Sample.Count);

    [Fact]
    public void Enumeration_keeps_the_order_sent()
    {
        var seen = new List<string>();
        foreach (var pair in Sample) seen.Add($"{pair.Key}={pair.Value}");
        Assert.Equal(["tag=a", "id=7", "tag=b", "Tag=C", "empty=", "tag=c"], seen);
    }

    [Fact]
    public void Enumeration_does_not_allocate()
    {
        int total = 0;
        foreach (var pair in Sample) total += pair.Value.Length; // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var pair in Sample) total += pair.Value.Length;
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.True(total > 0);
    }

    [Fact]
    public void Empty_has_nothing()
    {
        Assert.Null(Parameters.Empty["a"]);
        Assert.Empty(Parameters.Empty.GetAll("a"));
        Assert.Empty(Parameters.Empty);
    }

    [Fact]
    public void Constructor_rejects_null_names_and_values()
    {
        Assert.Throws<ArgumentException>(() => new Parameters([new("a", null!)]));
        Assert.Throws<ArgumentException>(() => new Parameters([new(null!, "b")]));
    }

    [Fact]
    public void Constructor_copies_the_pairs()
    {
        var source = new List<KeyValuePair<string, string>> { new("a", "1") };
        var parameters = new Parameters(source);
        source.Add(new("b", "2"));
        Assert.Single(parameters);
    }
}
