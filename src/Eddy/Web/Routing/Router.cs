using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Eddy.Web.Routing;

/// <summary>
/// Maps a method and a path to an endpoint: templates (<c>/users/{id:int}</c>) in a segment trie,
/// regular expressions (Tornado's URL specs), and routers mounted under a prefix (aiohttp's
/// sub-apps). Generic over the endpoint, it knows nothing of HTTP objects; see
/// <c>src/Eddy/Web/Routing/README.md</c> for the rules in one place.
/// <para>
/// Configure it before serving: <see cref="Match(string, string, RouteValues)"/> may then run on
/// any number of threads at once, but adding routes while matching is not safe.
/// </para>
/// </summary>
/// <typeparam name="TEndpoint">What a route leads to (a handler, a delegate, a test string).</typeparam>
public sealed class Router<TEndpoint>
{
    /// <summary>Paths with up to this many segments, and captures, are matched with stack buffers.</summary>
    private const int StackSegments = 32;

    private readonly RouteNode<TEndpoint> _root;
    private readonly List<RegexRoute<TEndpoint>> _regexRoutes = [];
    private readonly List<MountPoint<TEndpoint>> _mounts = [];
    private readonly Dictionary<string, object> _names = new(StringComparer.Ordinal);

    // Routes without parameters whose template is ASCII, by template: such a template is exactly
    // the raw path that matches it, so one lookup of the whole path finds them (about 5 ns instead
    // of a 45 ns walk). The trie would find the same route first anyway: literals are tried first
    // at every level.
    private readonly Dictionary<string, EndpointSet<TEndpoint>> _exactPaths;

    /// <summary>Creates an empty router.</summary>
    public Router(RouterOptions? options = null)
    {
        Options = options ?? new RouterOptions();
        _root = new RouteNode<TEndpoint>(Options.CaseSensitive);
        _exactPaths = new Dictionary<string, EndpointSet<TEndpoint>>(Options.CaseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The router's settings.</summary>
    public RouterOptions Options { get; }

    /// <summary>
    /// Adds a template route. <paramref name="method"/> is an upper-case method (<c>GET</c>; HEAD
    /// is served by GET unless added) or <c>"*"</c> for any method not given its own route.
    /// </summary>
    /// <param name="method">The method, compared case-sensitively (RFC 9110 §9.1).</param>
    /// <param name="template">The template: see <c>README.md</c> (<c>/users/{id:int}</c>, <c>{page?}</c>, <c>{*path}</c>, <c>{name}.{ext}</c>).</param>
    /// <param name="endpoint">What the route leads to.</param>
    /// <param name="name">A name for <see cref="Url(string, IReadOnlyDictionary{string, object})"/>, unique in this router.</param>
    /// <exception cref="ArgumentException">The template is malformed, the method is not a method, the name is taken, or another route for the same method matches exactly the same paths; the message says which and how to fix it.</exception>
    public void Add(string method, string template, TEndpoint endpoint, string? name = null)
    {
        ValidateMethod(method);
        var parsed = RouteTemplate.Parse(template, Options.Constraints);
        var entry = new RouteEntry<TEndpoint>(new RouteInfo(method, template, name, isRegex: false), endpoint, parsed);
        CheckName(name);

        // Every node the route ends at: one per optional segment it may stop before, and the last.
        var targets = new List<RouteNode<TEndpoint>>();
        var node = _root;
        int firstOptional = parsed.FirstOptionalSegment;
        for (int i = 0; i < parsed.Segments.Length; i++)
        {
            // Left out from the first segment on, the route is the root path: "/" is one empty segment.
            if (i >= firstOptional) targets.Add(i == 0 ? _root.GetOrAddChild(new TemplateSegment([""])) : node);
            node = node.GetOrAddChild(parsed.Segments[i]);
        }
        targets.Add(node);
        foreach (var target in targets)
        {
            if (target.Endpoints?.Conflict(method) is { } existing)
                throw new ArgumentException($"Route '{method} {template}' is ambiguous with '{existing.Info.Method} {existing.Info.Pattern}': both match the same paths for the same method. Make one more specific (a constraint such as {{id:int}}, other literal text) or drop one.", nameof(template));
        }
        foreach (var target in targets)
            (target.Endpoints ??= new EndpointSet<TEndpoint>()).Add(entry);
        if (parsed.Parameters.Length == 0 && Ascii.IsValid(template))
            _exactPaths[template] = node.Endpoints!;
        if (name is not null) _names.Add(name, entry);
    }

    /// <summary>
    /// Adds a regex route (Tornado's URL spec), tried in registration order when no template
    /// route matches. The pattern is anchored on the whole raw path (<c>^(?:pattern)\z</c>; a
    /// leading <c>^</c> or trailing <c>$</c> of your own is harmless); named groups become route
    /// values by name, unnamed groups by position (<c>"0"</c>, <c>"1"</c>, ...), percent-decoded.
    /// Matching it allocates (a <see cref="System.Text.RegularExpressions.Match"/>); prefer templates on hot paths.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression, the method is not a method, or the name is taken.</exception>
    public void AddRegex(string method, string pattern, TEndpoint endpoint, string? name = null)
    {
        ValidateMethod(method);
        ArgumentNullException.ThrowIfNull(pattern);
        CheckName(name);
        var route = new RegexRoute<TEndpoint>(new RouteEntry<TEndpoint>(new RouteInfo(method, pattern, name, isRegex: true), endpoint, null), pattern, Options.CaseSensitive);
        _regexRoutes.Add(route);
        if (name is not null) _names.Add(name, route);
    }

    /// <summary>
    /// Mounts <paramref name="child"/> under <paramref name="prefix"/> (aiohttp's
    /// <c>add_subapp</c>): a path <c>prefix + rest</c> is matched by the child against
    /// <c>rest</c> (<c>/api</c> + <c>/users</c>). The prefix is literal segments; its own literal
    /// routes win over the child at the same place, the child wins over its parameters. Routes
    /// added to the child later are seen. The policy of the router <see cref="Match(string, string)"/>
    /// is called on applies to the whole path. With a <paramref name="name"/>, the child's named
    /// routes are <c>"name:route"</c> for <see cref="Url(string, IReadOnlyDictionary{string, object})"/>;
    /// without, they are reachable by their own names after this router's.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix is not literal segments such as <c>/api/v1</c>, the name is taken or has a ':', or the mount would make a cycle.</exception>
    public void Mount(string prefix, Router<TEndpoint> child, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(child);
        if (!prefix.StartsWith('/') || prefix.Length < 2 || prefix.EndsWith('/') || prefix.Contains("//", StringComparison.Ordinal) || prefix.AsSpan().IndexOfAny("{}%?#") >= 0)
            throw new ArgumentException($"Mount prefix '{prefix}' must be literal segments such as '/api' or '/api/v1': starting with '/', without a trailing '/', parameters, '%', '?' or '#'. To mount at the root, add the routes to this router instead.", nameof(prefix));
        if (child == this || child.Contains(this))
            throw new ArgumentException("Mounting this router would make a cycle (the child contains the parent); mount each router in one place only.", nameof(child));
        if (name is not null)
        {
            if (name.Length == 0 || name.Contains(':'))
                throw new ArgumentException($"Mount name '{name}' must be non-empty and without ':' (':' separates it from the child's route names).", nameof(name));
            if (_mounts.Exists(m => m.Name == name))
                throw new ArgumentException($"Mount name '{name}' is already used in this router; give each mount its own.", nameof(name));
        }
        var node = _root;
        foreach (var segment in prefix[1..].Split('/'))
            node = node.GetOrAddChild(new TemplateSegment([segment]));
        var mount = new MountPoint<TEndpoint>(prefix, child, name);
        node.AddMount(mount);
        _mounts.Add(mount);
    }

    /// <summary>Matches <paramref name="path"/> (raw: percent-encoded, as <c>HttpRequest.Path</c> gives it) with fresh <see cref="RouteValues"/>.</summary>
    public RouteMatch<TEndpoint> Match(string method, string path) => Match(method, path, new RouteValues());

    /// <summary>
    /// Matches <paramref name="path"/>, the raw path (percent-encoded, one char per byte, no
    /// query), filling <paramref name="values"/> (cleared first; reuse one per connection and
    /// the match allocates only the value strings). See <see cref="RouteMatchKind"/> for the
    /// outcomes and their precedence.
    /// </summary>
    public RouteMatch<TEndpoint> Match(string method, string path, RouteValues values)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(values);
        values.Clear();
        if (_exactPaths.Count > 0 && _exactPaths.TryGetValue(path, out var exact) && exact.Find(method) is { } entry)
            return new RouteMatch<TEndpoint>(RouteMatchKind.Found, entry.Endpoint, entry.Info, values);
        var result = MatchPath(method, path, SlashVariant.AsIs, values);
        if (result.Kind != RouteMatchKind.NotFound || Options.TrailingSlash == TrailingSlashPolicy.Strict || path.Length < 2 || path[0] != '/')
            return result;
        var variant = path.EndsWith('/') ? SlashVariant.Removed : SlashVariant.Added;
        var other = MatchPath(method, path, variant, values);
        if (other.Kind == RouteMatchKind.NotFound) return result;
        if (other.Kind == RouteMatchKind.Found && Options.TrailingSlash == TrailingSlashPolicy.Redirect)
        {
            values.Clear();
            return new RouteMatch<TEndpoint>(RouteMatchKind.RedirectToCanonical, route: other.Route,
                redirectPath: variant == SlashVariant.Removed ? path[..^1] : path + "/");
        }
        return other;
    }

    /// <summary>
    /// Builds the path of the route named <paramref name="name"/> (<c>"mount:route"</c> for a
    /// route of a named mount) from <paramref name="values"/>, percent-encoding each (a catch-all
    /// keeps its slashes) and checking its constraints, so that matching the result gives the
    /// same values. Values are formatted with the invariant culture, booleans as true/false.
    /// </summary>
    /// <exception cref="ArgumentException">No such route; a value is missing, unknown, or fails its constraint.</exception>
    /// <exception cref="InvalidOperationException">The route is a regex that cannot be reversed.</exception>
    public string Url(string name, params (string Name, object? Value)[] values)
    {
        var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            if (!map.TryAdd(key, value))
                throw new ArgumentException($"Url('{name}'): the value '{key}' is given twice; give it once.", nameof(values));
        }
        return Url(name, map);
    }

    /// <summary>As <see cref="Url(string, ValueTuple{string, object}[])"/>, with the values in a dictionary (names compare case-insensitively).</summary>
    public string Url(string name, IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        var formatted = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values) formatted[key] = UrlBuilder.Format(value);
        return TryBuildUrl(name, formatted)
            ?? throw new ArgumentException($"No route named '{name}'. Named routes: {(AllNames().Any() ? string.Join(", ", AllNames()) : "none")}. Name a route with the name argument of Add.", nameof(name));
    }

    internal bool MatchMounted(ref MatchContext<TEndpoint> context, int index) =>
        _root.Match(ref context, index) || MatchRegex(ref context, index);

    private bool MatchRegex(ref MatchContext<TEndpoint> context, int index)
    {
        if (_regexRoutes.Count == 0 || context.PendingFailure is not null) return false;
        var (input, start, length) = context.RegexSlice(index);
        if (length <= 0) return false;
        foreach (var route in _regexRoutes)
        {
            var match = route.Regex.Match(input, start, length);
            if (!match.Success) continue;
            if (route.Entry.Info.Method == context.Method || route.Entry.Info.Method == "*" || (context.Method == "HEAD" && route.Entry.Info.Method == "GET"))
            {
                context.FoundRegex = route;
                context.FoundRegexMatch = match;
                return true;
            }
            var allowed = context.Allowed ??= [];
            if (!allowed.Contains(route.Entry.Info.Method)) allowed.Add(route.Entry.Info.Method);
        }
        return false;
    }

    private enum SlashVariant { AsIs, Removed, Added }

    private RouteMatch<TEndpoint> MatchPath(string method, string path, SlashVariant variant, RouteValues values)
    {
        if (path.Length == 0 || path[0] != '/') return default;
        int count = path.AsSpan().Count('/') + (variant == SlashVariant.Added ? 1 : 0);
        bool decode = PercentEncoding.NeedsDecoding(path);
        PathSegment[]? rentedSegments = null, rentedCaptures = null;
        char[]? rentedText = null;
        Span<PathSegment> segments = count <= StackSegments ? stackalloc PathSegment[StackSegments] : (rentedSegments = ArrayPool<PathSegment>.Shared.Rent(count));
        // Each capture takes at least one char of the path, or is a catch-all (at most one).
        Span<PathSegment> captures = path.Length < StackSegments ? stackalloc PathSegment[StackSegments] : (rentedCaptures = ArrayPool<PathSegment>.Shared.Rent(path.Length + 1));
        try
        {
            ReadOnlySpan<char> text;
            int n = 0;
            if (!decode)
            {
                text = path.AsSpan(1);
                for (int rawStart = 1; ;)
                {
                    int slash = path.IndexOf('/', rawStart);
                    int rawEnd = slash < 0 ? path.Length : slash;
                    segments[n++] = new PathSegment(rawStart - 1, rawEnd - rawStart, rawStart);
                    if (slash < 0) break;
                    rawStart = slash + 1;
                }
            }
            else
            {
                rentedText = ArrayPool<char>.Shared.Rent(path.Length);
                int written = 0;
                for (int rawStart = 1; ;)
                {
                    int slash = path.IndexOf('/', rawStart);
                    int rawEnd = slash < 0 ? path.Length : slash;
                    var raw = path.AsSpan(rawStart, rawEnd - rawStart);
                    if (!PercentEncoding.TryDecode(raw, rentedText.AsSpan(written), out int length))
                        return new RouteMatch<TEndpoint>(RouteMatchKind.InvalidRouteValue, error: RouteMatchErrors.Undecodable(raw));
                    segments[n++] = new PathSegment(written, length, rawStart);
                    written += length;
                    if (slash < 0) break;
                    rentedText[written++] = '/';
                    rawStart = slash + 1;
                }
                text = rentedText.AsSpan(0, written);
            }
            if (variant == SlashVariant.Added) segments[n++] = new PathSegment(text.Length, 0, path.Length + 1);
            else if (variant == SlashVariant.Removed)
            {
                n--;
                text = text[..^1];
            }

            var context = new MatchContext<TEndpoint>
            {
                Method = method,
                Text = text,
                Segments = segments[..n],
                Captures = captures,
                Path = path,
                RegexInput = variant == SlashVariant.Added ? null : path,
                RegexEnd = variant switch { SlashVariant.Removed => path.Length - 1, SlashVariant.Added => path.Length + 1, _ => path.Length },
            };
            if (_root.Match(ref context, 0) || MatchRegex(ref context, 0))
                return Found(ref context, values);
            if (context.Allowed is { } allowed)
            {
                if (allowed.Contains("GET") && !allowed.Contains("HEAD")) allowed.Insert(allowed.IndexOf("GET") + 1, "HEAD");
                return new RouteMatch<TEndpoint>(RouteMatchKind.MethodNotAllowed, allowedMethods: allowed);
            }
            if (context.Failure is not null)
                return new RouteMatch<TEndpoint>(RouteMatchKind.InvalidRouteValue, route: context.FailureRoute, error: context.Failure);
            return default;
        }
        finally
        {
            if (rentedSegments is not null) ArrayPool<PathSegment>.Shared.Return(rentedSegments);
            if (rentedCaptures is not null) ArrayPool<PathSegment>.Shared.Return(rentedCaptures);
            if (rentedText is not null) ArrayPool<char>.Shared.Return(rentedText);
        }
    }

    private static RouteMatch<TEndpoint> Found(ref MatchContext<TEndpoint> context, RouteValues values)
    {
        if (context.Found is { } entry)
        {
            var parameters = entry.Template!.Parameters;
            for (int i = 0; i < parameters.Length; i++)
            {
                if (i < context.FoundCaptureCount)
                {
                    var capture = context.Captures[i];
                    values.Add(parameters[i].Name, new string(context.Text.Slice(capture.Start, capture.Length)));
                }
                else if (parameters[i].Default is { } defaultValue)
                {
                    values.Add(parameters[i].Name, defaultValue);
                }
            }
            return new RouteMatch<TEndpoint>(RouteMatchKind.Found, entry.Endpoint, entry.Info, values);
        }
        var route = context.FoundRegex!;
        var match = context.FoundRegexMatch!;
        foreach (int number in route.GroupNumbers)
        {
            var group = match.Groups[number];
            if (!group.Success) continue;
            string? value = PercentEncoding.Decode(group.Value);
            if (value is null)
            {
                values.Clear();
                return new RouteMatch<TEndpoint>(RouteMatchKind.InvalidRouteValue, route: route.Entry.Info, error: RouteMatchErrors.Undecodable(group.Value));
            }
            values.Add(route.GroupKeys[number], value);
        }
        return new RouteMatch<TEndpoint>(RouteMatchKind.Found, route.Entry.Endpoint, route.Entry.Info, values);
    }

    private string? TryBuildUrl(string name, Dictionary<string, string?> values)
    {
        int colon = name.IndexOf(':');
        if (colon > 0 && _mounts.Find(m => m.Name == name[..colon]) is { } named)
            return named.Child.TryBuildUrl(name[(colon + 1)..], values) is { } path ? Join(named.Prefix, path) : null;
        if (_names.TryGetValue(name, out var route))
        {
            return route is RouteEntry<TEndpoint> entry
                ? UrlBuilder.Build(name, entry.Template!, values)
                : ((RegexRoute<TEndpoint>)route).BuildUrl(name, values);
        }
        foreach (var mount in _mounts)
        {
            if (mount.Name is null && mount.Child.TryBuildUrl(name, values) is { } path)
                return Join(mount.Prefix, path);
        }
        return null;
    }

    private static string Join(string prefix, string path) => prefix + path;

    private IEnumerable<string> AllNames()
    {
        foreach (var name in _names.Keys) yield return name;
        foreach (var mount in _mounts)
            foreach (var name in mount.Child.AllNames())
                yield return mount.Name is null ? name : mount.Name + ":" + name;
    }

    private bool Contains(Router<TEndpoint> router) =>
        _mounts.Exists(m => m.Child == router || m.Child.Contains(router));

    private void CheckName(string? name)
    {
        if (name is null) return;
        if (name.Length == 0 || name.Contains(':'))
            throw new ArgumentException($"Route name '{name}' must be non-empty and without ':' (':' separates a mount's name from its routes' names).", nameof(name));
        if (_names.ContainsKey(name))
            throw new ArgumentException($"Route name '{name}' is already used in this router; give each route its own name.", nameof(name));
    }

    private static void ValidateMethod(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method == "*") return;
        foreach (char c in method)
        {
            if (char.IsAsciiLetterLower(c))
                throw new ArgumentException($"Method '{method}' has lower-case letters; methods are case-sensitive (RFC 9110 §9.1) and the standard ones are upper-case: write '{method.ToUpperInvariant()}'.", nameof(method));
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
                throw new ArgumentException($"Method '{method}' is not an HTTP token (RFC 9110 §9.1); use a method such as 'GET', or \"*\" for any method.", nameof(method));
        }
        if (method.Length == 0)
            throw new ArgumentException("The method is empty; use a method such as 'GET', or \"*\" for any method.", nameof(method));
    }
}
