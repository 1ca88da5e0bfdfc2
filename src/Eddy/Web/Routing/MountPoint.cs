namespace Eddy.Web.Routing;

/// <summary>A router mounted under a literal prefix (aiohttp's <c>add_subapp</c>).</summary>
internal sealed class MountPoint<TEndpoint>(string prefix, Router<TEndpoint> child, string? name)
{
    public string Prefix { get; } = prefix;

    public Router<TEndpoint> Child { get; } = child;

    /// <summary>Qualifies the child's route names: <c>"Name:route"</c>. Null: its names are reachable unqualified.</summary>
    public string? Name { get; } = name;
}
