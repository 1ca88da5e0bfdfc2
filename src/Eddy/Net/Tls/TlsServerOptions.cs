using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Eddy.Net.Tls;

/// <summary>
/// Settings of the server side of TLS: the certificate (one, or one per host name), ALPN, client
/// certificates, versions and the handshake timeout. Every default is usable in production.
/// Load certificates with <see cref="TlsCertificates"/>.
/// </summary>
/// <remarks>Do not change an instance while a server uses it: handshakes read it as they happen.</remarks>
public sealed class TlsServerOptions
{
    /// <summary>
    /// 10 seconds: Kestrel's default (HttpsConnectionAdapterOptions.HandshakeTimeout), long enough
    /// for a slow mobile client, short enough that idle or half-open connections do not pile up.
    /// </summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<X509Certificate2, SslStreamCertificateContext> _contexts = new();

    /// <summary>
    /// The server's certificate, with its private key; used when <see cref="CertificateSelector"/>
    /// is null or returns null. Load one with <see cref="TlsCertificates.LoadFromFile"/> or
    /// <see cref="TlsCertificates.LoadFromStore"/>.
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Intermediate CA certificates sent with the server's certificate, so clients can build the
    /// chain to their trusted root. <see cref="TlsCertificates.LoadFromFile"/> fills it from a
    /// PEM or PFX file that holds the chain. The chain is not downloaded: doing so would block the loop.
    /// </summary>
    public X509Certificate2Collection? IntermediateCertificates { get; set; }

    /// <summary>
    /// Picks the certificate by the host name the client asked for (SNI: null when it sent
    /// none, as clients connecting to an IP address do); returning null falls back to
    /// <see cref="Certificate"/>. Runs on the loop, during every handshake: look the name up in
    /// certificates loaded beforehand, and return the same instances each time (each new
    /// instance costs a chain build on the loop).
    /// </summary>
    public Func<string?, X509Certificate2?>? CertificateSelector { get; set; }

    /// <summary>
    /// The application protocols this server speaks, in order of preference (ALPN: "h2",
    /// "http/1.1"...); null or empty to skip ALPN. When the client offers protocols and none of
    /// them is listed, the handshake fails with <see cref="TlsHandshakeFailure.ProtocolMismatch"/>.
    /// </summary>
    public List<SslApplicationProtocol>? ApplicationProtocols { get; set; }

    /// <summary>Whether clients must present a certificate (mutual TLS); false by default.</summary>
    public bool ClientCertificateRequired { get; set; }

    /// <summary>
    /// Decides whether a client's certificate is acceptable: given the certificate (null when
    /// the client sent none), the chain the system built, and what it found wrong. When null, a
    /// certificate is accepted if the system found nothing wrong (it chains to a root in
    /// <see cref="TrustedRoots"/>, or the machine's store, and is valid for client
    /// authentication), and no certificate is accepted unless <see cref="ClientCertificateRequired"/>.
    /// Runs on the loop.
    /// </summary>
    public Func<X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? ClientCertificateValidation { get; set; }

    /// <summary>
    /// The roots client certificates must chain to, instead of the machine's trust store (a
    /// private CA for mutual TLS); null to use the machine's store.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; set; }

    /// <summary>
    /// The TLS versions to allow; <see cref="SslProtocols.None"/> (the default) lets the operating
    /// system choose, which means TLS 1.2 and 1.3 on current systems, and keeps up as they change.
    /// </summary>
    public SslProtocols EnabledSslProtocols { get; set; } = SslProtocols.None;

    /// <summary>
    /// Whether to check client certificates for revocation; <see cref="X509RevocationMode.NoCheck"/>
    /// by default. Online checks fetch revocation lists synchronously and stall the loop meanwhile:
    /// prefer <see cref="X509RevocationMode.Offline"/> (cached lists) if you need them.
    /// </summary>
    public X509RevocationMode CertificateRevocationCheckMode { get; set; } = X509RevocationMode.NoCheck;

    /// <summary>
    /// How long a handshake may take, from the connection's start; <see cref="DefaultHandshakeTimeout"/>
    /// (10 s, as Kestrel's HttpsConnectionAdapterOptions.HandshakeTimeout) by default,
    /// <see cref="Timeout.InfiniteTimeSpan"/> for no limit. A client that connects and says
    /// nothing is disconnected when it passes.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = DefaultHandshakeTimeout;

    /// <summary>
    /// Adjusts the options of each handshake before it runs (Kestrel's OnAuthenticate), for
    /// settings not exposed here (cipher suites, say). Runs on the loop, once the client's hello
    /// has been read, with the chosen certificate set.
    /// </summary>
    public Action<Connection, SslServerAuthenticationOptions>? OnAuthenticate { get; set; }

    internal void Validate()
    {
        if (Certificate is null && CertificateSelector is null)
            throw new ArgumentException(
                "TlsServerOptions has no certificate. Set Certificate (TlsCertificates.LoadFromFile(\"server.pfx\"), or " +
                "TlsCertificates.CreateSelfSigned(\"localhost\") for a test) or a CertificateSelector.", "tls");
        if (Certificate is { HasPrivateKey: false })
            throw new ArgumentException(
                $"TlsServerOptions.Certificate ({Certificate.Subject}) has no private key, so the server cannot prove it owns it. " +
                "Load it with its key: a PFX file, or a PEM certificate with its key file (TlsCertificates.LoadFromFile(certPath, keyPath)).", "tls");
        if (HandshakeTimeout <= TimeSpan.Zero && HandshakeTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException("tls", HandshakeTimeout,
                "TlsServerOptions.HandshakeTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
    }

    /// <summary>
    /// The certificate's context (the certificate with its chain, built once and reused by every
    /// handshake: building it per handshake would cost a chain build each time). Held weakly per
    /// certificate instance, so a selector that loads certificates as it goes does not leak;
    /// safe from every loop of a group.
    /// </summary>
    internal SslStreamCertificateContext ContextFor(X509Certificate2 certificate) =>
        // offline: true: never fetch missing intermediates over the network from the loop.
        _contexts.GetValue(certificate, c => SslStreamCertificateContext.Create(c, IntermediateCertificates, offline: true));
}
