using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Eddy.Net.Tls;

/// <summary>
/// Loads certificates for <see cref="TlsServerOptions"/> and <see cref="TlsClientOptions"/>: from
/// a PFX or PEM file, or from a certificate store; or makes a throwaway self-signed one for tests.
/// </summary>
/// <remarks>Load at start-up, not in a handler: reading and decrypting files blocks.</remarks>
public static class TlsCertificates
{
    /// <summary>
    /// Loads a certificate with its private key: a PKCS#12 file (.pfx, .p12), a PEM file holding
    /// the certificate and its key, or a PEM certificate with the key in <paramref name="keyPath"/>.
    /// For a file that holds a chain, this is the certificate that has the key (the leaf);
    /// <see cref="LoadIntermediatesFromFile"/> reads the rest.
    /// </summary>
    /// <param name="path">The certificate file.</param>
    /// <param name="keyPath">The PEM private key file, when it is separate; null otherwise.</param>
    /// <param name="password">The PFX password, or the encrypted PEM key's; null when there is none.</param>
    /// <returns>The certificate, with its private key.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="CryptographicException">The file cannot be read as a certificate with a key: the message says why.</exception>
    public static X509Certificate2 LoadFromFile(string path, string? keyPath = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireFile(path, "certificate");
        if (keyPath is not null) RequireFile(keyPath, "private key");
        X509Certificate2 certificate;
        try
        {
            if (keyPath is not null || IsPem(path))
            {
                certificate = password is null
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
                certificate = UsableBySslStream(certificate);
            }
            else
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException(
                $"Cannot load a certificate with its private key from '{path}'{(keyPath is null ? "" : $" and '{keyPath}'")}: {e.Message.TrimEnd('.')}. " +
                "A PFX file needs its password; a PEM certificate needs its key, in the same file or in keyPath (and the password if the key is encrypted).", e);
        }
        if (!certificate.HasPrivateKey)
            throw new CryptographicException(
                $"'{path}' holds a certificate ({certificate.Subject}) but not its private key. Pass the key file as keyPath, or use a PFX file that contains the key.");
        return certificate;
    }

    /// <summary>
    /// Loads the certificates of a file that have no private key: the intermediates of a chain
    /// file (a PEM "fullchain" or a PFX), for <see cref="TlsServerOptions.IntermediateCertificates"/>.
    /// </summary>
    /// <param name="path">The PEM or PFX file.</param>
    /// <param name="password">The PFX password; null when there is none.</param>
    /// <returns>The certificates, possibly none.</returns>
    public static X509Certificate2Collection LoadIntermediatesFromFile(string path, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireFile(path, "certificate");
        X509Certificate2Collection all;
        if (IsPem(path))
        {
            all = new X509Certificate2Collection();
            all.ImportFromPemFile(path);
        }
        else
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password);
        }
        var intermediates = new X509Certificate2Collection();
        // The leaf is the one with the key (PFX); in a PEM chain it comes first, and has no key loaded here.
        bool pem = IsPem(path);
        for (int i = 0; i < all.Count; i++)
        {
            if (all[i].HasPrivateKey || (pem && i == 0)) continue;
            intermediates.Add(all[i]);
        }
        return intermediates;
    }

    /// <summary>
    /// Finds a certificate with its private key in a certificate store, by thumbprint (SHA-1,
    /// hex, spaces ignored) or by subject name. Among several matches it takes the one valid now
    /// that expires last, so a renewed certificate is picked up at the next start.
    /// </summary>
    /// <param name="storeName">The store, usually <see cref="StoreName.My"/>.</param>
    /// <param name="storeLocation">The current user's store or the machine's.</param>
    /// <param name="thumbprintOrSubject">A thumbprint, or a subject name ("example.com" or "CN=example.com").</param>
    /// <returns>The certificate.</returns>
    /// <exception cref="InvalidOperationException">No certificate with a private key matches.</exception>
    public static X509Certificate2 LoadFromStore(StoreName storeName, StoreLocation storeLocation, string thumbprintOrSubject)
    {
        ArgumentException.ThrowIfNullOrEmpty(thumbprintOrSubject);
        using var store = new X509Store(storeName, storeLocation);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        string thumbprint = thumbprintOrSubject.Replace(" ", "").Replace(":", "");
        var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
        if (found.Count == 0)
        {
            string subject = thumbprintOrSubject.StartsWith("CN=", StringComparison.OrdinalIgnoreCase) ? thumbprintOrSubject[3..] : thumbprintOrSubject;
            found = store.Certificates.Find(X509FindType.FindBySubjectName, subject, validOnly: false);
        }
        var now = DateTime.Now;
        var best = found
            .Where(c => c.HasPrivateKey)
            .OrderByDescending(c => c.NotBefore <= now && now <= c.NotAfter)
            .ThenByDescending(c => c.NotAfter)
            .FirstOrDefault();
        return best ?? throw new InvalidOperationException(
            $"No certificate with a private key matches '{thumbprintOrSubject}' in the {storeLocation}/{storeName} store " +
            $"({found.Count} match{(found.Count == 1 ? "" : "es")} without a key). Check the thumbprint or subject, the store and location, and that this account may read the key.");
    }

    /// <summary>
    /// Makes a throwaway self-signed certificate (ECDSA P-256) for <paramref name="hostName"/>, for
    /// tests and development. Clients reject it unless told to trust it (<see cref="TlsClientOptions.TrustedRoots"/>
    /// with this certificate, or a fingerprint check).
    /// </summary>
    /// <param name="hostName">The name it is valid for; "localhost" also covers 127.0.0.1 and ::1.</param>
    /// <param name="lifetime">How long it is valid; one day when null.</param>
    /// <returns>The certificate, with its private key.</returns>
    public static X509Certificate2 CreateSelfSigned(string hostName = "localhost", TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(hostName, out var address)) names.AddIpAddress(address);
        else names.AddDnsName(hostName);
        if (hostName == "localhost")
        {
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        // Back-dated a little, so a peer whose clock is slightly behind accepts it.
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + (lifetime ?? TimeSpan.FromDays(1)));
        return UsableBySslStream(certificate);
    }

    /// <summary>The certificate's SHA-256 fingerprint, as "AB:CD:...", the form browsers and openssl show.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The fingerprint.</returns>
    public static string Sha256Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(p => new string(p)).Aggregate((a, b) => $"{a}:{b}");
    }

    /// <summary>
    /// Windows' TLS cannot use a key that exists only in memory (as PEM loading and
    /// CreateSelfSigned make them): a PFX round trip gives it a stored one. Elsewhere the
    /// certificate is fine as it is.
    /// </summary>
    private static X509Certificate2 UsableBySslStream(X509Certificate2 certificate)
    {
        if (!OperatingSystem.IsWindows()) return certificate;
        using (certificate)
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static bool IsPem(string path)
    {
        // PKCS#12 (like any DER) starts with a SEQUENCE tag; PEM is text, possibly with
        // attribute lines ("Bag Attributes") before its first "-----BEGIN".
        using var file = File.OpenRead(path);
        return file.ReadByte() != 0x30;
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The {what} file '{Path.GetFullPath(path)}' does not exist. Check the path (relative paths start at the working directory, {Environment.CurrentDirectory}).", path);
    }
}
