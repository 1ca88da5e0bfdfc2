using Eddy.Web.Files;

namespace Eddy.Tests.Web.Files;

public class EntityTagTests
{
    [Theory]
    [InlineData("\"xyzzy\"", "xyzzy", false)]
    [InlineData("W/\"xyzzy\"", "xyzzy", true)]
    [InlineData("\"\"", "", false)]
    [InlineData("  \"a-b_c!#~\"\t", "a-b_c!#~", false)]
    public void A_single_tag_parses_and_formats_back(string text, string opaque, bool weak)
    {
        Assert.True(EntityTag.TryParse(text, out var tag));
        Assert.Equal(opaque, tag.OpaqueTag);
        Assert.Equal(weak, tag.IsWeak);
        Assert.False(tag.IsAny);
        Assert.Equal(text.Trim(' ', '\t'), tag.ToString());
        Assert.Equal(tag, EntityTag.Parse(tag.ToString()));
    }

    [Fact]
    public void The_wildcard_parses_as_Any()
    {
        Assert.True(EntityTag.TryParse("*", out var tag));
        Assert.True(tag.IsAny);
        Assert.Equal("*", tag.ToString());
    }

    [Theory]
    [InlineData("xyzzy")]          // no quotes
    [InlineData("\"xyzzy")]        // unclosed
    [InlineData("w/\"xyzzy\"")]    // the weak prefix is case-sensitive
    [InlineData("W/ \"xyzzy\"")]
    [InlineData("\"a b\"")]        // space is not an etagc
    [InlineData("\"a\"b\"")]
    [InlineData("\"a\" \"b\"")]    // two tags
    [InlineData("")]
    public void Malformed_tags_do_not_parse(string text)
    {
        Assert.False(EntityTag.TryParse(text, out _));
        Assert.Null(EntityTag.Parse(text));
    }

    [Fact]
    public void Lists_parse_with_whitespace_and_empty_elements()
    {
        var tags = EntityTag.ParseList(" \"a\" ,W/\"b\",, \"c\" ");
        Assert.NotNull(tags);
        Assert.Equal(["\"a\"", "W/\"b\"", "\"c\""], tags.Select(t => t.ToString()));
        Assert.Equal([EntityTag.Any], EntityTag.ParseList("*")!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("\"a\" \"b\"")]
    [InlineData("\"a\", b")]
    [InlineData("\"a\", *")]
    public void Malformed_or_empty_lists_give_null(string? text) => Assert.Null(EntityTag.ParseList(text));

    // RFC 9110 §8.8.3.2's table.
    [Theory]
    [InlineData("W/\"1\"", "W/\"1\"", false, true)]
    [InlineData("W/\"1\"", "W/\"2\"", false, false)]
    [InlineData("W/\"1\"", "\"1\"", false, true)]
    [InlineData("\"1\"", "\"1\"", true, true)]
    public void Strong_and_weak_comparison_follow_the_RFC_table(string a, string b, bool strong, bool weak)
    {
        var x = EntityTag.Parse(a)!.Value;
        var y = EntityTag.Parse(b)!.Value;
        Assert.Equal(strong, x.StrongEquals(y));
        Assert.Equal(weak, x.WeakEquals(y));
        Assert.Equal(strong, y.StrongEquals(x));
        Assert.Equal(weak, y.WeakEquals(x));
    }

    [Fact]
    public void The_wildcard_equals_no_tag_by_comparison()
    {
        var tag = new EntityTag("1");
        Assert.False(EntityTag.Any.StrongEquals(tag));
        Assert.False(EntityTag.Any.WeakEquals(tag));
    }

    [Theory]
    [InlineData("\"a\", \"b\"", "\"b\"", false, true)]
    [InlineData("\"a\", W/\"b\"", "\"b\"", false, false)] // If-Match: strong, a weak tag never matches
    [InlineData("\"a\", W/\"b\"", "\"b\"", true, true)]   // If-None-Match: weak
    [InlineData("W/\"b\"", "W/\"b\"", false, false)]
    [InlineData("W/\"b\"", "W/\"b\"", true, true)]
    [InlineData("*", "\"z\"", false, true)]
    [InlineData("\"a\"", "\"z\"", true, false)]
    [InlineData("\"z\" \"z\"", "\"z\"", true, false)]     // malformed: matches nothing
    public void ListMatches_applies_the_chosen_comparison(string list, string current, bool weak, bool expected) =>
        Assert.Equal(expected, EntityTag.ListMatches(list, EntityTag.Parse(current), weak));

    [Fact]
    public void ListMatches_without_a_current_tag_matches_only_the_wildcard()
    {
        Assert.True(EntityTag.ListMatches("*", null, weakComparison: false));
        Assert.False(EntityTag.ListMatches("\"a\"", null, weakComparison: true));
    }

    [Fact]
    public void FromFile_is_strong_stable_and_changes_with_time_or_length()
    {
        var time = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        var tag = EntityTag.FromFile(1234, time);
        Assert.False(tag.IsWeak);
        Assert.Equal(tag, EntityTag.FromFile(1234, time));
        Assert.NotEqual(tag, EntityTag.FromFile(1235, time));
        Assert.NotEqual(tag, EntityTag.FromFile(1234, time.AddTicks(1)));
        Assert.Equal(tag, EntityTag.Parse(tag.ToString()));
        Assert.Equal($"\"{time.Ticks:x}-4d2\"", tag.ToString());
    }

    [Fact]
    public void The_constructor_refuses_characters_a_tag_cannot_hold()
    {
        var e = Assert.Throws<ArgumentException>(() => new EntityTag("a\"b"));
        Assert.Contains("RFC 9110", e.Message);
        Assert.Throws<ArgumentException>(() => new EntityTag("a b"));
    }
}
