using Eddy.Web.Routing;

namespace Eddy.Tests.Web.Routing;

/// <summary>1,000 generated routes all match correctly; a match allocates only its value strings.</summary>
public class RouterScaleTests
{
    private static Router<int> Build(int count)
    {
        var r = new Router<int>();
        for (int i = 0; i < count; i++)
        {
            switch (i % 4)
            {
                case 0: r.Add("GET", $"/section{i}/items", i, name: $"r{i}"); break;
                case 1: r.Add("GET", $"/section{i}/items/{{id:int}}", i, name: $"r{i}"); break;
                case 2: r.Add("POST", $"/api/v{i}/{{name}}/detail", i, name: $"r{i}"); break;
                default: r.Add("GET", $"/files{i}/{{*path}}", i, name: $"r{i}"); break;
            }
        }
        return r;
    }

    [Fact]
    public void A_thousand_generated_routes_each_match_their_own_paths()
    {
        var r = Build(1000);
        for (int i = 0; i < 1000; i++)
        {
            var (method, path, key, value) = (i % 4) switch
            {
                0 => ("GET", $"/section{i}/items", null, null),
                1 => ("GET", $"/section{i}/items/{i * 7}", "id", (i * 7).ToString()),
                2 => ("POST", $"/api/v{i}/n{i}/detail", "name", $"n{i}"),
                _ => ("GET", $"/files{i}/a/b{i}", "path", $"a/b{i}"),
            };
            var m = r.Match(method, path);
            Assert.True(m.IsFound, $"{method} {path}: {m}");
            Assert.Equal(i, m.Endpoint);
            if (key is not null) Assert.Equal(value, m.Values![key]);
            var url = r.Url($"r{i}", key is null ? [] : [(key, value)]);
            Assert.Equal(path, url);
        }
        Assert.Equal(RouteMatchKind.NotFound, r.Match("GET", "/section1000/items").Kind);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, r.Match("GET", "/api/v2/x/detail").Kind);
    }

    // Allocation per match is measured by bench/Eddy.Benchmarks/RoutingBenchmarks.cs (memory
    // diagnoser: 0 B literal and miss, 32 B with one route value), not asserted here: what tier-0
    // code allocates depends on the JIT's timing.
}
