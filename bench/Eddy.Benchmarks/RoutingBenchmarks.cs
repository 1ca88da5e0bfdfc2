using BenchmarkDotNet.Attributes;
using Eddy.Web.Routing;

namespace Eddy.Benchmarks;

/// <summary>
/// <see cref="Router{TEndpoint}.Match(string, string, RouteValues)"/> with 10 and with 1,000
/// routes, so that matching cost independent of the number of routes shows as equal rows: a
/// literal route, a route with an <c>{id:int}</c> parameter (allocates the value string, nothing
/// else), and a miss (which, under the default Redirect policy, also tries the path with a
/// trailing slash). One operation is one match, with a reused <see cref="RouteValues"/>, as the
/// App does per connection. No loop: the router is plain code, run on the benchmark thread.
/// Floor (baseline): one <c>Dictionary&lt;string, int&gt;</c> lookup of the whole path, what a
/// literal-only router costs at least.
/// </summary>
[MicroJob, MemoryDiagnoser]
public class RoutingBenchmarks
{
    private Router<int> _router = null!;
    private Dictionary<string, int> _floor = null!;
    private readonly RouteValues _values = new();

    /// <summary>How many routes the router holds; the matched ones exist in both sizes.</summary>
    [Params(10, 1000)]
    public int Routes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _router = new Router<int>();
        _floor = new Dictionary<string, int>(StringComparer.Ordinal);
        // A realistic mix: per resource a literal list, an int-constrained item, a nested
        // collection with a slug, and a catch-all, a quarter each.
        for (int i = 0; i < Routes; i++)
        {
            switch (i % 4)
            {
                case 0:
                    _router.Add("GET", $"/section{i}/items", i);
                    _floor.Add($"/section{i}/items", i);
                    break;
                case 1: _router.Add("GET", $"/section{i}/items/{{id:int}}", i); break;
                case 2: _router.Add("POST", $"/api/v{i}/{{name}}/detail", i); break;
                default: _router.Add("GET", $"/files{i}/{{*path}}", i); break;
            }
        }
        if (!_router.Match("GET", "/section4/items").IsFound || !_router.Match("GET", "/section5/items/123").IsFound || _router.Match("GET", "/nothing/here").IsFound)
            throw new InvalidOperationException("The routing benchmark's paths do not match as intended.");
    }

    [Benchmark(Baseline = true, Description = "Floor: Dictionary<string, int> lookup of the path")]
    public int Floor_Dictionary() => _floor.TryGetValue("/section4/items", out int v) ? v : -1;

    [Benchmark(Description = "Eddy: literal route /section4/items")]
    public RouteMatchKind Eddy_Literal() => _router.Match("GET", "/section4/items", _values).Kind;

    [Benchmark(Description = "Eddy: parameter route /section5/items/{id:int}")]
    public RouteMatchKind Eddy_Parameter() => _router.Match("GET", "/section5/items/123", _values).Kind;

    [Benchmark(Description = "Eddy: miss (404, both slash forms tried)")]
    public RouteMatchKind Eddy_Miss() => _router.Match("GET", "/nothing/here", _values).Kind;
}
