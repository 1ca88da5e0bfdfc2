using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Eddy.Coroutines;

namespace Eddy.Net.Tls;

/// <summary>
/// One handshake, server or client: it runs SslStream's handshake over the connection within the
/// handshake timeout, and records what certificate validation and certificate selection saw, so
/// that a failure can say why (SslStream's own exception rarely does).
/// </summary>
internal sealed class TlsHandshake
{
    private readonly Connection _connection;
    private readonly TlsServerOptions? _server;
    private readonly TlsClientOptions? _client;

    private TlsHandshake(Connection connection, TlsServerOptions? server, TlsClientOptions? client)
    {
        _connection = connection;
        _server = server;
        _client = client;
        // Kept now: once the peer has reset the connection, its address can no longer be asked.
        RemoteAddress = connection.RemoteEndPoint?.ToString() ?? "(unknown address)";
    }

    /// <summary>The peer's address, for messages.</summary>
    public string RemoteAddress { get; }

    /// <summary>This side's TLS versions and ALPN protocols, for messages about mismatches.</summary>
    public string Settings
    {
        get
        {
            var versions = IsServer ? _server!.EnabledSslProtocols : _client!.EnabledSslProtocols;
            var protocols = IsServer ? _server!.ApplicationProtocols : _client!.ApplicationProtocols;
            string alpn = protocols is { Count: > 0 } ? string.Join(", ", protocols.Select(p => $"'{p}'")) : "none";
            return $"TLS versions: {(versions == System.Security.Authentication.SslProtocols.None ? "the system's default" : versions.ToString())}, application protocols: {alpn}";
        }
    }

    /// <summary>Whether this is a client that has no certificate to offer (so a server's certificate alert means it wanted one).</summary>
    public bool IsClientWithoutCertificate => _client is { ClientCertificate: null };

    public bool IsServer => _server is not null;

    public Connection Connection => _connection;

    /// <summary>The host name: what the client asked for (server), or validates against (client).</summary>
    public string? HostName { get; private set; }

    public bool ValidationRan { get; private set; }

    public bool ValidationAccepted { get; private set; }

    public SslPolicyErrors PolicyErrors { get; private set; }

    public X509ChainStatusFlags ChainStatus { get; private set; }

    /// <summary>The chain's problems in the system's words.</summary>
    public string? ChainDetail { get; private set; }

    /// <summary>The peer's certificate, described (the object itself is disposed with the handshake).</summary>
    public string? PeerCertificate { get; private set; }

    public DateTime PeerNotBefore { get; private set; }

    public DateTime PeerNotAfter { get; private set; }

    /// <summary>An exception thrown by user code (a validation callback, a selector, OnAuthenticate).</summary>
    public Exception? CallbackError { get; private set; }

    public string? CallbackName { get; private set; }

    public bool NoCertificateForHost { get; private set; }

    public TimeSpan Timeout { get; private set; }

    public static async Task<TlsConnection> ServerAsync(Connection connection, TlsServerOptions tls, int readLimit, CancellationToken cancellationToken)
    {
        var handshake = new TlsHandshake(connection, tls, null);
        var ssl = new SslStream(new TlsTransportStream(connection), leaveInnerStreamOpen: true);
        await handshake.RunAsync(ssl, tls.HandshakeTimeout, token => ssl.AuthenticateAsServerAsync(SelectOptions, handshake, token), cancellationToken);
        return new TlsConnection(connection, ssl, readLimit);
    }

    public static async Task<TlsConnection> ClientAsync(Connection connection, TlsClientOptions tls, string targetHost, int readLimit, CancellationToken cancellationToken)
    {
        var handshake = new TlsHandshake(connection, null, tls) { HostName = targetHost };
        var ssl = new SslStream(new TlsTransportStream(connection), leaveInnerStreamOpen: true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            ApplicationProtocols = tls.ApplicationProtocols is { Count: > 0 } protocols ? protocols : null,
            EnabledSslProtocols = tls.EnabledSslProtocols,
            AllowRenegotiation = false,
            CertificateChainPolicy = ChainPolicy(tls.TrustedRoots, tls.CertificateRevocationCheckMode),
            RemoteCertificateValidationCallback = handshake.Validate,
        };
        if (tls.ClientCertificate is { } certificate) options.ClientCertificateContext = tls.ClientContext(certificate);
        try
        {
            tls.OnAuthenticate?.Invoke(options);
        }
        catch (Exception e)
        {
            Discard(connection);
            ssl.Dispose();
            throw new TlsHandshakeException(TlsHandshakeFailure.Other,
                $"TlsClientOptions.OnAuthenticate threw before the handshake with {handshake.RemoteAddress} began: {e.Message} Fix the callback.", e);
        }
        await handshake.RunAsync(ssl, tls.HandshakeTimeout, token => ssl.AuthenticateAsClientAsync(options, token), cancellationToken);
        return new TlsConnection(connection, ssl, readLimit);
    }

    /// <summary>
    /// Runs the handshake within <paramref name="timeout"/> on the loop's clock; on any failure
    /// ends the connection (its state is undefined mid-handshake), frees the SslStream and
    /// throws a <see cref="TlsHandshakeException"/>, or, for the caller's own cancellation, the
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task RunAsync(SslStream ssl, TimeSpan timeout, Func<CancellationToken, Task> authenticate, CancellationToken cancellationToken)
    {
        _connection.Loop.AssertOnLoopThread();
        Timeout = timeout;
        using var scope = new CancelScope(timeout == System.Threading.Timeout.InfiniteTimeSpan ? null : timeout, cancellationToken);
        try
        {
            await authenticate(scope.Token);
        }
        catch (Exception e)
        {
            Discard(_connection);
            ssl.Dispose();
            if (e is OperationCanceledException && scope.IsOuterCancelled) throw;
            throw TlsErrors.ForHandshake(e, this, timedOut: scope.DeadlineReached && !scope.IsOuterCancelled);
        }
    }

    /// <summary>
    /// Ends the connection of a failed handshake. When the alert that says why has been handed
    /// to the socket (OpenSSL sends one when it refuses a handshake: no common TLS version or
    /// application protocol), a FIN lets the peer read it, so that its error can say why too; a
    /// reset could overtake it. When bytes are still waiting to be sent, the peer is not
    /// reading: reset.
    /// </summary>
    private static void Discard(Connection connection)
    {
        if (connection.IsClosed) return;
        if (connection.Writer.Buffered == 0)
        {
            var closing = connection.CloseAsync();
            if (closing.IsCompletedSuccessfully) return;
            // Not expected, with nothing to flush; make sure it is closed anyway.
            _ = closing.AsTask();
        }
        connection.Abort();
    }

    /// <summary>The server's options for this client, chosen once its hello (and the host name it asks for) is in.</summary>
    private static ValueTask<SslServerAuthenticationOptions> SelectOptions(SslStream ssl, SslClientHelloInfo hello, object? state, CancellationToken cancellationToken)
    {
        var handshake = (TlsHandshake)state!;
        var tls = handshake._server!;
        string? name = string.IsNullOrEmpty(hello.ServerName) ? null : hello.ServerName;
        handshake.HostName = name;
        var certificate = handshake.CallUser("TlsServerOptions.CertificateSelector", () => tls.CertificateSelector?.Invoke(name)) ?? tls.Certificate;
        if (certificate is null)
        {
            handshake.NoCertificateForHost = true;
            return ValueTask.FromException<SslServerAuthenticationOptions>(new InvalidOperationException($"No certificate for host name '{name}'."));
        }
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = tls.ContextFor(certificate),
            ApplicationProtocols = tls.ApplicationProtocols is { Count: > 0 } protocols ? protocols : null,
            ClientCertificateRequired = tls.ClientCertificateRequired,
            EnabledSslProtocols = tls.EnabledSslProtocols,
            AllowRenegotiation = false,
            CertificateChainPolicy = ChainPolicy(tls.TrustedRoots, tls.CertificateRevocationCheckMode),
            RemoteCertificateValidationCallback = handshake.Validate,
        };
        if (tls.OnAuthenticate is { } configure) handshake.CallUser("TlsServerOptions.OnAuthenticate", () => { configure(handshake._connection, options); return true; });
        return new ValueTask<SslServerAuthenticationOptions>(options);
    }

    /// <summary>
    /// The chain policy of every handshake: the given roots instead of the machine's, and no
    /// downloads of missing intermediates (AIA fetching is synchronous and would stall the loop;
    /// OpenSSL, and so asyncio, never does it either).
    /// </summary>
    private static X509ChainPolicy ChainPolicy(X509Certificate2Collection? roots, X509RevocationMode revocation)
    {
        var policy = new X509ChainPolicy
        {
            RevocationMode = revocation,
            RevocationFlag = X509RevocationFlag.ExcludeRoot,
            DisableCertificateDownloads = true,
        };
        if (roots is { Count: > 0 })
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(roots);
        }
        return policy;
    }

    /// <summary>Wraps every certificate validation: records what the system found, then lets the user's callback (or the default rule) decide.</summary>
    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ValidationRan = true;
        PolicyErrors = errors;
        var peer = certificate as X509Certificate2;
        if (peer is not null)
        {
            PeerCertificate = TlsErrors.Describe(peer);
            PeerNotBefore = peer.NotBefore;
            PeerNotAfter = peer.NotAfter;
        }
        if (chain is not null && chain.ChainStatus.Length > 0)
        {
            var flags = X509ChainStatusFlags.NoError;
            foreach (var status in chain.ChainStatus) flags |= status.Status;
            ChainStatus = flags;
            ChainDetail = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        }
        bool accepted;
        if (IsServer)
        {
            accepted = _server!.ClientCertificateValidation is { } check
                ? CallUser("TlsServerOptions.ClientCertificateValidation", () => check(peer, chain, errors))
                : errors == SslPolicyErrors.None || (!_server.ClientCertificateRequired && errors == SslPolicyErrors.RemoteCertificateNotAvailable);
        }
        else
        {
            accepted = _client!.ServerCertificateValidation is { } check
                ? CallUser("TlsClientOptions.ServerCertificateValidation", () => check(peer, chain, errors))
                : errors == SslPolicyErrors.None;
        }
        ValidationAccepted = accepted;
        return accepted;
    }

    /// <summary>Runs user code, remembering what it threw so that the failure names it.</summary>
    private T CallUser<T>(string name, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            CallbackError = e;
            CallbackName = name;
            throw;
        }
    }
}
