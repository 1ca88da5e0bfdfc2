using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Eddy.Web.Cookies;

/// <summary>
/// Signs cookie values so that the client can read but not change them (Tornado's secure
/// cookies): a signed value carries a timestamp and an HMAC-SHA256 over the format version, the
/// timestamp, the cookie's name and the value, so it is refused if it was altered, moved to
/// another cookie, or is older than the age the reader allows. The value is not encrypted:
/// never sign a secret.
/// </summary>
/// <remarks>
/// <para>Format (version 1): <c>1|&lt;unix seconds&gt;|&lt;value as base64url of its UTF-8&gt;|&lt;base64url HMAC&gt;</c>;
/// every character is a cookie-octet, so any string can be signed and sent.</para>
/// <para>Key rotation: pass the keys newest first. The newest signs; every key verifies, so
/// cookies signed before a rotation stay valid until the old key is dropped.</para>
/// </remarks>
public sealed class CookieSigner
{
    /// <summary>Shortest key accepted: the HMAC-SHA256 output size, as RFC 2104 §3 recommends.</summary>
    public const int MinKeyLength = 32;

    // Longer than any cookie a browser keeps (4,096 bytes, RFC 6265 §6.1): refused before any work.
    private const int MaxSignedLength = 8 * 1024;
    private const int MacLength = 32;
    private const int MacChars = 43; // base64url of 32 bytes, unpadded

    private static readonly SearchValues<char> Base64UrlChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private readonly byte[][] _keys;
    private readonly TimeProvider _time;

    /// <summary>Creates a signer with one key.</summary>
    /// <param name="key">At least 32 random bytes (RandomNumberGenerator.GetBytes(32)), kept secret and stable across restarts.</param>
    /// <param name="timeProvider">The clock for timestamps; null for <see cref="TimeProvider.System"/>.</param>
    public CookieSigner(byte[] key, TimeProvider? timeProvider = null) : this([key], timeProvider)
    {
    }

    /// <summary>Creates a signer with several keys, newest first.</summary>
    /// <param name="keys">The keys, newest (the one that signs) first; each at least 32 bytes.</param>
    /// <param name="timeProvider">The clock for timestamps; null for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">No keys, or a key shorter than 32 bytes.</exception>
    public CookieSigner(IEnumerable<byte[]> keys, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var copies = new List<byte[]>();
        foreach (var key in keys)
        {
            if (key is null || key.Length < MinKeyLength)
                throw new ArgumentException($"Signing key {copies.Count} is {key?.Length ?? 0} bytes; HMAC-SHA256 needs at least {MinKeyLength} random bytes. Generate one with RandomNumberGenerator.GetBytes(32) and keep it in your secrets store.", nameof(keys));
            copies.Add((byte[])key.Clone()); // a caller clearing or reusing its array must not change ours
        }
        if (copies.Count == 0) throw new ArgumentException("A CookieSigner needs at least one key; generate one with RandomNumberGenerator.GetBytes(32).", nameof(keys));
        _keys = [.. copies];
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// How far in the future a timestamp may be and still be accepted, for servers whose clocks
    /// differ slightly. Default 5 minutes, Kerberos' default clock skew.
    /// </summary>
    public TimeSpan AllowedClockSkew { get; init => field = value >= TimeSpan.Zero ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, "AllowedClockSkew cannot be negative."); } = TimeSpan.FromMinutes(5);

    /// <summary>Signs <paramref name="value"/> for cookie <paramref name="name"/>, stamped with the current time.</summary>
    /// <param name="name">The cookie's name; the signature is valid for this name only.</param>
    /// <param name="value">Any string (it is base64url-encoded, so it needs no escaping).</param>
    /// <returns>The signed value, to send as the cookie's value.</returns>
    public string Sign(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        long timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        string encoded = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));
        Span<byte> mac = stackalloc byte[MacLength];
        ComputeMac(_keys[0], timestamp.ToString(CultureInfo.InvariantCulture), name, encoded, mac);
        return string.Concat("1|", timestamp.ToString(CultureInfo.InvariantCulture), "|", encoded, "|", Base64Url.EncodeToString(mac));
    }

    /// <summary>
    /// Checks a signed value and gives back the value. Never throws on what the client sent:
    /// anything malformed, tampered with, signed for another name or by an unknown key, older than
    /// <paramref name="maxAge"/> or stamped further in the future than <see cref="AllowedClockSkew"/> is refused.
    /// </summary>
    /// <param name="name">The cookie's name, as passed to <see cref="Sign"/>.</param>
    /// <param name="signedValue">The cookie's value as received.</param>
    /// <param name="maxAge">The oldest signature to accept (Tornado's default is 31 days).</param>
    /// <param name="value">The value, or null when refused.</param>
    /// <returns>Whether the signature is valid and fresh.</returns>
    public bool TryVerify(string name, string? signedValue, TimeSpan maxAge, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAge, TimeSpan.Zero);
        value = null;
        if (signedValue is null || signedValue.Length > MaxSignedLength) return false;
        var rest = signedValue.AsSpan();
        if (!rest.StartsWith("1|")) return false;
        rest = rest[2..];
        int bar = rest.IndexOf('|');
        if (bar is < 1 or > 19) return false;
        var timestampText = rest[..bar];
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out long timestamp)) return false;
        rest = rest[(bar + 1)..];
        bar = rest.IndexOf('|');
        if (bar < 0) return false;
        var encoded = rest[..bar];
        if (encoded.ContainsAnyExcept(Base64UrlChars)) return false;
        var macText = rest[(bar + 1)..];
        Span<byte> mac = stackalloc byte[MacLength + 3];
        if (macText.Length != MacChars || macText.ContainsAnyExcept(Base64UrlChars)
            || Base64Url.DecodeFromChars(macText, mac, out _, out int macLength) != OperationStatus.Done || macLength != MacLength) return false;
        mac = mac[..MacLength];

        Span<byte> expected = stackalloc byte[MacLength];
        bool valid = false;
        foreach (var key in _keys)
        {
            ComputeMac(key, timestampText, name, encoded, expected);
            valid |= CryptographicOperations.FixedTimeEquals(mac, expected);
        }
        if (!valid) return false;

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (timestamp > now + (long)AllowedClockSkew.TotalSeconds) return false;
        if (now - timestamp > maxAge.TotalSeconds) return false;

        byte[] decoded = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(encoded.Length));
        try
        {
            if (Base64Url.DecodeFromChars(encoded, decoded, out _, out int length) != OperationStatus.Done) return false;
            value = Encoding.UTF8.GetString(decoded, 0, length);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    /// <summary>HMAC-SHA256 over "1|timestamp|name length:name|encoded value"; the length prefix keeps a '|' in a name from shifting fields.</summary>
    private static void ComputeMac(byte[] key, ReadOnlySpan<char> timestamp, string name, ReadOnlySpan<char> encodedValue, Span<byte> destination)
    {
        int nameBytes = Encoding.UTF8.GetByteCount(name);
        string prefix = string.Concat("1|", timestamp.ToString(), "|", nameBytes.ToString(CultureInfo.InvariantCulture), ":", name, "|");
        int total = Encoding.UTF8.GetByteCount(prefix) + encodedValue.Length;
        byte[] input = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            int n = Encoding.UTF8.GetBytes(prefix, input);
            n += Encoding.ASCII.GetBytes(encodedValue, input.AsSpan(n)); // base64url, checked before
            HMACSHA256.HashData(key, input.AsSpan(0, n), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }
}
