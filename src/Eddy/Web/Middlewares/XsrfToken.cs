using System.Buffers.Text;
using System.Security.Cryptography;

namespace Eddy.Web.Middlewares;

/// <summary>
/// The secret of an XSRF cookie, and its masked forms. Like Tornado's version 2 tokens, each form
/// sent is the secret XORed with a fresh random mask, prefixed by the mask: the bytes differ in
/// every page, so compression side channels (BREACH) cannot recover the secret from a compressed
/// response, yet every form unmasks to the same secret.
/// </summary>
internal sealed class XsrfToken
{
    /// <summary>128 random bits would do (Tornado uses 16 bytes); 32 matches ASP.NET Core's antiforgery token.</summary>
    public const int SecretLength = 32;

    /// <summary>Base64url of mask and masked secret, without padding.</summary>
    public const int MaskedLength = (SecretLength * 2 * 4 + 2) / 3;

    private XsrfToken(byte[] secret, string fieldName)
    {
        Secret = secret;
        FieldName = fieldName;
    }

    public byte[] Secret { get; }

    /// <summary>The form field the token goes in (for <see cref="Xsrf.FormHtml"/>).</summary>
    public string FieldName { get; }

    public static XsrfToken New(string fieldName) => new(RandomNumberGenerator.GetBytes(SecretLength), fieldName);

    /// <summary>Reads a masked form (a cookie, a field, a header).</summary>
    /// <returns>The token; null when <paramref name="masked"/> is not one.</returns>
    public static XsrfToken? TryRead(string? masked, string fieldName)
    {
        var secret = new byte[SecretLength];
        return TryUnmask(masked, secret) ? new XsrfToken(secret, fieldName) : null;
    }

    /// <summary>Unmasks <paramref name="masked"/> into <paramref name="secret"/>.</summary>
    public static bool TryUnmask(ReadOnlySpan<char> masked, Span<byte> secret)
    {
        if (masked.Length != MaskedLength) return false;
        Span<byte> bytes = stackalloc byte[SecretLength * 2];
        if (Base64Url.DecodeFromChars(masked, bytes, out int consumed, out int written) != System.Buffers.OperationStatus.Done || written != bytes.Length)
            return false;
        for (int i = 0; i < SecretLength; i++) secret[i] = (byte)(bytes[i] ^ bytes[SecretLength + i]);
        return true;
    }

    /// <summary>A freshly masked form of the secret.</summary>
    public string Mask()
    {
        Span<byte> bytes = stackalloc byte[SecretLength * 2];
        RandomNumberGenerator.Fill(bytes[..SecretLength]);
        for (int i = 0; i < SecretLength; i++) bytes[SecretLength + i] = (byte)(bytes[i] ^ Secret[i]);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Whether <paramref name="masked"/> unmasks to this secret, compared in constant time.</summary>
    public bool Matches(ReadOnlySpan<char> masked)
    {
        Span<byte> other = stackalloc byte[SecretLength];
        return TryUnmask(masked, other) && CryptographicOperations.FixedTimeEquals(other, Secret);
    }
}
