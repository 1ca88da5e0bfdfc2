using System.Net;
using System.Net.Sockets;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Net;

/// <summary>
/// Stream servers and connections on Eddy's loops (asyncio's start_server and open_connection,
/// gevent's StreamServer): TCP over IPv4 and IPv6, and Unix domain sockets.
/// </summary>
public static class Streams
{
    /// <summary>
    /// Starts a server that runs <paramref name="handler"/> as a coroutine for each connection,
    /// given its reader and writer (asyncio.start_server). The connection is closed when the
    /// handler returns; an exception from it is logged and resets only that connection.
    /// </summary>
    /// <param name="handler">The per-connection code.</param>
    /// <param name="host">An IP address or a host name to listen on ("127.0.0.1", "::1", "localhost").</param>
    /// <param name="port">The port; 0 lets the operating system choose (see <see cref="StreamServer.Port"/>).</param>
    /// <param name="options">Server settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels name resolution.</param>
    /// <returns>The running server.</returns>
    public static Task<StreamServer> StartServerAsync(Func<ConnectionReader, ConnectionWriter, Task> handler, string host, int port, ServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return StartServerAsync(connection => handler(connection.Reader, connection.Writer), host, port, options, cancellationToken);
    }

    /// <summary>Starts a server that runs <paramref name="handler"/> for each <see cref="Connection"/>.</summary>
    /// <param name="handler">The per-connection code.</param>
    /// <param name="host">An IP address or host name to listen on.</param>
    /// <param name="port">The port; 0 lets the operating system choose.</param>
    /// <param name="options">Server settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels name resolution.</param>
    /// <returns>The running server.</returns>
    public static async Task<StreamServer> StartServerAsync(Func<Connection, Task> handler, string host, int port, ServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        return StartServer(handler, new IPEndPoint(addresses[0], port), options);
    }

    /// <summary>Starts a server on a Unix domain socket at <paramref name="path"/>.</summary>
    /// <param name="handler">The per-connection code.</param>
    /// <param name="path">The socket's path; an existing socket file there is replaced.</param>
    /// <param name="options">Server settings; defaults when null.</param>
    /// <returns>The running server.</returns>
    public static StreamServer StartUnixServer(Func<Connection, Task> handler, string path, ServerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path) && (File.GetAttributes(path) & FileAttributes.Directory) == 0) File.Delete(path);
        return StartServer(handler, new UnixDomainSocketEndPoint(path), options);
    }

    /// <summary>Starts a server on <paramref name="endPoint"/> (an <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>).</summary>
    /// <param name="handler">The per-connection code.</param>
    /// <param name="endPoint">Where to listen.</param>
    /// <param name="options">Server settings; defaults when null.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, no permission).</exception>
    public static StreamServer StartServer(Func<Connection, Task> handler, EndPoint endPoint, ServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(endPoint);
        options ??= new ServerOptions();
        options.Validate();
        var budget = new ConnectionBudget(options.MaxConnections);
        var group = options.LoopGroup;
        if (group is null)
        {
            var loop = EventLoop.Current;
            int fd = NetSocket.Listen(endPoint, options.Backlog, reusePort: false);
            var listener = new Listener(loop, fd, endPoint, handler, options, budget, handOff: null);
            listener.StartFromAnyThread();
            return new StreamServer([listener], options.ShutdownGrace);
        }
        bool reusePort = options.ReusePort && endPoint.AddressFamily != AddressFamily.Unix;
        return reusePort ? StartOnEveryLoop(handler, endPoint, options, budget, group) : StartWithHandOff(handler, endPoint, options, budget, group);
    }

    /// <summary>
    /// Starts a server whose connections are driven by protocol objects (asyncio's create_server
    /// with a Protocol): <paramref name="protocolFactory"/> makes one per connection. No coroutine
    /// step and no allocation per read; the fastest way to serve.
    /// </summary>
    /// <param name="protocolFactory">Makes the protocol for a new connection.</param>
    /// <param name="endPoint">Where to listen.</param>
    /// <param name="options">Server settings; defaults when null.</param>
    /// <returns>The running server.</returns>
    public static StreamServer StartProtocolServer(Func<IStreamProtocol> protocolFactory, EndPoint endPoint, ServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        return StartServer(ProtocolHandler(protocolFactory), endPoint, options);
    }

    /// <summary>
    /// A protocol server on the current loop that listens nowhere: its connections are sockets
    /// handed to <see cref="StreamServer.Adopt"/> (the in-memory transport of the HTTP test server).
    /// </summary>
    internal static StreamServer StartAdoptingProtocolServer(Func<IStreamProtocol> protocolFactory, ServerOptions options)
    {
        options.Validate();
        if (options.LoopGroup is not null)
            throw new ArgumentException("An in-memory server runs on the current loop only; leave LoopGroup unset.", nameof(options));
        var listener = new Listener(EventLoop.Current, -1, InMemoryEndPoint.Instance, ProtocolHandler(protocolFactory), options, new ConnectionBudget(options.MaxConnections), handOff: null);
        return new StreamServer([listener], options.ShutdownGrace);
    }

    private static Func<Connection, Task> ProtocolHandler(Func<IStreamProtocol> protocolFactory) =>
        new ProtocolConnections(protocolFactory).ServeAsync;

    /// <summary>Connects and drives the connection with <paramref name="protocol"/> (asyncio's create_connection).</summary>
    /// <param name="protocol">The protocol for the connection.</param>
    /// <param name="endPoint">Where to connect.</param>
    /// <param name="options">Connection settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The transport, once connected; the protocol's ConnectionMade has run.</returns>
    public static async Task<StreamTransport> OpenProtocolConnectionAsync(IStreamProtocol protocol, EndPoint endPoint, ConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var connection = await OpenConnectionAsync(endPoint, options, cancellationToken);
        var transport = new StreamTransport(connection, protocol);
        _ = transport.RunAsync();
        return transport;
    }

    /// <summary>A listening socket per loop on one port: the kernel spreads the connections.</summary>
    private static StreamServer StartOnEveryLoop(Func<Connection, Task> handler, EndPoint endPoint, ServerOptions options, ConnectionBudget budget, LoopGroup group)
    {
        var listeners = new Listener[group.Count];
        for (int i = 0; i < group.Count; i++)
        {
            int fd = NetSocket.Listen(endPoint, options.Backlog, reusePort: true);
            var loop = group.Loops[i];
            // The first socket fixes the port (when 0 was asked for); the others share it.
            listeners[i] = new Listener(loop, fd, endPoint, handler, options, budget, handOff: null);
            endPoint = listeners[i].EndPoint;
        }
        StartAll(listeners);
        return new StreamServer(listeners, options.ShutdownGrace);
    }

    /// <summary>One listening socket on the first loop, which hands connections to the loops in turn.</summary>
    private static StreamServer StartWithHandOff(Func<Connection, Task> handler, EndPoint endPoint, ServerOptions options, ConnectionBudget budget, LoopGroup group)
    {
        int fd = NetSocket.Listen(endPoint, options.Backlog, reusePort: false);
        var listener = new Listener(group.Loops[0], fd, endPoint, handler, options, budget, group.Next);
        StartAll([listener]);
        return new StreamServer([listener], options.ShutdownGrace);
    }

    private static void StartAll(Listener[] listeners)
    {
        // Registration and spawning belong on each listener's own loop thread; waiting for them
        // is not needed (the sockets already listen) and could deadlock a caller on one of those loops.
        foreach (var listener in listeners) listener.StartFromAnyThread();
    }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> (asyncio.open_connection), trying
    /// each address the name resolves to in turn (IPv6 and IPv4), each within the connect timeout.
    /// </summary>
    /// <param name="host">An IP address or host name.</param>
    /// <param name="port">The port.</param>
    /// <param name="options">Connection settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="SocketException">No address accepted the connection (the last address's error).</exception>
    /// <exception cref="TimeoutException">An address did not answer within <see cref="ConnectOptions.ConnectTimeout"/>, and no other did.</exception>
    public static async Task<Connection> OpenConnectionAsync(string host, int port, ConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        Exception? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await OpenConnectionAsync(new IPEndPoint(address, port), options, cancellationToken);
            }
            catch (Exception e) when (e is SocketException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
        }
        throw last!;
    }

    /// <summary>Connects to <paramref name="endPoint"/> (an IP address and port, or a Unix socket path).</summary>
    /// <param name="endPoint">Where to connect.</param>
    /// <param name="options">Connection settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="SocketException">The connection was refused or failed.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ConnectOptions.ConnectTimeout"/>.</exception>
    public static async Task<Connection> OpenConnectionAsync(EndPoint endPoint, ConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        options ??= new ConnectOptions();
        options.Validate();
        var loop = EventLoop.Current;
        int fd = NetSocket.Create(endPoint.AddressFamily, Interop.LinuxSockets.SOCK_STREAM);
        SocketChannel channel;
        try
        {
            channel = new SocketChannel(loop, fd, connecting: true);
        }
        catch
        {
            Interop.LinuxSyscalls.Close(fd);
            throw;
        }
        try
        {
            if (!NetSocket.StartConnect(fd, endPoint))
            {
                await CancelScope.FailAfterAsync(options.ConnectTimeout, token => channel.WaitWritableAsync(token).AsTask(), cancellationToken);
                int error = NetSocket.PendingError(fd);
                if (error != 0) throw SocketErrors.ForCall(error, $"connect to {endPoint}");
            }
            return new Connection(channel, endPoint.AddressFamily, options);
        }
        catch (TimeoutException e)
        {
            channel.Close();
            throw new TimeoutException($"Connecting to {endPoint} did not finish within {options.ConnectTimeout} (ConnectOptions.ConnectTimeout). Check the address, or raise the timeout.", e);
        }
        catch
        {
            channel.Close();
            throw;
        }
    }

    /// <summary>Connects to the Unix domain socket at <paramref name="path"/>.</summary>
    /// <param name="path">The socket's path.</param>
    /// <param name="options">Connection settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The connection.</returns>
    public static Task<Connection> OpenUnixConnectionAsync(string path, ConnectOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenConnectionAsync(new UnixDomainSocketEndPoint(path), options, cancellationToken);

    /// <summary>
    /// Resolves a host name without blocking the loop: an IP literal at once, a name on the
    /// thread pool (getaddrinfo blocks), which the loop counts as outside work.
    /// </summary>
    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return [literal];
        var addresses = await EventLoop.Current.ToThreadAsync(() => Dns.GetHostAddresses(host), cancellationToken);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        // IPv6 first, then IPv4, as the resolver ordered them within each family.
        return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? 0 : 1).ToArray();
    }
}
