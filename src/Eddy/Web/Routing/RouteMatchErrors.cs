using System.Text;

namespace Eddy.Web.Routing;

/// <summary>The messages of <see cref="RouteMatchKind.InvalidRouteValue"/>: they go to clients in 400 responses.</summary>
internal static class RouteMatchErrors
{
    /// <summary>Values quoted in messages are cut to this many chars: a message should not echo a 8 KiB path back.</summary>
    private const int MaxQuotedLength = 64;

    public static string ConstraintFailed(string name, ReadOnlySpan<char> value, IRouteConstraint constraint, RouteInfo route) =>
        $"Route value '{name}' = '{Quote(value)}' is not valid: it must be {constraint.Expectation} (route {route.Pattern}).";

    public static string Undecodable(ReadOnlySpan<char> rawSegment) =>
        $"The path segment '{Quote(rawSegment)}' is not valid percent-encoded UTF-8; encode each byte of a UTF-8 value as %XX.";

    /// <summary><paramref name="value"/> cut to 64 chars, with control characters escaped.</summary>
    public static string Quote(ReadOnlySpan<char> value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxQuotedLength) + 3);
        foreach (char c in value[..Math.Min(value.Length, MaxQuotedLength)])
        {
            if (char.IsControl(c)) builder.Append($"\\x{(int)c:X2}");
            else builder.Append(c);
        }
        if (value.Length > MaxQuotedLength) builder.Append("...");
        return builder.ToString();
    }
}
