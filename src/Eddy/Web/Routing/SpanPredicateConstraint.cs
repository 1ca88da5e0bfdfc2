namespace Eddy.Web.Routing;

/// <summary>A test on a value span (delegates cannot use <c>Func&lt;ReadOnlySpan&lt;char&gt;, bool&gt;</c>).</summary>
internal delegate bool SpanPredicate(ReadOnlySpan<char> value);

/// <summary>A constraint made of a predicate and its expectation: how the built-in constraints are written.</summary>
internal sealed class SpanPredicateConstraint(SpanPredicate predicate, string expectation) : IRouteConstraint
{
    public bool IsMatch(ReadOnlySpan<char> value) => predicate(value);

    public string Expectation { get; } = expectation;
}
