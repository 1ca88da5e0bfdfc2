using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Eddy.Web.Routing;

/// <summary>
/// A route given as a regular expression (Tornado's URL spec), matched against the whole raw
/// path: <c>^(?:pattern)\z</c>. Named groups become values by name, unnamed groups by position
/// (<c>"0"</c>, <c>"1"</c>, ... in the order of their opening parentheses); each value is
/// percent-decoded as Tornado does, and a group that did not participate gives no value.
/// </summary>
internal sealed class RegexRoute<TEndpoint>
{
    // Tornado's reverse_url handles patterns whose groups are not nested and whose text outside
    // the groups is literal; anything else cannot be turned back into a URL.
    private readonly List<object>? _reverseParts;
    private readonly string? _notReversible;

    public RegexRoute(RouteEntry<TEndpoint> entry, string pattern, bool caseSensitive)
    {
        Entry = entry;
        var options = RegexOptions.CultureInvariant | (caseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase);
        try
        {
            Regex = new Regex($"^(?:{pattern})\\z", options, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Regex route '{pattern}' is not a valid .NET regular expression ({e.Message}); fix the pattern.", nameof(pattern), e);
        }
        int[] numbers = Regex.GetGroupNumbers();
        GroupNumbers = numbers.Where(n => n != 0).ToArray();
        int unnamed = 0;
        GroupKeys = new string[numbers.Max() + 1];
        foreach (int n in GroupNumbers)
        {
            string name = Regex.GroupNameFromNumber(n);
            GroupKeys[n] = name == n.ToString(CultureInfo.InvariantCulture) ? (unnamed++).ToString(CultureInfo.InvariantCulture) : name;
        }
        _reverseParts = ParseReversible(pattern, out _notReversible);
    }

    public RouteEntry<TEndpoint> Entry { get; }

    public Regex Regex { get; }

    /// <summary>Capturing group numbers, 0 excluded.</summary>
    public int[] GroupNumbers { get; }

    /// <summary>Group number → route value name.</summary>
    public string[] GroupKeys { get; }

    /// <summary>Builds the path from group values (named, or "0", "1", ... for unnamed groups); each value is percent-encoded (slashes too).</summary>
    public string BuildUrl(string routeName, Dictionary<string, string?> values)
    {
        if (_reverseParts is null)
            throw new InvalidOperationException($"Url('{routeName}'): the regex route '{Entry.Info.Pattern}' cannot be turned into a URL ({_notReversible}); only literal text and non-nested groups can. Register a template route instead, or build the URL by hand.");
        var builder = new StringBuilder();
        foreach (var part in _reverseParts)
        {
            if (part is string literal)
            {
                builder.Append(literal);
                continue;
            }
            string key = ((GroupKey)part).Key;
            if (!values.TryGetValue(key, out var value) || value is null)
                throw new ArgumentException($"Url('{routeName}'): the regex route '{Entry.Info.Pattern}' needs a value for group '{key}'; pass (\"{key}\", value).");
            PercentEncoding.AppendEncoded(builder, value, keepSlashes: false);
        }
        UrlBuilder.RejectUnknown(routeName, Entry.Info.Pattern, values, _reverseParts.OfType<GroupKey>().Select(g => g.Key));
        string url = builder.ToString();
        // The values must come back out of the path as given: a value the group's pattern cannot
        // match would build a URL that routes elsewhere or nowhere.
        var match = Regex.Match(url);
        if (!match.Success)
            throw new ArgumentException($"Url('{routeName}'): the values give '{url}', which the regex route '{Entry.Info.Pattern}' does not match; give values each group's pattern accepts.");
        foreach (int n in GroupNumbers)
        {
            if (values.TryGetValue(GroupKeys[n], out var expected) && match.Groups[n].Success && PercentEncoding.Decode(match.Groups[n].Value) != expected)
                throw new ArgumentException($"Url('{routeName}'): the value '{expected}' for group '{GroupKeys[n]}' does not come back out of '{url}' (the route's regex splits it differently); give a value the group's pattern accepts.");
        }
        return url;
    }

    /// <summary>Literal text (raw URL text, as the regex matches it) and <see cref="GroupKey"/>s in order; null if not reversible.</summary>
    private static List<object>? ParseReversible(string pattern, out string? reason)
    {
        var parts = new List<object>();
        var literal = new StringBuilder();
        int unnamed = 0;
        string p = pattern;
        if (p.StartsWith('^')) p = p[1..];
        if (p.EndsWith('$') && !p.EndsWith("\\$", StringComparison.Ordinal)) p = p[..^1];
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '\\')
            {
                if (i + 1 < p.Length && !char.IsAsciiLetterOrDigit(p[i + 1])) { literal.Append(p[++i]); continue; }
                reason = $"the escape '\\{(i + 1 < p.Length ? p[i + 1] : ' ')}' outside a group";
                return null;
            }
            if (c == '(')
            {
                string key;
                int bodyStart;
                if (p.AsSpan(i).StartsWith("(?<") && i + 3 < p.Length && p[i + 3] is not ('=' or '!'))
                {
                    int close = p.IndexOf('>', i);
                    key = p[(i + 3)..close];
                    bodyStart = close + 1;
                }
                else if (p.AsSpan(i).StartsWith("(?"))
                {
                    reason = "a non-capturing group or lookaround";
                    return null;
                }
                else
                {
                    key = (unnamed++).ToString(CultureInfo.InvariantCulture);
                    bodyStart = i + 1;
                }
                int end = FindGroupEnd(p, bodyStart, out bool nested);
                if (end < 0 || nested)
                {
                    reason = "a nested group";
                    return null;
                }
                if (literal.Length > 0) { parts.Add(literal.ToString()); literal.Clear(); }
                parts.Add(new GroupKey(key));
                i = end;
                continue;
            }
            if (".*+?[]{}|()^$".Contains(c))
            {
                reason = $"the operator '{c}' outside a group";
                return null;
            }
            literal.Append(c);
        }
        if (literal.Length > 0) parts.Add(literal.ToString());
        reason = null;
        return parts;
    }

    private static int FindGroupEnd(string p, int start, out bool nested)
    {
        nested = false;
        bool inClass = false;
        for (int i = start; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '\\') { i++; continue; }
            if (inClass) { if (c == ']') inClass = false; continue; }
            if (c == '[') inClass = true;
            else if (c == '(') nested = true;
            else if (c == ')') return i;
        }
        return -1;
    }

    private sealed record GroupKey(string Key);
}
