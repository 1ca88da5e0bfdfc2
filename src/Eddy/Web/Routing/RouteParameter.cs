namespace Eddy.Web.Routing;

/// <summary>A parameter of a template: <c>{name}</c>, <c>{id:int:min(1)}</c>, <c>{page?}</c>, <c>{format=json}</c>, <c>{*path}</c>.</summary>
internal sealed class RouteParameter(string name, bool isCatchAll, bool isOptional, string? defaultValue, string constraintText, IRouteConstraint[] constraints)
{
    public string Name { get; } = name;

    /// <summary><c>{*path}</c>: the rest of the path, slashes included, possibly empty.</summary>
    public bool IsCatchAll { get; } = isCatchAll;

    /// <summary><c>{name?}</c> or <c>{name=default}</c>: the segment may be absent.</summary>
    public bool IsOptional { get; } = isOptional;

    public string? Default { get; } = defaultValue;

    /// <summary>The constraints as written (<c>int:min(1)</c>), empty without: parameters with the same text share a trie node.</summary>
    public string ConstraintText { get; } = constraintText;

    public IRouteConstraint[] Constraints { get; } = constraints;

    /// <summary>The first constraint <paramref name="value"/> fails, or null.</summary>
    public IRouteConstraint? FirstFailure(ReadOnlySpan<char> value) => FirstFailure(Constraints, value);

    public static IRouteConstraint? FirstFailure(IRouteConstraint[] constraints, ReadOnlySpan<char> value)
    {
        foreach (var constraint in constraints)
            if (!constraint.IsMatch(value)) return constraint;
        return null;
    }
}
