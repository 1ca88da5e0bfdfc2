using System.Net;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Net.Tls;

/// <summary>
/// TLS servers and connections on Eddy's loops, over <see cref="Streams"/>: a server whose
/// handler receives each connection after its handshake, a client that connects and shakes
/// hands, and the upgrade of an open connection (asyncio's start_tls, for STARTTLS protocols).
/// </summary>
/// <remarks>
/// The TLS is .NET's <see cref="System.Net.Security.SslStream"/> (OpenSSL on Linux), reading and
/// writing through the connection on the loop: no thread pool, and every continuation (validation
/// callbacks included) runs on the loop thread. A failed handshake throws a
/// <see cref="TlsHandshakeException"/> saying why; on a server it is logged at Debug level and
/// ends only that connection.
/// </remarks>
public static class TlsStreams
{
    /// <summary>
    /// Starts a TLS server that runs <paramref name="handler"/> as a coroutine for each
    /// connection once its handshake succeeded (bounded by <see cref="TlsServerOptions.HandshakeTimeout"/>).
    /// A failed handshake is logged at Debug level and closes that connection only. The
    /// connection is closed (close_notify, then FIN) when the handler returns.
    /// </summary>
    /// <param name="handler">The per-connection code.</param>
    /// <param name="host">An IP address or a host name to listen on ("127.0.0.1", "::1", "localhost").</param>
    /// <param name="port">The port; 0 lets the operating system choose (see <see cref="StreamServer.Port"/>).</param>
    /// <param name="tls">The certificate and TLS settings.</param>
    /// <param name="options">Server settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels name resolution.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException"><paramref name="tls"/> has no usable certificate.</exception>
    public static async Task<StreamServer> StartServerAsync(Func<TlsConnection, Task> handler, string host, int port, TlsServerOptions tls, ServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var wrapped = WrapHandler(handler, tls, options);
        await PrepareAsync(tls, cancellationToken);
        return await Streams.StartServerAsync(wrapped, host, port, options, cancellationToken);
    }

    /// <summary>
    /// Builds the default certificate's context on a worker thread before the first client
    /// comes: the first one in a process also loads OpenSSL and the system's certificate
    /// stores, which takes long enough (100 ms and more) to stall the loop.
    /// </summary>
    private static async Task PrepareAsync(TlsServerOptions tls, CancellationToken cancellationToken)
    {
        if (tls.Certificate is { } certificate)
            await EventLoop.Current.ToThreadAsync(() => tls.ContextFor(certificate), cancellationToken);
    }

    /// <summary>
    /// Starts a TLS server on <paramref name="endPoint"/> (an <see cref="IPEndPoint"/> or a
    /// <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/>). Unlike
    /// <see cref="StartServerAsync"/>, it cannot prepare the certificate on a worker thread first:
    /// the first handshake in the process may hold the loop for 100 ms or so while OpenSSL and the
    /// certificate stores load.
    /// </summary>
    /// <param name="handler">The per-connection code.</param>
    /// <param name="endPoint">Where to listen.</param>
    /// <param name="tls">The certificate and TLS settings.</param>
    /// <param name="options">Server settings; defaults when null.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException"><paramref name="tls"/> has no usable certificate.</exception>
    public static StreamServer StartServer(Func<TlsConnection, Task> handler, EndPoint endPoint, TlsServerOptions tls, ServerOptions? options = null) =>
        Streams.StartServer(WrapHandler(handler, tls, options), endPoint, options);

    /// <summary>
    /// Turns a TLS handler into a plain connection handler that shakes hands first, for any
    /// server that takes a <c>Func&lt;Connection, Task&gt;</c> (<see cref="Streams.StartUnixServer"/>, say).
    /// </summary>
    /// <param name="handler">The per-connection code, given the connection after its handshake.</param>
    /// <param name="tls">The certificate and TLS settings.</param>
    /// <param name="options">The server's stream settings (the read limit); defaults when null.</param>
    /// <returns>The handler to give the server.</returns>
    /// <exception cref="ArgumentException"><paramref name="tls"/> has no usable certificate.</exception>
    public static Func<Connection, Task> WrapHandler(Func<TlsConnection, Task> handler, TlsServerOptions tls, StreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(tls);
        tls.Validate();
        int readLimit = options?.ReadLimit ?? StreamOptions.DefaultReadLimit;
        return connection => ServeAsync(connection, handler, tls, readLimit);
    }

    private static async Task ServeAsync(Connection connection, Func<TlsConnection, Task> handler, TlsServerOptions tls, int readLimit)
    {
        TlsConnection secure;
        try
        {
            secure = await TlsHandshake.ServerAsync(connection, tls, readLimit, CancellationToken.None);
        }
        catch (TlsHandshakeException e)
        {
            // Clients fail handshakes all the time (scanners, wrong ports, old clients, users
            // clicking through warnings): not an error of the server. The connection is aborted.
            var level = e.Reason == TlsHandshakeFailure.Other || e.Reason == TlsHandshakeFailure.NoServerCertificate ? LogLevel.Information : LogLevel.Debug;
            connection.Loop.Logger.Log(level, "TLS handshake failed ({Reason}): {Message}", e.Reason, e.Message);
            return;
        }
        await handler(secure);
        await secure.CloseAsync();
    }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> and shakes hands as a TLS
    /// client; the server's certificate must be valid for <paramref name="host"/> (or
    /// <see cref="TlsClientOptions.TargetHost"/>) and chain to a trusted root.
    /// </summary>
    /// <param name="host">An IP address or host name; also the name checked against the server's certificate unless <see cref="TlsClientOptions.TargetHost"/> is set.</param>
    /// <param name="port">The port.</param>
    /// <param name="tls">TLS settings; the secure defaults when null.</param>
    /// <param name="options">Connection settings; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the connection and the handshake.</param>
    /// <returns>The connection, after a successful handshake.</returns>
    /// <exception cref="TlsHandshakeException">The handshake failed; <see cref="TlsHandshakeException.Reason"/> says why.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The connection was refused or failed.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ConnectOptions.ConnectTimeout"/>.</exception>
    public static async Task<TlsConnection> OpenConnectionAsync(string host, int port, TlsClientOptions? tls = null, ConnectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        tls ??= new TlsClientOptions();
        tls.Validate();
        var connection = await Streams.OpenConnectionAsync(host, port, options, cancellationToken);
        string targetHost = tls.TargetHost ?? host.Trim('[', ']');
        return await TlsHandshake.ClientAsync(connection, tls, targetHost, options?.ReadLimit ?? StreamOptions.DefaultReadLimit, cancellationToken);
    }

    /// <summary>
    /// Shakes hands as the TLS server on an open connection (asyncio's start_tls with
    /// server_side=True), for STARTTLS protocols. Bytes the connection's reader has buffered
    /// already (a client that sent its hello right behind the STARTTLS command) are the
    /// handshake's first bytes. Use only the returned connection afterwards; on failure the
    /// connection is aborted.
    /// </summary>
    /// <param name="connection">The open connection; its reader must hold nothing of the plain-text protocol.</param>
    /// <param name="tls">The certificate and TLS settings.</param>
    /// <param name="cancellationToken">Cancels the handshake (and aborts the connection).</param>
    /// <returns>The TLS connection. Its line reads keep the plain connection's read limit.</returns>
    /// <exception cref="TlsHandshakeException">The handshake failed; <see cref="TlsHandshakeException.Reason"/> says why.</exception>
    public static Task<TlsConnection> UpgradeServerAsync(Connection connection, TlsServerOptions tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(tls);
        tls.Validate();
        return TlsHandshake.ServerAsync(connection, tls, connection.Reader.Limit, cancellationToken);
    }

    /// <summary>
    /// Shakes hands as the TLS client on an open connection (asyncio's start_tls), for STARTTLS
    /// protocols. Use only the returned connection afterwards; on failure the connection is aborted.
    /// </summary>
    /// <param name="connection">The open connection.</param>
    /// <param name="tls">TLS settings; set <see cref="TlsClientOptions.TargetHost"/> to the server's name (the peer's IP address is checked otherwise).</param>
    /// <param name="cancellationToken">Cancels the handshake (and aborts the connection).</param>
    /// <returns>The TLS connection. Its line reads keep the plain connection's read limit.</returns>
    /// <exception cref="TlsHandshakeException">The handshake failed; <see cref="TlsHandshakeException.Reason"/> says why.</exception>
    public static Task<TlsConnection> UpgradeClientAsync(Connection connection, TlsClientOptions tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(tls);
        tls.Validate();
        string? targetHost = tls.TargetHost ?? (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString();
        if (string.IsNullOrEmpty(targetHost))
            throw new ArgumentException(
                "TlsClientOptions.TargetHost is not set and the peer has no IP address to check the certificate against. Set TargetHost to the server's name.", nameof(tls));
        return TlsHandshake.ClientAsync(connection, tls, targetHost, connection.Reader.Limit, cancellationToken);
    }
}
