namespace Eddy.Web.Files;

/// <summary>The result of <see cref="Preconditions.Evaluate"/>: the outcome, and whether a Range header may be honoured.</summary>
/// <param name="Outcome">Proceed, 304 or 412.</param>
/// <param name="RangeAllowed">
/// Whether a Range header may be applied: the outcome is <see cref="PreconditionOutcome.Proceed"/>,
/// the method is GET (the only one RFC 9110 §14.2 defines ranges for), and If-Range is absent or
/// true. When false, a Range header is ignored and the full representation is sent with 200.
/// </param>
public readonly record struct PreconditionResult(PreconditionOutcome Outcome, bool RangeAllowed)
{
    /// <summary>The status code the outcome calls for: 304 or 412, or 0 for <see cref="PreconditionOutcome.Proceed"/>.</summary>
    public int StatusCode => Outcome switch
    {
        PreconditionOutcome.NotModified => 304,
        PreconditionOutcome.PreconditionFailed => 412,
        _ => 0,
    };
}
