using System.Globalization;
using System.Text;

namespace Eddy.Web.Cookies;

/// <summary>
/// Formats Set-Cookie header values (RFC 6265 §4.1), refusing what browsers would mangle or
/// drop: a name that is not a token, a value with characters a cookie cannot carry, SameSite=None
/// without Secure, and __Secure- / __Host- names without the attributes their prefix promises.
/// </summary>
public static class SetCookie
{
    private static readonly DateTimeOffset UnixEpoch = DateTimeOffset.UnixEpoch;

    /// <summary>Formats "name=value; Path=/; ..." for a Set-Cookie header.</summary>
    /// <param name="name">The cookie's name: an RFC 9110 token (letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>).</param>
    /// <param name="value">The value: RFC 6265 cookie-octets (printable ASCII except space, '"', ',', ';' and '\'), optionally in double quotes.</param>
    /// <param name="options">The attributes; null for <see cref="CookieOptions.Default"/>.</param>
    /// <returns>The header value.</returns>
    /// <exception cref="ArgumentException">The name, value or attributes cannot be sent; the message says which character or rule, and the fix.</exception>
    public static string Format(string name, string value, CookieOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        options ??= CookieOptions.Default;
        Validate(name, options);
        ValidateValue(value);
        return Build(name, value, options, expired: false);
    }

    /// <summary>
    /// Formats a Set-Cookie that deletes cookie <paramref name="name"/>: an empty value, Expires
    /// in 1970 and Max-Age=0. Pass the Path and Domain the cookie was set with: a browser only
    /// replaces a cookie whose name, path and domain all match.
    /// </summary>
    /// <param name="name">The cookie's name.</param>
    /// <param name="options">The attributes it was set with (Expires and MaxAge are ignored); null for <see cref="CookieOptions.Default"/>.</param>
    /// <returns>The header value.</returns>
    /// <exception cref="ArgumentException">The name or attributes cannot be sent.</exception>
    public static string FormatDeletion(string name, CookieOptions? options = null)
    {
        options ??= CookieOptions.Default;
        Validate(name, options);
        return Build(name, "", options, expired: true);
    }

    private static string Build(string name, string value, CookieOptions options, bool expired)
    {
        var header = new StringBuilder(name.Length + value.Length + 64);
        header.Append(name).Append('=').Append(value);
        var expires = expired ? UnixEpoch : options.Expires;
        if (expires is { } at) header.Append("; Expires=").Append(at.UtcDateTime.ToString("R", CultureInfo.InvariantCulture));
        var maxAge = expired ? TimeSpan.Zero : options.MaxAge;
        if (maxAge is { } age) header.Append("; Max-Age=").Append(Math.Max(0L, (long)Math.Floor(age.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        if (options.Domain is not null) header.Append("; Domain=").Append(options.Domain);
        if (options.Path is not null) header.Append("; Path=").Append(options.Path);
        if (options.Secure) header.Append("; Secure");
        if (options.HttpOnly) header.Append("; HttpOnly");
        if (options.SameSite != SameSiteMode.Unspecified) header.Append("; SameSite=").Append(options.SameSite switch
        {
            SameSiteMode.Lax => "Lax",
            SameSiteMode.Strict => "Strict",
            _ => "None",
        });
        return header.ToString();
    }

    private static void Validate(string name, CookieOptions options)
    {
        ValidateName(name);
        ValidateAttribute(options.Domain, nameof(CookieOptions.Domain));
        ValidateAttribute(options.Path, nameof(CookieOptions.Path));
        if (options.SameSite == SameSiteMode.None && !options.Secure)
            throw new ArgumentException($"Cookie '{name}' has SameSite=None without Secure, and browsers reject such cookies; set CookieOptions.Secure = true (which needs HTTPS) or use SameSite Lax.", nameof(options));
        if (!Enum.IsDefined(options.SameSite))
            throw new ArgumentException($"CookieOptions.SameSite is {(int)options.SameSite}, not a SameSiteMode.", nameof(options));
        if (name.StartsWith("__Secure-", StringComparison.Ordinal) && !options.Secure)
            throw new ArgumentException($"Cookie '{name}' has the __Secure- prefix, so browsers accept it only with Secure; set CookieOptions.Secure = true.", nameof(options));
        if (name.StartsWith("__Host-", StringComparison.Ordinal) && (!options.Secure || options.Domain is not null || options.Path != "/"))
            throw new ArgumentException($"Cookie '{name}' has the __Host- prefix, so browsers accept it only with Secure, Path=/ and no Domain; set CookieOptions.Secure = true, Path = \"/\" and Domain = null.", nameof(options));
    }

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0) throw new ArgumentException("A cookie name cannot be empty.", nameof(name));
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
                throw new ArgumentException($"Cookie name '{name}' contains {Describe(c)} at index {i}, but a name must be a token (letters, digits and !#$%&'*+-.^_`|~); choose a plain name such as \"session_id\".", nameof(name));
        }
    }

    private static void ValidateValue(string value)
    {
        var octets = value.AsSpan();
        if (octets.Length >= 2 && octets[0] == '"' && octets[^1] == '"') octets = octets[1..^1];
        for (int i = 0; i < octets.Length; i++)
        {
            char c = octets[i];
            if (!IsCookieOctet(c))
                throw new ArgumentException($"Cookie value contains {Describe(c)}, which a cookie cannot carry (RFC 6265 cookie-octet: printable ASCII except space, '\"', ',', ';' and '\\'); encode the value with Uri.EscapeDataString and decode it with Uri.UnescapeDataString, or use CookieSigner, which encodes.", nameof(value));
        }
    }

    private static void ValidateAttribute(string? attribute, string property)
    {
        if (attribute is null) return;
        foreach (char c in attribute)
        {
            if (c < 0x21 || c > 0x7E || c == ';')
                throw new ArgumentException($"CookieOptions.{property} '{attribute}' contains {Describe(c)}, which would break the Set-Cookie header; remove it (percent-encode a path).", property);
        }
    }

    internal static bool IsCookieOctet(char c) => c is '\x21' or (>= '\x23' and <= '\x2B') or (>= '\x2D' and <= '\x3A') or (>= '\x3C' and <= '\x5B') or (>= '\x5D' and <= '\x7E');

    private static string Describe(char c) => c is >= ' ' and <= '~'
        ? $"'{c}'"
        : $"U+{(int)c:X4}";
}
