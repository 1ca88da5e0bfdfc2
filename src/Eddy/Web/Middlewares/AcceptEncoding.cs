using System.Globalization;

namespace Eddy.Web.Middlewares;

/// <summary>
/// Content-coding negotiation over an Accept-Encoding header (RFC 9110 §12.5.3): q-values,
/// <c>*</c>, <c>identity</c> and q=0 exclusions; ties go to the server's order of preference.
/// Allocates nothing: it walks the header as a span and answers one of the given strings.
/// </summary>
internal static class AcceptEncoding
{
    /// <summary>The answer when no compressed coding is acceptable, or the client prefers none.</summary>
    public const string Identity = "identity";

    /// <summary>
    /// Picks the content coding to answer with.
    /// </summary>
    /// <param name="header">The Accept-Encoding value; null or empty when absent (then identity, as browsers and ASP.NET Core treat it).</param>
    /// <param name="supported">The codings the server can produce, most preferred first ("br", "gzip").</param>
    /// <returns>One of <paramref name="supported"/>, or <see cref="Identity"/>.</returns>
    public static string Negotiate(ReadOnlySpan<char> header, string[] supported)
    {
        if (header.IsEmpty || supported.Length == 0) return Identity;
        Span<float> quality = stackalloc float[supported.Length];
        quality.Fill(-1); // not named
        float star = -1, identity = -1;
        foreach (var range in header.Split(','))
        {
            var item = header[range];
            if (!TryParse(item, out var coding, out float q)) continue;
            if (coding.SequenceEqual("*"))
            {
                star = q;
                continue;
            }
            if (coding.Equals(Identity, StringComparison.OrdinalIgnoreCase))
            {
                identity = q;
                continue;
            }
            // RFC 9110 §8.4.1.3: x-gzip is gzip.
            if (coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)) coding = "gzip";
            for (int i = 0; i < supported.Length; i++)
            {
                if (coding.Equals(supported[i], StringComparison.OrdinalIgnoreCase)) quality[i] = q;
            }
        }
        int best = -1;
        float bestQuality = 0;
        for (int i = 0; i < supported.Length; i++)
        {
            float q = quality[i] >= 0 ? quality[i] : Math.Max(star, 0);
            if (q > bestQuality) // strictly greater: on a tie the earlier (preferred) coding stays
            {
                best = i;
                bestQuality = q;
            }
        }
        // A client that names identity with a higher weight than any compressed coding gets it.
        if (best < 0 || identity > bestQuality) return Identity;
        return supported[best];
    }

    /// <summary>Splits "gzip;q=0.8" into the coding and its weight (1 when none is given).</summary>
    private static bool TryParse(ReadOnlySpan<char> item, out ReadOnlySpan<char> coding, out float quality)
    {
        quality = 1;
        int semicolon = item.IndexOf(';');
        coding = (semicolon < 0 ? item : item[..semicolon]).Trim(" \t");
        if (coding.IsEmpty) return false;
        if (semicolon < 0) return true;
        var parameters = item[(semicolon + 1)..];
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim(" \t");
            int equals = parameter.IndexOf('=');
            if (equals < 0) continue;
            var name = parameter[..equals].TrimEnd(" \t");
            if (!name.Equals("q", StringComparison.OrdinalIgnoreCase)) continue;
            var value = parameter[(equals + 1)..].TrimStart(" \t");
            // A weight that is not a qvalue (0 to 1, at most three decimals) makes the item meaningless: skip it.
            if (!float.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality) || quality > 1) return false;
            return true;
        }
        return true;
    }
}
