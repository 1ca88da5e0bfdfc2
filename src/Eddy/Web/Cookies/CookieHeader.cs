namespace Eddy.Web.Cookies;

/// <summary>Reads the Cookie request header (RFC 6265 §5.4: "name=value; name2=value2").</summary>
public static class CookieHeader
{
    /// <summary>
    /// Parses a Cookie header into its pairs, in the order sent (a browser sends the cookie with
    /// the longest path first, so the indexer gives the most specific of same-named cookies).
    /// </summary>
    /// <remarks>
    /// Lenient, like browsers and ASP.NET Core, and never throws: pairs are split on ';', spaces
    /// and tabs around names and values are trimmed, one pair of double quotes around a value is
    /// removed, and a pair with no '=' or an empty name is skipped. Values are returned as sent,
    /// not percent-decoded: a value that was encoded with Uri.EscapeDataString is decoded with
    /// Uri.UnescapeDataString.
    /// </remarks>
    /// <param name="header">The Cookie header value; null or empty gives <see cref="Parameters.Empty"/>.</param>
    /// <returns>The cookies, case-sensitive names.</returns>
    public static Parameters Parse(string? header)
    {
        if (string.IsNullOrEmpty(header)) return Parameters.Empty;
        var cookies = new ParametersBuilder();
        var rest = header.AsSpan();
        while (!rest.IsEmpty)
        {
            int semicolon = rest.IndexOf(';');
            var pair = semicolon < 0 ? rest : rest[..semicolon];
            rest = semicolon < 0 ? default : rest[(semicolon + 1)..];
            int eq = pair.IndexOf('=');
            if (eq < 0) continue;
            var name = pair[..eq].Trim(" \t");
            var value = pair[(eq + 1)..].Trim(" \t");
            if (name.IsEmpty) continue;
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            cookies.Add(name.ToString(), value.ToString());
        }
        return cookies.Build();
    }
}
