using System.Globalization;
using System.Text;

namespace Eddy.Web.Routing;

/// <summary>
/// Builds the path of a template route from values (Tornado's <c>reverse_url</c>, aiohttp's
/// <c>url_for</c>): each value is checked against its constraints and percent-encoded, so that
/// matching the URL gives the same values back.
/// </summary>
internal static class UrlBuilder
{
    /// <summary>How values are written: invariant culture, lower-case booleans (what the <c>bool</c> constraint reads).</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    public static string Build(string routeName, RouteTemplate template, Dictionary<string, string?> values)
    {
        RejectUnknown(routeName, template.Text, values, template.Parameters.Select(p => p.Name));
        var builder = new StringBuilder();
        RouteParameter? omitted = null;
        foreach (var segment in template.Segments)
        {
            if (segment.Parameter is { IsOptional: true } optional)
            {
                string? value = Get(values, optional.Name) ?? optional.Default;
                if (value is null)
                {
                    omitted ??= optional;
                    continue;
                }
                if (omitted is not null)
                    throw new ArgumentException($"Url('{routeName}'): route '{template.Text}' got a value for '{optional.Name}' but none for '{omitted.Name}' before it; optional segments can only be left out from the end, so give '{omitted.Name}' too.");
            }
            builder.Append('/');
            // The segment is assembled decoded and encoded once, so that only a whole segment of
            // dots is escaped (a '.' between a name and an extension stays readable).
            var text = new StringBuilder();
            for (int i = 0; i < segment.Parts.Length; i++)
            {
                if (segment.Parts[i] is string literal)
                {
                    text.Append(literal);
                    continue;
                }
                var parameter = (RouteParameter)segment.Parts[i];
                string value = Get(values, parameter.Name) ?? parameter.Default
                    ?? throw new ArgumentException($"Url('{routeName}'): route '{template.Text}' needs a value for '{parameter.Name}'; pass (\"{parameter.Name}\", value).");
                Check(routeName, template, segment, i, parameter, value);
                text.Append(value);
            }
            PercentEncoding.AppendEncoded(builder, text.ToString(), keepSlashes: segment.Parameter is { IsCatchAll: true });
        }
        return builder.Length == 0 ? "/" : builder.ToString();
    }

    private static void Check(string routeName, RouteTemplate template, TemplateSegment segment, int part, RouteParameter parameter, string value)
    {
        if (value.Length == 0 && !parameter.IsCatchAll)
            throw new ArgumentException($"Url('{routeName}'): the value for '{parameter.Name}' is empty, and route '{template.Text}' only matches a non-empty segment there; give a non-empty value.");
        if (parameter.FirstFailure(value) is { } failed)
            throw new ArgumentException($"Url('{routeName}'): the value '{value}' for '{parameter.Name}' is not {failed.Expectation}, so route '{template.Text}' would not match the URL; give a value that is.");
        // A complex segment is split right to left at the last occurrence of each literal, so a
        // value after a literal must not contain it, or the URL would give different values back.
        if (part > 0 && segment.Parts[part - 1] is string before && value.Contains(before, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Url('{routeName}'): the value '{value}' for '{parameter.Name}' contains '{before}', which separates it from what comes before in route '{template.Text}', so matching the URL would split it differently; give a value without it.");
    }

    public static void RejectUnknown(string routeName, string pattern, Dictionary<string, string?> values, IEnumerable<string> known)
    {
        foreach (var key in values.Keys)
        {
            if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                var names = string.Join(", ", known);
                throw new ArgumentException($"Url('{routeName}'): route '{pattern}' has no parameter '{key}' (it has: {(names.Length == 0 ? "none" : names)}); check the name.");
            }
        }
    }

    private static string? Get(Dictionary<string, string?> values, string name) =>
        values.TryGetValue(name, out var value) ? value : null;
}
