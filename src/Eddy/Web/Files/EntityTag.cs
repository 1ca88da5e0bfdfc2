using System.Diagnostics;

namespace Eddy.Web.Files;

/// <summary>
/// An entity tag (RFC 9110 §8.8.3): an opaque validator in quotes, strong (<c>"xyz"</c>) or weak
/// (<c>W/"xyz"</c>), or the wildcard <c>*</c> that the If-Match and If-None-Match lists allow.
/// </summary>
/// <remarks>
/// Two comparisons (RFC 9110 §8.8.3.2): <see cref="StrongEquals"/> (both strong, same opaque tag),
/// used by If-Match and If-Range; <see cref="WeakEquals"/> (same opaque tag, weakness ignored),
/// used by If-None-Match. <see cref="Equals(EntityTag)"/> is plain value equality (tag, weakness
/// and wildcard all equal).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly struct EntityTag : IEquatable<EntityTag>
{
    private readonly string? _opaque;
    private readonly bool _weak;
    private readonly bool _any;

    private EntityTag(string? opaque, bool weak, bool any)
    {
        _opaque = opaque;
        _weak = weak;
        _any = any;
    }

    /// <summary>Creates a tag from its opaque value (without quotes).</summary>
    /// <param name="opaqueTag">The value between the quotes: visible ASCII except <c>"</c>, or obs-text (RFC 9110 etagc).</param>
    /// <param name="isWeak">Whether the tag is weak (<c>W/</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="opaqueTag"/> holds a character an entity tag cannot (a quote, a space, a control).</exception>
    public EntityTag(string opaqueTag, bool isWeak = false)
    {
        ArgumentNullException.ThrowIfNull(opaqueTag);
        foreach (char c in opaqueTag)
            if (!IsEtagChar(c))
                throw new ArgumentException($"An entity tag's opaque value cannot hold '{c}' (U+{(int)c:X4}): RFC 9110 §8.8.3 allows visible ASCII except '\"', and obs-text. Encode the value (hex, base64url) first.", nameof(opaqueTag));
        _opaque = opaqueTag;
        _weak = isWeak;
        _any = false;
    }

    /// <summary>The wildcard <c>*</c>: matches any current representation.</summary>
    public static EntityTag Any => new(null, false, true);

    /// <summary>The value between the quotes; empty for <see cref="Any"/> and for <c>default</c>.</summary>
    public string OpaqueTag => _opaque ?? string.Empty;

    /// <summary>Whether the tag is weak (<c>W/"..."</c>).</summary>
    public bool IsWeak => _weak;

    /// <summary>Whether this is the wildcard <c>*</c>.</summary>
    public bool IsAny => _any;

    /// <summary>
    /// A strong tag for a file, from its length and last write time: what nginx and Apache do by
    /// default (nginx writes <c>"mtime-length"</c> in hex). Nothing is read or hashed, so it is
    /// cheap; it changes whenever the file is rewritten (time in 100 ns ticks) or resized.
    /// </summary>
    /// <param name="length">The file's length in bytes.</param>
    /// <param name="lastWriteTimeUtc">The file's last write time.</param>
    /// <returns>For example <c>"8dc5e1f0a1b2c3d-1f40"</c>.</returns>
    public static EntityTag FromFile(long length, DateTime lastWriteTimeUtc)
    {
        long ticks = lastWriteTimeUtc.Kind == DateTimeKind.Local ? lastWriteTimeUtc.ToUniversalTime().Ticks : lastWriteTimeUtc.Ticks;
        string opaque = string.Create(null, stackalloc char[40], $"{ticks:x}-{length:x}");
        return new EntityTag(opaque, false, false);
    }

    /// <summary>Parses one entity tag, or <c>*</c>; surrounding spaces and tabs are ignored.</summary>
    /// <param name="text">For example <c>"abc"</c>, <c>W/"abc"</c> or <c>*</c>.</param>
    /// <param name="tag">The tag when valid.</param>
    /// <returns>Whether <paramref name="text"/> is exactly one valid entity tag.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out EntityTag tag)
    {
        text = text.Trim(" \t");
        if (text is "*")
        {
            tag = Any;
            return true;
        }
        int consumed = ParseOne(text, out var opaque, out bool weak);
        tag = consumed > 0 && consumed == text.Length ? new EntityTag(opaque.ToString(), weak, false) : default;
        return consumed > 0 && consumed == text.Length;
    }

    /// <summary>Parses one entity tag or <c>*</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tag, or null when <paramref name="text"/> is absent or not exactly one valid tag.</returns>
    public static EntityTag? Parse(string? text) => text is not null && TryParse(text, out var tag) ? tag : null;

    /// <summary>
    /// Parses a comma-separated list (If-Match, If-None-Match): <c>*</c>, or entity tags with optional
    /// whitespace and empty elements between them (RFC 9110 §5.6.1).
    /// </summary>
    /// <param name="text">The header value.</param>
    /// <returns>The tags in order (just <see cref="Any"/> for <c>*</c>), or null when the list is absent, empty or malformed.</returns>
    public static EntityTag[]? ParseList(string? text)
    {
        if (text is null) return null;
        var tags = new List<EntityTag>();
        var walker = new ListWalker(text);
        while (walker.Next(out var opaque, out bool weak, out bool any))
            tags.Add(any ? Any : new EntityTag(opaque.ToString(), weak, false));
        return walker.Failed || tags.Count == 0 ? null : tags.ToArray();
    }

    /// <summary>
    /// Whether any tag in <paramref name="list"/> (a header value) matches <paramref name="current"/>,
    /// without allocating. <c>*</c> matches any current representation. A malformed list matches
    /// nothing (a caller evaluating If-Match then answers 412, one evaluating If-None-Match serves
    /// the full response: the safe outcome either way).
    /// </summary>
    /// <param name="list">The If-Match or If-None-Match value.</param>
    /// <param name="current">The representation's current tag, or null when it has none.</param>
    /// <param name="weakComparison">True for If-None-Match (weak comparison), false for If-Match (strong).</param>
    /// <returns>Whether the condition's list matches.</returns>
    public static bool ListMatches(string list, EntityTag? current, bool weakComparison)
    {
        var walker = new ListWalker(list);
        bool matched = false;
        while (walker.Next(out var opaque, out bool weak, out bool any))
        {
            if (any) matched = true; // the resource exists: preconditions are evaluated for one that does
            else if (current is { _any: false, _opaque: { } tag } c && opaque.SequenceEqual(tag) && (weakComparison || (!weak && !c._weak))) matched = true;
        }
        return matched && !walker.Failed;
    }

    /// <summary>Strong comparison (RFC 9110 §8.8.3.2): both strong and the same opaque tag.</summary>
    /// <param name="other">The other tag.</param>
    /// <returns>Whether they match strongly.</returns>
    public bool StrongEquals(EntityTag other) =>
        !_any && !other._any && !_weak && !other._weak && _opaque is not null && string.Equals(_opaque, other._opaque, StringComparison.Ordinal);

    /// <summary>Weak comparison (RFC 9110 §8.8.3.2): the same opaque tag, whether either is weak or not.</summary>
    /// <param name="other">The other tag.</param>
    /// <returns>Whether they match weakly.</returns>
    public bool WeakEquals(EntityTag other) =>
        !_any && !other._any && _opaque is not null && string.Equals(_opaque, other._opaque, StringComparison.Ordinal);

    /// <summary>The header form: <c>"abc"</c>, <c>W/"abc"</c> or <c>*</c>.</summary>
    /// <returns>The formatted tag.</returns>
    public override string ToString() => _any ? "*" : _weak ? $"W/\"{_opaque}\"" : $"\"{_opaque}\"";

    /// <inheritdoc/>
    public bool Equals(EntityTag other) => _any == other._any && _weak == other._weak && string.Equals(_opaque, other._opaque, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EntityTag other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_opaque, _weak, _any);

    /// <summary>Value equality.</summary>
    /// <param name="left">A tag.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(EntityTag left, EntityTag right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    /// <param name="left">A tag.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(EntityTag left, EntityTag right) => !left.Equals(right);

    // etagc = %x21 / %x23-7E / obs-text (%x80-FF)
    private static bool IsEtagChar(char c) => c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);

    /// <summary>Parses a tag at the start of <paramref name="text"/>; returns the chars used, 0 if none.</summary>
    private static int ParseOne(ReadOnlySpan<char> text, out ReadOnlySpan<char> opaque, out bool weak)
    {
        opaque = default;
        weak = text.StartsWith("W/");
        int start = weak ? 2 : 0;
        if (text.Length < start + 2 || text[start] != '"') return 0;
        int close = text[(start + 1)..].IndexOf('"');
        if (close < 0) return 0;
        opaque = text.Slice(start + 1, close);
        foreach (char c in opaque)
            if (!IsEtagChar(c)) return 0;
        return start + close + 2;
    }

    /// <summary>Walks a #entity-tag list (or <c>*</c>) one element at a time.</summary>
    private ref struct ListWalker(ReadOnlySpan<char> text)
    {
        private ReadOnlySpan<char> _rest = text.Trim(" \t");
        private bool _first = true;

        public bool Failed { get; private set; }

        public bool Next(out ReadOnlySpan<char> opaque, out bool weak, out bool any)
        {
            opaque = default;
            weak = any = false;
            if (Failed) return false;
            if (_first)
            {
                _first = false;
                if (_rest is "*")
                {
                    _rest = default;
                    any = true;
                    return true;
                }
            }
            while (true)
            {
                _rest = _rest.TrimStart(" \t");
                if (_rest.IsEmpty) return false;
                if (_rest[0] == ',')
                {
                    _rest = _rest[1..]; // an empty element (RFC 9110 §5.6.1.2 says to accept them)
                    continue;
                }
                int used = ParseOne(_rest, out opaque, out weak);
                if (used == 0)
                {
                    Failed = true;
                    return false;
                }
                _rest = _rest[used..].TrimStart(" \t");
                if (!_rest.IsEmpty && _rest[0] != ',')
                {
                    Failed = true;
                    return false;
                }
                return true;
            }
        }
    }
}
