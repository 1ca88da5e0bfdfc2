using System.Text.RegularExpressions;

namespace Eddy.Web.Routing;

/// <summary>
/// The state of one match, on the stack: the decoded segments, the captures made so far (ranges
/// in the decoded text, turned into strings only for the route found), and what was learnt on
/// the way (methods of routes whose shape matched, the first constraint failure).
/// </summary>
internal ref struct MatchContext<TEndpoint>
{
    public required string Method;

    /// <summary>The decoded segments joined by '/', without the leading '/'.</summary>
    public required ReadOnlySpan<char> Text;

    public required ReadOnlySpan<PathSegment> Segments;

    public required Span<PathSegment> Captures;

    public int CaptureCount;

    /// <summary>The raw path regex routes see (the path with its slash added, for that alternative: made on first use).</summary>
    public required string? RegexInput;

    public required string Path;

    /// <summary>Where the raw input of regex routes ends (the path length, less one when its trailing slash is dropped).</summary>
    public required int RegexEnd;

    public RouteEntry<TEndpoint>? Found;
    public int FoundCaptureCount;
    public RegexRoute<TEndpoint>? FoundRegex;
    public Match? FoundRegexMatch;

    /// <summary>Methods of the routes whose shape and constraints matched but not the method.</summary>
    public List<string>? Allowed;

    /// <summary>Set while descending below a value that failed its constraint: an endpoint reached then is reported, never matched.</summary>
    public IRouteConstraint? PendingFailure;
    public int PendingCaptureIndex;

    public string? Failure;
    public RouteInfo? FailureRoute;

    public readonly int SegmentCount => Segments.Length;

    public readonly ReadOnlySpan<char> SegmentText(int index)
    {
        var segment = Segments[index];
        return Text.Slice(segment.Start, segment.Length);
    }

    public void Push(int start, int length) => Captures[CaptureCount++] = new PathSegment(start, length, 0);

    /// <summary>At the end of the path, at a node where routes end: the route for the method, or what to remember.</summary>
    public bool TryEnd(EndpointSet<TEndpoint> endpoints)
    {
        if (PendingFailure is not null)
        {
            if (Failure is null)
            {
                var route = endpoints.First;
                var capture = Captures[PendingCaptureIndex];
                Failure = RouteMatchErrors.ConstraintFailed(route.Template!.Parameters[PendingCaptureIndex].Name,
                    Text.Slice(capture.Start, capture.Length), PendingFailure, route.Info);
                FailureRoute = route.Info;
            }
            return false;
        }
        var entry = endpoints.Find(Method);
        if (entry is not null)
        {
            Found = entry;
            FoundCaptureCount = CaptureCount;
            return true;
        }
        endpoints.AddMethodsTo(Allowed ??= []);
        return false;
    }

    /// <summary>The regex routes' input from segment <paramref name="index"/> on: (input, start, length).</summary>
    public (string Input, int Start, int Length) RegexSlice(int index)
    {
        var input = RegexInput ??= Path + "/";
        int start = index < Segments.Length ? Segments[index].RawStart - 1 : RegexEnd;
        return (input, start, RegexEnd - start);
    }
}
