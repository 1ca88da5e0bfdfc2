namespace Eddy.Web.Files;

/// <summary>What a Range header asks for (RFC 9110 §14.2).</summary>
public enum ByteRangeKind
{
    /// <summary>No usable Range: absent, malformed, another unit than bytes, or ignored by a limit. Serve the full 200.</summary>
    None,

    /// <summary>At least one range is satisfiable: serve 206 with <see cref="ByteRangeHeader.Ranges"/>.</summary>
    Satisfiable,

    /// <summary>No range is satisfiable: answer 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}
