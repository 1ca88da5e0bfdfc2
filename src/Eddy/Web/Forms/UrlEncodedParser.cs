namespace Eddy.Web.Forms;

/// <summary>
/// Turns urlencoded bytes into pairs, checking the limits on the encoded bytes. Fed whole
/// (<see cref="UrlEncoded.Parse(ReadOnlySpan{byte}, FormLimits?)"/>) or in pieces by
/// <see cref="FormReader.ReadUrlEncodedAsync"/>, which keeps only the unfinished last pair.
/// </summary>
internal struct UrlEncodedParser(FormLimits limits, string source)
{
    private ParametersBuilder _pairs;

    /// <summary>
    /// Adds every pair in <paramref name="data"/> that ends with '&amp;' (all of them when
    /// <paramref name="final"/>), and returns how many bytes were used; the rest is an unfinished
    /// pair, checked against the limits so that it cannot grow without bound.
    /// </summary>
    public int AddSegments(ReadOnlySpan<byte> data, bool final)
    {
        int consumed = 0;
        while (true)
        {
            var rest = data[consumed..];
            int amp = rest.IndexOf((byte)'&');
            if (amp < 0)
            {
                if (final)
                {
                    AddPair(rest);
                    return data.Length;
                }
                CheckLengths(rest);
                return consumed;
            }
            AddPair(rest[..amp]);
            consumed += amp + 1;
        }
    }

    public readonly Parameters Build() => _pairs.Build();

    private void AddPair(ReadOnlySpan<byte> pair)
    {
        if (pair.IsEmpty) return;
        CheckLengths(pair);
        if (_pairs.Count == limits.MaxFieldCount) throw FormErrors.TooManyFields(source, limits.MaxFieldCount);
        int eq = pair.IndexOf((byte)'=');
        if (eq < 0) _pairs.Add(UrlEncoded.Decode(pair), "");
        else _pairs.Add(UrlEncoded.Decode(pair[..eq]), UrlEncoded.Decode(pair[(eq + 1)..]));
    }

    private readonly void CheckLengths(ReadOnlySpan<byte> pair)
    {
        int eq = pair.IndexOf((byte)'=');
        int keyLength = eq < 0 ? pair.Length : eq;
        if (keyLength > limits.MaxKeyLength)
            throw FormErrors.OverLimit($"A field name in the {source}", nameof(FormLimits.MaxKeyLength), limits.MaxKeyLength);
        if (eq >= 0 && pair.Length - eq - 1 > limits.MaxValueLength)
            throw FormErrors.OverLimit($"The value of a field in the {source}", nameof(FormLimits.MaxValueLength), limits.MaxValueLength);
    }
}
