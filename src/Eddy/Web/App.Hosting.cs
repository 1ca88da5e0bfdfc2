using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Eddy.Http;
using Eddy.Loop;

namespace Eddy.Web;

/// <summary>Serving the app: start-up and clean-up hooks, servers, Run.</summary>
public sealed partial class App
{
    private bool _initialized;
    private bool _cleanedUp;

    /// <summary>Runs the start-up hooks, once (<see cref="StartAsync"/> and <see cref="RunAsync"/> call it).</summary>
    /// <returns>Completes when every hook has.</returns>
    public async Task InitializeAsync()
    {
        if (_initialized) return;
        _initialized = true;
        foreach (var hook in _startup) await hook(this);
        foreach (var child in _children) await child.InitializeAsync();
    }

    /// <summary>Runs the clean-up hooks once, last registered first.</summary>
    /// <returns>Completes when every hook has; the first failure is rethrown after all ran.</returns>
    public async Task CleanupAsync()
    {
        if (_cleanedUp || !_initialized) return;
        _cleanedUp = true;
        List<Exception>? failures = null;
        for (int i = _children.Count - 1; i >= 0; i--)
        {
            try { await _children[i].CleanupAsync(); }
            catch (Exception e) { (failures ??= []).Add(e); }
        }
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            try { await _cleanup[i](this); }
            catch (Exception e) { (failures ??= []).Add(e); }
        }
        if (failures is not null) throw new AggregateException("Clean-up hooks failed.", failures);
    }

    /// <summary>Runs the start-up hooks and starts serving on <paramref name="endPoint"/>, on the current loop (or the options' loop group).</summary>
    /// <param name="endPoint">Where to listen (port 0: the system picks).</param>
    /// <param name="options">Server limits and timeouts.</param>
    /// <returns>The running server; close it, then call <see cref="CleanupAsync"/>.</returns>
    public async Task<HttpServer> StartAsync(EndPoint endPoint, HttpServerOptions? options = null)
    {
        await InitializeAsync();
        return HttpServer.Start(Handler, endPoint, options);
    }

    /// <summary>
    /// Serves on <paramref name="url"/> until <paramref name="cancellationToken"/> is cancelled or the
    /// process gets SIGINT (Ctrl+C) or SIGTERM; then shuts down gracefully and runs the clean-up hooks.
    /// Call it on a loop; <see cref="Run"/> makes one.
    /// </summary>
    /// <param name="url">"http://127.0.0.1:8000", "http://0.0.0.0:80", "http://[::1]:8080" or "unix:/path/to.sock".</param>
    /// <param name="options">Server limits and timeouts (LoopGroup for one loop per core).</param>
    /// <param name="cancellationToken">Stops the server.</param>
    /// <returns>Completes when the server stopped.</returns>
    public async Task RunAsync(string url = "http://127.0.0.1:8000", HttpServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Current ?? throw new InvalidOperationException("RunAsync must run on an Eddy loop; call app.Run(url) instead, which makes one.");
        var server = await StartAsync(ParseUrl(url), options);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            loop.CallSoonThreadSafe(() => stop.TrySetResult());
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        Console.WriteLine($"Eddy app serving on {Describe(server.EndPoint, url)} (Ctrl+C to stop)");
        try
        {
            await stop.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await server.CloseAsync();
        await CleanupAsync();
    }

    /// <summary>Serves on <paramref name="url"/> on a new loop until Ctrl+C or SIGTERM (blocks).</summary>
    /// <param name="url">Where to listen; see <see cref="RunAsync"/>.</param>
    /// <param name="options">Server limits and timeouts.</param>
    public void Run(string url = "http://127.0.0.1:8000", HttpServerOptions? options = null) =>
        EventLoop.Run(() => RunAsync(url, options));

    /// <summary>Parses "http://host:port" or "unix:/path" into an endpoint.</summary>
    internal static EndPoint ParseUrl(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        if (url.StartsWith("unix:", StringComparison.Ordinal)) return new UnixDomainSocketEndPoint(url[5..]);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
            throw new ArgumentException($"'{url}' is not a URL to listen on; write it as http://127.0.0.1:8000 (TLS: put a TLS terminator in front, or use Eddy.Net.Tls).", nameof(url));
        var host = uri.Host.Trim('[', ']');
        IPAddress address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : throw new ArgumentException(
                $"The host '{host}' of '{url}' is not an IP address; listen on 0.0.0.0 (all), 127.0.0.1 (this machine) or an address of this machine.", nameof(url)),
        };
        return new IPEndPoint(address, uri.IsDefaultPort ? 80 : uri.Port);
    }

    private static string Describe(EndPoint endPoint, string url) => endPoint switch
    {
        IPEndPoint ip => $"http://{(ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip.Address}]" : ip.Address.ToString())}:{ip.Port}/",
        _ => url,
    };
}
