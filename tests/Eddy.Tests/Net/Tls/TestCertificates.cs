using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Eddy.Tests.Net.Tls;

/// <summary>
/// A throwaway PKI made at run time: a CA, server certificates it signed (for localhost, for SNI
/// names, an expired one), and a client certificate. Nothing touches the machine's trust store:
/// tests trust the CA per connection (TrustedRoots, or a CustomRootTrust chain policy).
/// </summary>
internal static class TestCertificates
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static readonly X509Certificate2 Ca = CreateCa();

    /// <summary>For "localhost" and 127.0.0.1.</summary>
    public static readonly X509Certificate2 Server = Issue("CN=localhost", ServerAuth, ["localhost"], [IPAddress.Loopback]);

    public static readonly X509Certificate2 AlphaTest = Issue("CN=a.test", ServerAuth, ["a.test"], []);

    public static readonly X509Certificate2 BetaTest = Issue("CN=b.test", ServerAuth, ["b.test"], []);

    /// <summary>For localhost, but its validity ended yesterday.</summary>
    public static readonly X509Certificate2 Expired = Issue("CN=localhost", ServerAuth, ["localhost"], [IPAddress.Loopback],
        DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

    public static readonly X509Certificate2 Client = Issue("CN=test client", ClientAuth, [], []);

    public static X509Certificate2Collection TrustCa => new(Ca);

    private static X509Certificate2 CreateCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Eddy Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
    }

    private static X509Certificate2 Issue(string subject, Oid usage, string[] dnsNames, IPAddress[] addresses,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (dnsNames.Length + addresses.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames) names.AddDnsName(name);
            foreach (var address in addresses) names.AddIpAddress(address);
            request.CertificateExtensions.Add(names.Build());
        }
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var issued = request.Create(Ca, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(7), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
