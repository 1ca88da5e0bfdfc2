namespace Eddy.Web.Routing;

/// <summary>The routes that end at one trie node, at most one per method (<c>"*"</c> included).</summary>
internal sealed class EndpointSet<TEndpoint>
{
    private RouteEntry<TEndpoint>[] _entries = [];

    public RouteEntry<TEndpoint> First => _entries[0];

    /// <summary>The route for <paramref name="method"/>: its own, else GET's for HEAD (RFC 9110 §9.3.2), else the any-method one.</summary>
    public RouteEntry<TEndpoint>? Find(string method)
    {
        RouteEntry<TEndpoint>? get = null, any = null;
        foreach (var entry in _entries)
        {
            string m = entry.Info.Method;
            if (string.Equals(m, method, StringComparison.Ordinal)) return entry;
            if (m == "GET") get = entry;
            else if (m == "*") any = entry;
        }
        return method == "HEAD" && get is not null ? get : any;
    }

    public RouteEntry<TEndpoint>? Conflict(string method) =>
        Array.Find(_entries, e => string.Equals(e.Info.Method, method, StringComparison.Ordinal));

    public void Add(RouteEntry<TEndpoint> entry) => _entries = [.. _entries, entry];

    /// <summary>Adds the methods served here to <paramref name="allowed"/>, once each.</summary>
    public void AddMethodsTo(List<string> allowed)
    {
        foreach (var entry in _entries)
            if (!allowed.Contains(entry.Info.Method)) allowed.Add(entry.Info.Method);
    }
}
