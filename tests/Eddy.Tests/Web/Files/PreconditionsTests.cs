using Eddy.Web.Files;
using static Eddy.Web.Files.PreconditionOutcome;

namespace Eddy.Tests.Web.Files;

/// <summary>RFC 9110 §13.2.2, step by step, for a resource with ETag "v2" last modified at <see cref="Modified"/>.</summary>
public class PreconditionsTests
{
    private static readonly EntityTag Current = new("v2");
    private static readonly DateTimeOffset Modified = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Same = HttpDate.Format(Modified);
    private static readonly string Before = HttpDate.Format(Modified.AddSeconds(-1));
    private static readonly string After = HttpDate.Format(Modified.AddSeconds(1));

    private static PreconditionResult Eval(string method = "GET", string? ifMatch = null, string? ifNoneMatch = null,
        string? ifModifiedSince = null, string? ifUnmodifiedSince = null, string? ifRange = null,
        EntityTag? etag = null, DateTimeOffset? lastModified = null, bool noValidators = false) =>
        Preconditions.Evaluate(method, ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince, ifRange,
            noValidators ? etag : etag ?? Current, noValidators ? lastModified : lastModified ?? Modified);

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", false)] // ranges are defined for GET only
    [InlineData("POST", false)]
    public void No_conditions_proceed(string method, bool rangeAllowed) =>
        Assert.Equal(new PreconditionResult(Proceed, rangeAllowed), Eval(method));

    // Step 1: If-Match, strong comparison.
    [Theory]
    [InlineData("\"v2\"", Proceed)]
    [InlineData("\"v1\", \"v2\"", Proceed)]
    [InlineData("*", Proceed)]
    [InlineData("\"v1\"", PreconditionFailed)]
    [InlineData("W/\"v2\"", PreconditionFailed)]
    [InlineData("garbage", PreconditionFailed)]
    public void If_Match_must_match_strongly(string ifMatch, PreconditionOutcome expected)
    {
        Assert.Equal(expected, Eval("GET", ifMatch: ifMatch).Outcome);
        Assert.Equal(expected, Eval("PUT", ifMatch: ifMatch).Outcome);
    }

    [Fact]
    public void If_Match_fails_for_a_weak_current_tag()
    {
        Assert.Equal(PreconditionFailed, Eval(ifMatch: "W/\"v2\"", etag: new EntityTag("v2", isWeak: true)).Outcome);
        Assert.Equal(PreconditionFailed, Eval(ifMatch: "\"v2\"", etag: new EntityTag("v2", isWeak: true)).Outcome);
    }

    [Fact]
    public void If_Match_fails_for_a_resource_without_a_tag_unless_it_is_the_wildcard()
    {
        Assert.Equal(PreconditionFailed, Eval(ifMatch: "\"v2\"", noValidators: true).Outcome);
        Assert.Equal(Proceed, Eval(ifMatch: "*", noValidators: true).Outcome);
    }

    // Step 2: If-Unmodified-Since, only without If-Match.
    [Theory]
    [InlineData("same", Proceed)]
    [InlineData("after", Proceed)]
    [InlineData("before", PreconditionFailed)]
    [InlineData("not a date", Proceed)] // invalid: ignored
    public void If_Unmodified_Since_fails_when_modified_after_it(string which, PreconditionOutcome expected) =>
        Assert.Equal(expected, Eval("PUT", ifUnmodifiedSince: Date(which)).Outcome);

    [Fact]
    public void If_Unmodified_Since_is_ignored_when_If_Match_is_present()
    {
        Assert.Equal(Proceed, Eval("PUT", ifMatch: "\"v2\"", ifUnmodifiedSince: Before).Outcome);
        Assert.Equal(PreconditionFailed, Eval("PUT", ifMatch: "\"v1\"", ifUnmodifiedSince: After).Outcome);
    }

    [Fact]
    public void Date_conditions_are_ignored_for_a_resource_without_Last_Modified()
    {
        Assert.Equal(Proceed, Eval("PUT", ifUnmodifiedSince: Before, noValidators: true, etag: Current).Outcome);
        Assert.Equal(Proceed, Eval("GET", ifModifiedSince: After, noValidators: true, etag: Current).Outcome);
    }

    [Fact]
    public void Sub_second_modification_times_compare_at_the_resolution_of_HTTP_dates()
    {
        var precise = Modified.AddMilliseconds(999);
        Assert.Equal(NotModified, Eval(ifModifiedSince: Same, lastModified: precise).Outcome);
        Assert.Equal(Proceed, Eval("PUT", ifUnmodifiedSince: Same, lastModified: precise).Outcome);
    }

    // Step 3: If-None-Match, weak comparison; 304 for GET/HEAD, 412 otherwise.
    [Theory]
    [InlineData("GET", "\"v2\"", NotModified)]
    [InlineData("HEAD", "\"v2\"", NotModified)]
    [InlineData("GET", "W/\"v2\"", NotModified)]
    [InlineData("GET", "\"v1\", W/\"v2\"", NotModified)]
    [InlineData("GET", "*", NotModified)]
    [InlineData("GET", "\"v1\"", Proceed)]
    [InlineData("GET", "garbage", Proceed)]
    [InlineData("POST", "\"v2\"", PreconditionFailed)]
    [InlineData("PUT", "*", PreconditionFailed)]
    [InlineData("DELETE", "W/\"v2\"", PreconditionFailed)]
    [InlineData("PUT", "\"v1\"", Proceed)]
    public void If_None_Match_matches_weakly(string method, string ifNoneMatch, PreconditionOutcome expected) =>
        Assert.Equal(expected, Eval(method, ifNoneMatch: ifNoneMatch).Outcome);

    [Fact]
    public void If_Match_is_evaluated_before_If_None_Match()
    {
        Assert.Equal(PreconditionFailed, Eval(ifMatch: "\"v1\"", ifNoneMatch: "\"v2\"").Outcome);
        Assert.Equal(NotModified, Eval(ifMatch: "\"v2\"", ifNoneMatch: "\"v2\"").Outcome);
    }

    [Fact]
    public void If_Unmodified_Since_is_evaluated_before_If_None_Match()
    {
        Assert.Equal(PreconditionFailed, Eval(ifUnmodifiedSince: Before, ifNoneMatch: "\"v2\"").Outcome);
        Assert.Equal(PreconditionFailed, Eval(ifUnmodifiedSince: Before, ifModifiedSince: After).Outcome);
    }

    // Step 4: If-Modified-Since, only without If-None-Match, only for GET and HEAD.
    [Theory]
    [InlineData("GET", "same", NotModified)]
    [InlineData("GET", "after", NotModified)]
    [InlineData("HEAD", "same", NotModified)]
    [InlineData("GET", "before", Proceed)]
    [InlineData("GET", "not a date", Proceed)]
    [InlineData("POST", "after", Proceed)]
    [InlineData("PUT", "same", Proceed)]
    public void If_Modified_Since_gives_304_when_not_modified_since(string method, string which, PreconditionOutcome expected) =>
        Assert.Equal(expected, Eval(method, ifModifiedSince: Date(which)).Outcome);

    [Fact]
    public void If_Modified_Since_is_ignored_when_If_None_Match_is_present()
    {
        Assert.Equal(Proceed, Eval(ifNoneMatch: "\"v1\"", ifModifiedSince: After).Outcome);
        Assert.Equal(NotModified, Eval(ifNoneMatch: "\"v2\"", ifModifiedSince: Before).Outcome);
    }

    // Step 5: If-Range.
    [Theory]
    [InlineData("\"v2\"", true)]
    [InlineData("W/\"v2\"", false)]     // a weak tag is never strong-equal
    [InlineData("\"v1\"", false)]
    [InlineData("*", false)]
    [InlineData("same", true)]
    [InlineData("before", false)]
    [InlineData("after", false)]        // only an exact date counts
    [InlineData("not a date", false)]
    public void If_Range_allows_the_range_only_for_a_strong_match_or_the_exact_date(string ifRange, bool allowed)
    {
        var result = Eval(ifRange: Date(ifRange));
        Assert.Equal(Proceed, result.Outcome);
        Assert.Equal(allowed, result.RangeAllowed);
    }

    [Fact]
    public void If_Range_never_matches_a_weak_current_tag()
    {
        Assert.False(Eval(ifRange: "\"v2\"", etag: new EntityTag("v2", isWeak: true)).RangeAllowed);
    }

    [Fact]
    public void A_304_or_412_never_allows_a_range()
    {
        Assert.False(Eval(ifNoneMatch: "\"v2\"").RangeAllowed);
        Assert.False(Eval(ifMatch: "\"v1\"").RangeAllowed);
    }

    [Fact]
    public void The_status_code_follows_the_outcome()
    {
        Assert.Equal(304, Eval(ifNoneMatch: "*").StatusCode);
        Assert.Equal(412, Eval(ifMatch: "\"nope\"").StatusCode);
        Assert.Equal(0, Eval().StatusCode);
    }

    private static string Date(string which) => which switch
    {
        "same" => Same,
        "before" => Before,
        "after" => After,
        _ => which,
    };
}
