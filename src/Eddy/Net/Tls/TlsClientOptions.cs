using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Eddy.Net.Tls;

/// <summary>
/// Settings of the client side of TLS. The defaults validate the server's certificate as the
/// system does (trusted root, host name, dates): secure unless told otherwise.
/// </summary>
public sealed class TlsClientOptions
{
    /// <summary>10 seconds, as on the server (<see cref="TlsServerOptions.DefaultHandshakeTimeout"/>).</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TlsServerOptions.DefaultHandshakeTimeout;

    /// <summary>
    /// The server's name: sent in SNI (unless it is an IP address) and checked against the
    /// server's certificate. When null: the host given to
    /// <see cref="TlsStreams.OpenConnectionAsync(string, int, TlsClientOptions?, ConnectOptions?, CancellationToken)"/>,
    /// or the peer's IP address for an upgrade.
    /// </summary>
    public string? TargetHost { get; set; }

    /// <summary>The application protocols to offer, in order of preference (ALPN); null or empty to offer none.</summary>
    public List<SslApplicationProtocol>? ApplicationProtocols { get; set; }

    /// <summary>The client's certificate, with its private key, for servers that ask for one (mutual TLS); null for none.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// Decides whether the server's certificate is acceptable: given the certificate, the chain
    /// the system built, and what it found wrong. When null (the default), it is accepted only
    /// if the system found nothing wrong. Do not return true regardless: that accepts any
    /// impostor; trust a private CA with <see cref="TrustedRoots"/> instead. Runs on the loop.
    /// </summary>
    public Func<X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? ServerCertificateValidation { get; set; }

    /// <summary>
    /// The roots the server's certificate must chain to, instead of the machine's trust store
    /// (a private CA, a test CA); null to use the machine's store. The host name and the dates
    /// are still checked.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; set; }

    /// <summary>
    /// The TLS versions to allow; <see cref="SslProtocols.None"/> (the default) lets the operating
    /// system choose, which means TLS 1.2 and 1.3 on current systems.
    /// </summary>
    public SslProtocols EnabledSslProtocols { get; set; } = SslProtocols.None;

    /// <summary>
    /// Whether to check the server's certificate for revocation; <see cref="X509RevocationMode.NoCheck"/>
    /// by default (as SslStream's). Online checks fetch revocation lists synchronously and stall
    /// the loop meanwhile: prefer <see cref="X509RevocationMode.Offline"/> if you need them.
    /// </summary>
    public X509RevocationMode CertificateRevocationCheckMode { get; set; } = X509RevocationMode.NoCheck;

    /// <summary>How long the handshake may take; <see cref="DefaultHandshakeTimeout"/> by default, <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = DefaultHandshakeTimeout;

    /// <summary>Adjusts the options of the handshake before it runs, for settings not exposed here. Runs on the loop.</summary>
    public Action<SslClientAuthenticationOptions>? OnAuthenticate { get; set; }

    private readonly object _contextLock = new();
    private X509Certificate2? _contextCertificate;
    private SslStreamCertificateContext? _context;

    /// <summary>
    /// The client certificate's context, built once per certificate and reused by every
    /// connection (building it costs a chain build). Intermediates are not downloaded: that
    /// would block the loop.
    /// </summary>
    internal SslStreamCertificateContext ClientContext(X509Certificate2 certificate)
    {
        lock (_contextLock)
        {
            if (!ReferenceEquals(_contextCertificate, certificate) || _context is null)
            {
                _context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
                _contextCertificate = certificate;
            }
            return _context;
        }
    }

    internal void Validate()
    {
        if (HandshakeTimeout <= TimeSpan.Zero && HandshakeTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException("tls", HandshakeTimeout,
                "TlsClientOptions.HandshakeTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        if (ClientCertificate is { HasPrivateKey: false })
            throw new ArgumentException(
                $"TlsClientOptions.ClientCertificate ({ClientCertificate.Subject}) has no private key, so the client cannot prove it owns it. " +
                "Load it with its key: a PFX file, or a PEM certificate with its key file.", "tls");
    }
}
