using Eddy.Http.Testing;

namespace Eddy.Web.Testing;

/// <summary>
/// Runs an <see cref="App"/> on the in-memory test server (<see cref="HttpTestServer"/>: socket
/// pairs, no port, a virtual clock by default) with its start-up and clean-up hooks, as aiohttp's
/// test client and Tornado's <c>AsyncHTTPTestCase</c> do.
/// </summary>
/// <example>
/// <code>
/// await AppTestServer.RunAsync(app, async server =>
/// {
///     var response = await server.GetAsync("/hello/ada");
///     Assert.Equal("Hello, ada", response.Text);
/// });
/// </code>
/// </example>
public static class AppTestServer
{
    /// <summary>
    /// Serves <paramref name="app"/>, runs its <see cref="App.OnStartup"/> hooks, then
    /// <paramref name="test"/>, then its <see cref="App.OnCleanup"/> hooks, whether the test
    /// passed or threw.
    /// </summary>
    /// <param name="app">The app under test.</param>
    /// <param name="test">The test: send requests through the server it is given.</param>
    /// <param name="options">Test server options (clock, time limit, server options); the defaults when null.</param>
    /// <returns>Completes when the test, the hooks and the server are done.</returns>
    public static Task RunAsync(App app, Func<HttpTestServer, Task> test, HttpTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(test);
        return HttpTestServer.RunAsync(app.Handler, async server =>
        {
            await app.InitializeAsync();
            try
            {
                await test(server);
            }
            finally
            {
                await app.CleanupAsync();
            }
        }, options);
    }
}
