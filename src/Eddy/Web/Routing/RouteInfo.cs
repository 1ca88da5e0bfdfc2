namespace Eddy.Web.Routing;

/// <summary>A registered route as it was declared: for logs, metrics and diagnostics.</summary>
public sealed class RouteInfo
{
    internal RouteInfo(string method, string pattern, string? name, bool isRegex)
    {
        Method = method;
        Pattern = pattern;
        Name = name;
        IsRegex = isRegex;
    }

    /// <summary>The method the route answers, or <c>"*"</c> for any.</summary>
    public string Method { get; }

    /// <summary>
    /// The template (<c>/users/{id:int}</c>) or the regular expression, as given to the router
    /// that owns the route (without the prefix of a mount).
    /// </summary>
    public string Pattern { get; }

    /// <summary>The route's name for <see cref="Router{TEndpoint}.Url(string, IReadOnlyDictionary{string, object})"/>, if it has one.</summary>
    public string? Name { get; }

    /// <summary>Whether <see cref="Pattern"/> is a regular expression (<see cref="Router{TEndpoint}.AddRegex"/>).</summary>
    public bool IsRegex { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Method} {Pattern}{(Name is null ? "" : $" ({Name})")}";
}
