using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Eddy.Net.Tls;

/// <summary>
/// Turns what SslStream throws into errors that say why and what to do: handshake failures into
/// <see cref="TlsHandshakeException"/> with a <see cref="TlsHandshakeFailure"/>, and failures of
/// an established stream into <see cref="ConnectionResetException"/>, like a plain connection's.
/// </summary>
/// <remarks>
/// A local rejection is classified from what the validation wrapper recorded (SslPolicyErrors
/// and the chain's status). A rejection by the peer arrives as a TLS alert, which SslStream
/// reports only as text (OpenSSL's reason string on Linux, the alert's name elsewhere): it is
/// recognised by the alert's words, with spaces and case ignored.
/// </remarks>
internal static class TlsErrors
{
    public static TlsHandshakeException ForHandshake(Exception error, TlsHandshake handshake, bool timedOut)
    {
        string peer = handshake.IsServer ? "client" : "server";
        string options = handshake.IsServer ? "TlsServerOptions" : "TlsClientOptions";
        string name = handshake.HostName is { Length: > 0 } host ? $" ('{host}')" : "";
        string with = $"The TLS handshake with the {peer} at {handshake.RemoteAddress}{name}";
        if (timedOut)
            return new TlsHandshakeException(TlsHandshakeFailure.Timeout,
                $"{with} did not finish within {handshake.Timeout.TotalSeconds:0.###} s ({options}.HandshakeTimeout). The {peer} may not speak TLS on this port, " +
                $"or it stalled. Check the address and port, or raise {options}.HandshakeTimeout if the network is that slow.", error);
        if (handshake.CallbackError is { } thrown)
            return new TlsHandshakeException(TlsHandshakeFailure.Other,
                $"{with} failed because {handshake.CallbackName} threw {thrown.GetType().Name}: {thrown.Message} Fix the callback; the inner exception is what it threw.", thrown);
        if (handshake.NoCertificateForHost)
            return new TlsHandshakeException(TlsHandshakeFailure.NoServerCertificate,
                $"{with} failed: the server has no certificate for the host name {(handshake.HostName is null ? "(none: the client sent no SNI)" : $"'{handshake.HostName}'")}. " +
                "TlsServerOptions.CertificateSelector returned null and TlsServerOptions.Certificate is not set: return a certificate for that name, or set a default Certificate.", error);
        if (handshake.ValidationRan && !handshake.ValidationAccepted)
            return Rejected(error, handshake, with, peer);
        string text = Flatten(error);
        return FromAlert(error, text, handshake.IsServer, handshake.IsClientWithoutCertificate, with, peer, options, handshake.Settings)
            ?? (IsClosed(error, text)
                ? new TlsHandshakeException(TlsHandshakeFailure.ConnectionClosed,
                    $"{with} failed: the {peer} closed the connection during the handshake ({Detail(error)}). It may not speak TLS on this port, " +
                    $"or it refused this side's TLS versions or certificate without saying why (its logs will). Check the port and both sides' TLS settings.", error)
                : new TlsHandshakeException(TlsHandshakeFailure.Other,
                    $"{with} failed: {Detail(error)}. The inner exception has the details.", error));
    }

    /// <summary>This side's validation rejected the peer's certificate: say what was wrong with it, from what the wrapper recorded.</summary>
    private static TlsHandshakeException Rejected(Exception error, TlsHandshake handshake, string with, string peer)
    {
        var errors = handshake.PolicyErrors;
        var flags = handshake.ChainStatus;
        string certificate = handshake.PeerCertificate ?? "(none)";
        bool server = handshake.IsServer;
        string callback = server ? "TlsServerOptions.ClientCertificateValidation" : "TlsClientOptions.ServerCertificateValidation";

        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return server
                ? Make(TlsHandshakeFailure.ClientCertificateRequired,
                    $"{with} failed: this server requires a client certificate (TlsServerOptions.ClientCertificateRequired) and the client sent none. " +
                    "Give the client a certificate (TlsClientOptions.ClientCertificate) issued by a CA the server trusts (TlsServerOptions.TrustedRoots), or make client certificates optional.")
                : Make(TlsHandshakeFailure.Other, $"{with} failed: the server sent no certificate. Check the server's TLS configuration.");
        }
        if (errors == SslPolicyErrors.None)
        {
            return Make(server ? TlsHandshakeFailure.ClientCertificateRejected : TlsHandshakeFailure.CertificateRejected,
                $"{with} failed: {callback} rejected the {peer}'s certificate ({certificate}), although the system's validation found nothing wrong with it. " +
                "Check the callback's conditions.");
        }

        string nameToo = (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 && !server
            ? $" It is not valid for the name '{handshake.HostName}' either."
            : "";
        string detail = handshake.ChainDetail is { Length: > 0 } d ? $" ({d})" : "";
        string trustFix = server
            ? "Issue client certificates from a CA in TlsServerOptions.TrustedRoots (or the machine's trust store), or accept this one in TlsServerOptions.ClientCertificateValidation."
            : "Give the server a certificate from a CA this machine trusts, and have it send its intermediate certificates (TlsServerOptions.IntermediateCertificates); " +
              "for a private or test CA, trust that CA for these connections with TlsClientOptions.TrustedRoots. Do not turn validation off.";
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.Cyclic)) != 0)
                return Make(server ? TlsHandshakeFailure.ClientCertificateRejected : TlsHandshakeFailure.UntrustedCertificate,
                    $"{with} failed: the {peer}'s certificate ({certificate}) does not chain to a trusted root{detail}.{nameToo} {trustFix}");
            if ((flags & (X509ChainStatusFlags.Revoked | X509ChainStatusFlags.OfflineRevocation | X509ChainStatusFlags.RevocationStatusUnknown)) != 0)
                return Make(server ? TlsHandshakeFailure.ClientCertificateRejected : TlsHandshakeFailure.RevokedCertificate,
                    $"{with} failed: the {peer}'s certificate ({certificate}) is revoked, or its revocation status could not be checked{detail}.{nameToo} " +
                    "Get a new certificate; if the revocation lists cannot be reached, check the network or the revocation mode (CertificateRevocationCheckMode).");
            if ((flags & (X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested)) != 0)
                return Make(server ? TlsHandshakeFailure.ClientCertificateRejected : TlsHandshakeFailure.ExpiredCertificate,
                    $"{with} failed: the {peer}'s certificate ({certificate}) is valid from {handshake.PeerNotBefore.ToUniversalTime():u} to " +
                    $"{handshake.PeerNotAfter.ToUniversalTime():u}, and it is now {DateTime.UtcNow:u} (or a CA certificate in its chain expired){detail}.{nameToo} " +
                    "Renew the certificate, or check both machines' clocks.");
            if ((flags & X509ChainStatusFlags.NotValidForUsage) != 0)
                return Make(server ? TlsHandshakeFailure.ClientCertificateRejected : TlsHandshakeFailure.CertificateRejected,
                    $"{with} failed: the {peer}'s certificate ({certificate}) is not valid for {(server ? "client" : "server")} authentication{detail}.{nameToo} " +
                    $"Issue it with the {(server ? "clientAuth (1.3.6.1.5.5.7.3.2)" : "serverAuth (1.3.6.1.5.5.7.3.1)")} extended key usage.");
            return Make(server ? TlsHandshakeFailure.ClientCertificateRejected : TlsHandshakeFailure.UntrustedCertificate,
                $"{with} failed: the {peer}'s certificate ({certificate}) failed validation ({flags}){detail}.{nameToo} {trustFix}");
        }
        // Only the name is wrong (and only a client checks names).
        return Make(server ? TlsHandshakeFailure.ClientCertificateRejected : TlsHandshakeFailure.NameMismatch,
            $"{with} failed: the server's certificate ({certificate}) is not valid for the name '{handshake.HostName}'. Connect with a name the certificate lists, " +
            "set TlsClientOptions.TargetHost to one, or get a certificate whose subject alternative names include the name clients use.");

        TlsHandshakeException Make(TlsHandshakeFailure reason, string message) => new(reason, message, error)
        {
            PolicyErrors = errors,
            ChainStatus = flags,
        };
    }

    /// <summary>Recognises a TLS alert or a negotiation failure in SslStream's words; null when there is none.</summary>
    private static TlsHandshakeException? FromAlert(Exception error, string text, bool isServer, bool clientWithoutCertificate, string with, string peer, string options, string? settings = null)
    {
        bool received = text.Contains("alert");
        string detail = Detail(error);
        TlsHandshakeException Make(TlsHandshakeFailure reason, string message) => new(reason, message, error) { RejectedByPeer = received };

        if (text.Contains("certificaterequired"))
            return isServer
                ? Make(TlsHandshakeFailure.ClientCertificateRequired, $"{with} failed: a client certificate is required and none was sent ({detail}).")
                : Make(TlsHandshakeFailure.ClientCertificateRequired,
                    $"{with} failed: the server requires a client certificate and this client sent none ({detail}). " +
                    "Set TlsClientOptions.ClientCertificate to a certificate issued by a CA the server trusts.");
        (TlsHandshakeFailure Reason, string Problem)? certificate =
            text.Contains("unknownca") ? (TlsHandshakeFailure.UntrustedCertificate, "does not trust") :
            text.Contains("certificateexpired") ? (TlsHandshakeFailure.ExpiredCertificate, "says it is expired or not yet valid:") :
            text.Contains("certificaterevoked") ? (TlsHandshakeFailure.RevokedCertificate, "says it is revoked:") :
            text.Contains("badcertificate") || text.Contains("certificateunknown") || text.Contains("unsupportedcertificate") || text.Contains("accessdenied")
                ? (TlsHandshakeFailure.CertificateRejected, "rejected") : null;
        if (certificate is { } c && received)
        {
            // A server that complains about the certificate of a client that sent none wants one
            // (.NET servers say 'certificate unknown' then, not 'certificate required').
            if (!isServer && clientWithoutCertificate)
                return Make(TlsHandshakeFailure.ClientCertificateRequired,
                    $"{with} failed: the server rejected this client, which sent no certificate ({detail}); it requires one. " +
                    "Set TlsClientOptions.ClientCertificate to a certificate issued by a CA the server trusts.");
            if (!isServer)
                return Make(TlsHandshakeFailure.ClientCertificateRejected,
                    $"{with} failed: the server {c.Problem} this client's certificate ({detail}). " +
                    "Use a client certificate issued by a CA the server trusts, valid now, with the clientAuth extended key usage.");
            return Make(c.Reason,
                $"{with} failed: the client {c.Problem} this server's certificate ({detail}). Give the server a certificate from a CA its clients trust, " +
                "valid now, listing the names clients connect to, and send its intermediates (TlsServerOptions.IntermediateCertificates)." +
                (c.Reason == TlsHandshakeFailure.CertificateRejected ? " ('bad certificate' often means the name the client asked for is not in the certificate.)" : ""));
        }
        if (text.Contains("wrongversionnumber") || text.Contains("httprequest") || text.Contains("httpsproxyrequest") || text.Contains("packetlengthtoolong") ||
            text.Contains("recordlayerfailure") || text.Contains("cannotdeterminetheframesize") || text.Contains("corruptedframe"))
            return Make(TlsHandshakeFailure.ProtocolMismatch,
                $"{with} failed: the {peer} does not seem to speak TLS ({detail}). Check the port: it may be a plain-text service (HTTP, say), or expect STARTTLS first.");
        if (text.Contains("noapplicationprotocol"))
            return Make(TlsHandshakeFailure.ProtocolMismatch,
                $"{with} failed: the two sides have no application protocol (ALPN) in common ({detail}){Settings(settings)}. " +
                $"List a protocol the {peer} speaks in {options}.ApplicationProtocols (or leave it empty to skip ALPN).");
        if (text.Contains("protocolversion") || text.Contains("unsupportedprotocol") || text.Contains("noprotocolsavailable") || text.Contains("versiontoolow") ||
            text.Contains("nosharedcipher") || text.Contains("handshakefailure") ||
            text.Contains("nosuitablesignaturealgorithm") || text.Contains("insufficientsecurity") || text.Contains("nocipher"))
            return Make(TlsHandshakeFailure.ProtocolMismatch,
                $"{with} failed: the two sides share no TLS version or cipher suite ({detail}){Settings(settings)}. " +
                $"Enable a TLS version both support ({options}.EnabledSslProtocols; None lets the system choose, TLS 1.2 and 1.3 today).");
        return null;
    }

    /// <summary>
    /// An error of an established TLS stream, in a plain connection's terms: every way it dies is
    /// a <see cref="ConnectionResetException"/>; misuse and cancellation pass through.
    /// </summary>
    public static Exception ForTransfer(Exception error, TlsConnection connection, bool reading)
    {
        switch (error)
        {
            case ConnectionResetException:
            case OperationCanceledException:
            case InvalidOperationException and not ObjectDisposedException:
            case NotSupportedException:
            case ArgumentException:
                return error;
            case ObjectDisposedException:
                return new ConnectionResetException("The TLS connection was closed locally.", error);
        }
        if (Find<ConnectionResetException>(error) is { } reset) return new ConnectionResetException(reset.Message, error);
        string peer = connection.IsServer ? "client" : "server";
        string text = Flatten(error);
        string with = $"The TLS connection with the {peer} at {connection.RemoteEndPoint?.ToString() ?? "(unknown address)"}";
        if (text.Contains("alert") &&
            FromAlert(error, text, connection.IsServer, !connection.IsServer && connection.LocalCertificate is null, with, peer,
                connection.IsServer ? "TlsServerOptions" : "TlsClientOptions") is { } late)
        {
            // TLS 1.3 lets a client finish its handshake before the server has checked the
            // client's certificate: the verdict arrives as an alert on the first read.
            return new ConnectionResetException(
                $"{late.Message} (The {peer}'s verdict came as an alert after this side's handshake had succeeded, as TLS 1.3 allows.)", late);
        }
        if (IsClosed(error, text))
            return new ConnectionResetException(
                $"{with} ended in the middle of a TLS record: the stream was truncated ({Detail(error)}).", error);
        return new ConnectionResetException(
            $"{with} broke while {(reading ? "reading" : "writing")}: {Detail(error)}.", error);
    }

    private static string Settings(string? settings) => settings is null ? "" : $"; this side allows {settings}";

    private static bool IsClosed(Exception error, string text) =>
        Find<ConnectionResetException>(error) is not null || Find<EndOfStreamException>(error) is not null ||
        text.Contains("unexpectedeof") || text.Contains("0bytesfromthetransportstream");

    private static T? Find<T>(Exception? error) where T : Exception
    {
        for (; error is not null; error = error.InnerException)
            if (error is T found) return found;
        return null;
    }

    /// <summary>Every message in the chain, lower case, without spaces, underscores or hyphens, for matching alert names however they are spelled.</summary>
    private static string Flatten(Exception error)
    {
        var text = new StringBuilder();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            foreach (char c in e.Message)
                if (c is not (' ' or '_' or '-' or '\'')) text.Append(char.ToLowerInvariant(c));
            text.Append('|');
        }
        return text.ToString();
    }

    /// <summary>The most specific message: the innermost exception's (OpenSSL's reason, say), with the outer one when it adds something.</summary>
    private static string Detail(Exception error)
    {
        var inner = error;
        while (inner.InnerException is not null) inner = inner.InnerException;
        string message = inner.Message.TrimEnd('.');
        if (inner != error && error is AuthenticationException or IOException && !error.Message.Contains("see inner exception", StringComparison.OrdinalIgnoreCase))
            message = $"{error.Message.TrimEnd('.')}: {message}";
        return message;
    }

    /// <summary>A certificate in a line: subject, issuer, the names it is valid for.</summary>
    public static string Describe(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames().Select(n => $"DNS:{n}"));
                names.AddRange(san.EnumerateIPAddresses().Select(a => $"IP:{a}"));
            }
        }
        string listed = names.Count > 0 ? $", names {string.Join(", ", names)}" : ", no subject alternative names";
        return $"subject '{certificate.Subject}', issuer '{certificate.Issuer}'{listed}";
    }
}
