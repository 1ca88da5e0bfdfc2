namespace Eddy.Web.Routing;

/// <summary>
/// One segment of a template: a literal (<c>users</c>), a parameter (<c>{id:int}</c>), a catch-all,
/// or a complex segment of literals and parameters (<c>{name}.{ext}</c>); <see cref="Parts"/>
/// alternate literals (strings) and parameters.
/// </summary>
internal sealed class TemplateSegment(object[] parts)
{
    /// <summary>Each a <see cref="string"/> (literal, decoded form) or a <see cref="RouteParameter"/>; never two parameters in a row.</summary>
    public object[] Parts { get; } = parts;

    public bool IsLiteral => Parts is [string];

    public string Literal => (string)Parts[0];

    /// <summary>The parameter if the segment is exactly one parameter (catch-all included), else null.</summary>
    public RouteParameter? Parameter => Parts is [RouteParameter p] ? p : null;

    public bool IsComplex => Parts.Length > 1;

    /// <summary>The shape of a complex segment (<c>{}.{int}</c>): two with the same key match the same values.</summary>
    public string ComplexKey => string.Concat(Parts.Select(p => p is RouteParameter rp ? "{" + rp.ConstraintText + "}" : ((string)p).Replace("{", "{{")));
}
