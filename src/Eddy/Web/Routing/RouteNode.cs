namespace Eddy.Web.Routing;

/// <summary>
/// A node of the segment trie. Its children are tried in this order, backtracking to the next
/// when a branch finds no route: the literal child for the segment (one dictionary lookup, so the
/// number of literal routes does not matter), routers mounted here, parameter children (complex
/// segments, then constrained, then unconstrained parameters; registration order within each),
/// then catch-alls. A parameter child is shared by all templates with the same constraints there.
/// </summary>
internal sealed class RouteNode<TEndpoint>
{
    private readonly StringComparer _comparer;
    private readonly StringComparison _comparison;
    private readonly RouteParameter? _parameter;
    private readonly object[]? _complexParts;
    private readonly int _rank;

    private Dictionary<string, RouteNode<TEndpoint>>? _literals;
    private Dictionary<string, RouteNode<TEndpoint>>.AlternateLookup<ReadOnlySpan<char>> _literalLookup;
    private List<RouteNode<TEndpoint>>? _parameters;
    private List<RouteNode<TEndpoint>>? _catchAlls;
    private List<MountPoint<TEndpoint>>? _mounts;

    public RouteNode(bool caseSensitive) : this(caseSensitive, null, null, null, 0)
    {
    }

    private RouteNode(bool caseSensitive, string? key, RouteParameter? parameter, object[]? complexParts, int rank)
    {
        _comparer = caseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        _comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        Key = key;
        _parameter = parameter;
        _complexParts = complexParts;
        _rank = rank;
    }

    /// <summary>Identifies the child among its siblings: templates with the same key match the same segments.</summary>
    public string? Key { get; }

    public EndpointSet<TEndpoint>? Endpoints { get; set; }

    private bool CaseSensitive => _comparison == StringComparison.Ordinal;

    public RouteNode<TEndpoint> GetOrAddChild(TemplateSegment segment)
    {
        if (segment.IsLiteral)
        {
            if (_literals is null)
            {
                _literals = new Dictionary<string, RouteNode<TEndpoint>>(_comparer);
                _literalLookup = _literals.GetAlternateLookup<ReadOnlySpan<char>>();
            }
            if (!_literals.TryGetValue(segment.Literal, out var literal))
                _literals.Add(segment.Literal, literal = new RouteNode<TEndpoint>(CaseSensitive));
            return literal;
        }
        if (segment.Parameter is { IsCatchAll: true } catchAll)
            return GetOrAdd(ref _catchAlls, "*" + catchAll.ConstraintText, () => new RouteNode<TEndpoint>(CaseSensitive, "*" + catchAll.ConstraintText, catchAll, null, 0));
        if (segment.Parameter is { } parameter)
        {
            string key = "{" + parameter.ConstraintText + "}";
            return GetOrAdd(ref _parameters, key, () => new RouteNode<TEndpoint>(CaseSensitive, key, parameter, null, parameter.Constraints.Length > 0 ? 1 : 2));
        }
        string complexKey = segment.ComplexKey;
        return GetOrAdd(ref _parameters, complexKey, () => new RouteNode<TEndpoint>(CaseSensitive, complexKey, null, segment.Parts, 0));
    }

    public void AddMount(MountPoint<TEndpoint> mount) => (_mounts ??= []).Add(mount);

    private RouteNode<TEndpoint> GetOrAdd(ref List<RouteNode<TEndpoint>>? children, string key, Func<RouteNode<TEndpoint>> create)
    {
        children ??= [];
        foreach (var child in children)
            if (string.Equals(child.Key, key, _comparison)) return child;
        var node = create();
        // Stable insertion by rank: more specific kinds first, registration order within a kind.
        int at = children.FindLastIndex(c => c._rank <= node._rank) + 1;
        children.Insert(at, node);
        return node;
    }

    /// <summary>Matches the path from segment <paramref name="index"/> on, below this node.</summary>
    public bool Match(ref MatchContext<TEndpoint> context, int index)
    {
        if (index == context.SegmentCount)
        {
            if (Endpoints is not null && context.TryEnd(Endpoints)) return true;
        }
        else
        {
            if (_literals is not null && _literalLookup.TryGetValue(context.SegmentText(index), out var literal) && literal.Match(ref context, index + 1))
                return true;
            if (_mounts is not null)
            {
                for (int i = 0; i < _mounts.Count; i++)
                    if (_mounts[i].Child.MatchMounted(ref context, index)) return true;
            }
            if (_parameters is not null)
            {
                for (int i = 0; i < _parameters.Count; i++)
                {
                    var child = _parameters[i];
                    if (child._complexParts is null ? child.MatchParameter(ref context, index) : child.MatchComplex(ref context, index))
                        return true;
                }
            }
        }
        if (_catchAlls is not null)
        {
            for (int i = 0; i < _catchAlls.Count; i++)
                if (_catchAlls[i].MatchCatchAll(ref context, index)) return true;
        }
        return false;
    }

    private bool MatchParameter(ref MatchContext<TEndpoint> context, int index)
    {
        var segment = context.Segments[index];
        if (segment.Length == 0) return false;
        int mark = context.CaptureCount;
        var failed = _parameter!.FirstFailure(context.Text.Slice(segment.Start, segment.Length));
        context.Push(segment.Start, segment.Length);
        bool found = failed is null ? Match(ref context, index + 1) : DescendFailed(ref context, failed, mark, index + 1);
        context.CaptureCount = mark;
        return found;
    }

    private bool MatchCatchAll(ref MatchContext<TEndpoint> context, int index)
    {
        int start = index < context.SegmentCount ? context.Segments[index].Start : context.Text.Length;
        int mark = context.CaptureCount;
        var failed = _parameter!.FirstFailure(context.Text[start..]);
        context.Push(start, context.Text.Length - start);
        bool found = false;
        if (Endpoints is not null)
        {
            if (failed is null)
            {
                found = context.TryEnd(Endpoints);
            }
            else if (context.PendingFailure is null)
            {
                context.PendingFailure = failed;
                context.PendingCaptureIndex = mark;
                context.TryEnd(Endpoints);
                context.PendingFailure = null;
            }
            else
            {
                context.TryEnd(Endpoints);
            }
        }
        context.CaptureCount = mark;
        return found;
    }

    /// <summary>
    /// A complex segment (<c>{name}.{ext}</c>), split right to left: each literal at its last
    /// occurrence that leaves the parameter after it non-empty.
    /// </summary>
    private bool MatchComplex(ref MatchContext<TEndpoint> context, int index)
    {
        var parts = _complexParts!;
        var segment = context.Segments[index];
        var value = context.Text.Slice(segment.Start, segment.Length);
        int parameterCount = 0;
        foreach (var part in parts)
            if (part is RouteParameter) parameterCount++;
        Span<PathSegment> captures = stackalloc PathSegment[parameterCount];
        int end = value.Length, next = parameterCount;
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i] is string literal)
            {
                if (!value[..end].EndsWith(literal, _comparison)) return false;
                end -= literal.Length;
                continue;
            }
            int start = 0;
            if (i > 0)
            {
                if (end < 1) return false;
                string before = (string)parts[i - 1];
                int at = value[..(end - 1)].LastIndexOf(before, _comparison);
                if (at < 0) return false;
                start = at + before.Length;
            }
            if (end - start < 1) return false;
            captures[--next] = new PathSegment(segment.Start + start, end - start, 0);
            end = start;
        }
        if (end != 0) return false;

        int mark = context.CaptureCount;
        IRouteConstraint? failed = null;
        int failedIndex = 0, p = 0;
        foreach (var part in parts)
        {
            if (part is not RouteParameter parameter) continue;
            var capture = captures[p];
            if (failed is null && parameter.FirstFailure(context.Text.Slice(capture.Start, capture.Length)) is { } f)
            {
                failed = f;
                failedIndex = mark + p;
            }
            context.Push(capture.Start, capture.Length);
            p++;
        }
        bool found = failed is null ? Match(ref context, index + 1) : DescendFailed(ref context, failed, failedIndex, index + 1);
        context.CaptureCount = mark;
        return found;
    }

    /// <summary>
    /// Below a value that failed its constraint: keep going to learn whether a route would have
    /// matched (then the failure is worth a 400), but never match.
    /// </summary>
    private bool DescendFailed(ref MatchContext<TEndpoint> context, IRouteConstraint failed, int captureIndex, int index)
    {
        if (context.PendingFailure is not null) return Match(ref context, index);
        context.PendingFailure = failed;
        context.PendingCaptureIndex = captureIndex;
        Match(ref context, index);
        context.PendingFailure = null;
        return false;
    }
}
