using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Eddy.Net.Tls;

/// <summary>Why a TLS handshake failed: see <see cref="TlsHandshakeException.Reason"/>.</summary>
public enum TlsHandshakeFailure
{
    /// <summary>None of the causes below, or one Eddy could not recognise; the message and the inner exception say more.</summary>
    Other,

    /// <summary>The peer's certificate does not chain to a root this side trusts (or the peer said so of ours).</summary>
    UntrustedCertificate,

    /// <summary>The server's certificate is not valid for the name the client asked for (TargetHost).</summary>
    NameMismatch,

    /// <summary>A certificate is expired, or not valid yet.</summary>
    ExpiredCertificate,

    /// <summary>A certificate was revoked by its issuer (only checked when revocation checking is on).</summary>
    RevokedCertificate,

    /// <summary>
    /// A validation callback rejected the peer's certificate though the system found nothing wrong
    /// with it, or the peer rejected this side's certificate without saying why.
    /// </summary>
    CertificateRejected,

    /// <summary>The two sides share no TLS version, cipher suite or application protocol (ALPN), or the peer does not speak TLS.</summary>
    ProtocolMismatch,

    /// <summary>The server requires a client certificate and the client sent none.</summary>
    ClientCertificateRequired,

    /// <summary>The server rejected the client's certificate.</summary>
    ClientCertificateRejected,

    /// <summary>The server has no certificate for the host name the client asked for (SNI).</summary>
    NoServerCertificate,

    /// <summary>The handshake did not finish within the handshake timeout.</summary>
    Timeout,

    /// <summary>The connection closed or broke during the handshake.</summary>
    ConnectionClosed,
}

/// <summary>
/// A TLS handshake failed. <see cref="Reason"/> says why, and the message names the cause and the
/// fix; the inner exception is what <see cref="SslStream"/> reported. The connection is closed.
/// </summary>
/// <remarks>
/// The side that refuses the peer's certificate knows exactly why. The refused side learns it
/// only if the peer sends an alert: OpenSSL-based peers (and browsers, Go, Java) do, inside the
/// handshake. .NET validates only after OpenSSL finished the handshake and then closes without an
/// alert, so a side refused by a .NET peer sees its handshake succeed and the connection end
/// right after (or <see cref="TlsHandshakeFailure.ConnectionClosed"/>).
/// </remarks>
public class TlsHandshakeException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the handshake failed.</param>
    /// <param name="message">The cause and the fix.</param>
    /// <param name="innerException">What the TLS implementation reported, if anything.</param>
    public TlsHandshakeException(TlsHandshakeFailure reason, string message, Exception? innerException = null)
        : base(message, innerException) => Reason = reason;

    /// <summary>Why the handshake failed.</summary>
    public TlsHandshakeFailure Reason { get; }

    /// <summary>
    /// True when the peer refused the handshake (it sent a TLS alert), false when this side
    /// refused the peer or the failure was local (timeout, closed connection).
    /// </summary>
    public bool RejectedByPeer { get; init; }

    /// <summary>What this side's certificate validation found wrong with the peer's certificate; None when it did not run or found nothing.</summary>
    public SslPolicyErrors PolicyErrors { get; init; }

    /// <summary>The problems found in the peer's certificate chain, when <see cref="PolicyErrors"/> includes chain errors.</summary>
    public X509ChainStatusFlags ChainStatus { get; init; }
}
