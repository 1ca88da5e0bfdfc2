namespace Eddy.Web.Files;

/// <summary>
/// Evaluates conditional requests (RFC 9110 §13) for a resource that exists, in the order
/// §13.2.2 prescribes.
/// </summary>
/// <remarks>
/// <para>The order, each step only reached when the one before passed:</para>
/// <list type="number">
/// <item>If-Match present: false → 412. Strong comparison; <c>*</c> matches.</item>
/// <item>Otherwise If-Unmodified-Since present and a valid date: modified after it → 412.</item>
/// <item>If-None-Match present: true (a tag matches, weak comparison; <c>*</c> matches) → 304 for GET and HEAD, 412 for other methods.</item>
/// <item>Otherwise, for GET and HEAD, If-Modified-Since present and a valid date: not modified since → 304.</item>
/// <item>For GET with a Range: If-Range absent, or true → the range applies; false → the full 200.
/// If-Range is true when its entity tag matches strongly (a weak tag never does), or its date equals
/// Last-Modified exactly (§13.1.5).</item>
/// </list>
/// <para>Dates compare at the one-second resolution of HTTP dates, so a Last-Modified with
/// sub-second ticks (file times) is truncated first. An invalid date header is ignored (§13.1.3,
/// §13.1.4); a date condition is ignored when the resource has no Last-Modified. A malformed entity
/// tag list matches nothing, so a malformed If-Match fails (412) and a malformed If-None-Match
/// passes (full response). A malformed If-Range is false (full 200).</para>
/// <para>Callers: evaluate only for a resource that exists (a 404 is answered before), and only
/// when the response would otherwise be 2xx (§13.2.1).</para>
/// </remarks>
public static class Preconditions
{
    /// <summary>Evaluates the conditional headers of a request against the resource's validators.</summary>
    /// <param name="method">The request method (case-sensitive, as RFC 9110 §9.1 says).</param>
    /// <param name="ifMatch">The If-Match value, or null.</param>
    /// <param name="ifNoneMatch">The If-None-Match value, or null.</param>
    /// <param name="ifModifiedSince">The If-Modified-Since value, or null.</param>
    /// <param name="ifUnmodifiedSince">The If-Unmodified-Since value, or null.</param>
    /// <param name="ifRange">The If-Range value, or null.</param>
    /// <param name="etag">The resource's current entity tag, or null when it has none.</param>
    /// <param name="lastModified">The resource's last modification time, or null when it has none.</param>
    /// <returns>The outcome, and whether a Range header may apply.</returns>
    public static PreconditionResult Evaluate(
        string method,
        string? ifMatch,
        string? ifNoneMatch,
        string? ifModifiedSince,
        string? ifUnmodifiedSince,
        string? ifRange,
        EntityTag? etag,
        DateTimeOffset? lastModified)
    {
        bool getOrHead = method is "GET" or "HEAD";
        DateTimeOffset? modified = lastModified is { } m ? TruncateToSeconds(m) : null;

        // Step 1 and 2: the conditions a state-changing client relies on.
        if (ifMatch is not null)
        {
            if (!EntityTag.ListMatches(ifMatch, etag, weakComparison: false)) return Failed;
        }
        else if (ifUnmodifiedSince is not null && modified is { } mod1 && HttpDate.Parse(ifUnmodifiedSince) is { } since1)
        {
            if (mod1 > since1) return Failed;
        }

        // Step 3 and 4: the conditions a cache relies on.
        if (ifNoneMatch is not null)
        {
            if (EntityTag.ListMatches(ifNoneMatch, etag, weakComparison: true))
                return getOrHead ? NotModified : Failed;
        }
        else if (getOrHead && ifModifiedSince is not null && modified is { } mod2 && HttpDate.Parse(ifModifiedSince) is { } since2)
        {
            if (mod2 <= since2) return NotModified;
        }

        // Step 5: ranges, for GET only.
        bool rangeAllowed = method == "GET" && (ifRange is null || IfRangeHolds(ifRange, etag, modified));
        return new PreconditionResult(PreconditionOutcome.Proceed, rangeAllowed);
    }

    private static readonly PreconditionResult Failed = new(PreconditionOutcome.PreconditionFailed, false);
    private static readonly PreconditionResult NotModified = new(PreconditionOutcome.NotModified, false);

    /// <summary>If-Range (RFC 9110 §13.1.5): an entity tag compared strongly, or a date that must equal Last-Modified.</summary>
    private static bool IfRangeHolds(string ifRange, EntityTag? etag, DateTimeOffset? modified)
    {
        var value = ifRange.AsSpan().Trim(" \t");
        if (value.StartsWith("\"") || value.StartsWith("W/"))
            return EntityTag.TryParse(value, out var tag) && !tag.IsAny && etag is { } current && tag.StrongEquals(current);
        return modified is { } mod && HttpDate.TryParse(value, out var date) && date == mod;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
