namespace Eddy.Web.Forms;

/// <summary>The boundary of a multipart/form-data body, taken from its Content-Type (RFC 2046 §5.1.1).</summary>
public static class MultipartBoundary
{
    /// <summary>Longest boundary RFC 2046 §5.1.1 allows.</summary>
    public const int MaxLength = 70;

    /// <summary>
    /// Reads the boundary parameter of a "multipart/form-data" Content-Type (the type compared
    /// case-insensitively, the boundary quoted or not). The boundary must be 1 to 70 characters
    /// from RFC 2046's bchars (letters, digits and <c>'()+_,-./:=?</c> and space), not ending in a space.
    /// </summary>
    /// <param name="contentType">The Content-Type header value.</param>
    /// <param name="boundary">The boundary, without the leading "--".</param>
    /// <returns>False when the type is not multipart/form-data or the boundary is missing or invalid.</returns>
    public static bool TryParse(string? contentType, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? boundary)
    {
        boundary = null;
        if (contentType is null || !HeaderValue.TryParse(contentType, out string mediaType, out var parameters)) return false;
        if (!string.Equals(mediaType, "multipart/form-data", StringComparison.OrdinalIgnoreCase)) return false;
        string? value = HeaderValue.Get(parameters, "boundary");
        if (!IsValid(value)) return false;
        boundary = value;
        return true;
    }

    /// <summary>Whether <paramref name="boundary"/> is a boundary RFC 2046 allows.</summary>
    /// <param name="boundary">The boundary, without the leading "--".</param>
    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? boundary)
    {
        if (string.IsNullOrEmpty(boundary) || boundary.Length > MaxLength || boundary[^1] == ' ') return false;
        foreach (char c in boundary)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '\'' or '(' or ')' or '+' or '_' or ',' or '-' or '.' or '/' or ':' or '=' or '?' or ' ')) return false;
        }
        return true;
    }
}
