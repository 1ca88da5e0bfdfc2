namespace Eddy.Web.Files;

/// <summary>What the conditional headers of a request decide (RFC 9110 §13.2.2).</summary>
public enum PreconditionOutcome
{
    /// <summary>Every condition holds (or none was sent): perform the method, 200 or 206.</summary>
    Proceed,

    /// <summary>A GET or HEAD whose cached copy is current: answer 304 Not Modified, with no body.</summary>
    NotModified,

    /// <summary>A condition is false: answer 412 Precondition Failed.</summary>
    PreconditionFailed,
}
