using System.Collections;
using System.Diagnostics;
using System.Text;
using Eddy.Http.Parsing;

namespace Eddy.Http;

/// <summary>
/// The header (or trailer) fields of a request, read in place from the connection's buffer:
/// strings are made only for what is asked for. Valid during the request it belongs to.
/// </summary>
[DebuggerDisplay("HttpRequestHeaders count = {Count}")]
public sealed class HttpRequestHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly HttpConnection _connection;
    private readonly bool _trailers;

    internal HttpRequestHeaders(HttpConnection connection, bool trailers)
    {
        _connection = connection;
        _trailers = trailers;
    }

    private HttpFields? Fields => _trailers ? _connection.TrailerFields : _connection.HeadFields;

    private ReadOnlySpan<byte> Buffer => _trailers ? _connection.TrailerBuffer : _connection.HeadBuffer;

    /// <summary>Number of field lines (a repeated name counts once per line).</summary>
    public int Count => Fields?.Count ?? 0;

    /// <summary>The value of the first field named <paramref name="name"/> (ASCII case-insensitive).</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value as a Latin-1 string, or null.</param>
    /// <returns>Whether there is such a field.</returns>
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        value = null;
        var fields = Fields;
        if (fields is null || name.Length == 0 || name.Length > 256 || !Ascii.IsValid(name)) return false;
        Span<byte> bytes = stackalloc byte[name.Length];
        Encoding.ASCII.GetBytes(name, bytes);
        var buffer = Buffer;
        if (!fields.TryGetValue(buffer, bytes, out var range)) return false;
        value = range.ToLatin1String(buffer);
        return true;
    }

    /// <summary>Whether a field named <paramref name="name"/> is present.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>True if present.</returns>
    public bool Contains(string name) => TryGetValue(name, out _);

    /// <summary>The value of the first field named <paramref name="name"/>, or null.</summary>
    /// <param name="name">The field name.</param>
    public string? this[string name] => TryGetValue(name, out var value) ? value : null;

    /// <summary>Enumerates the fields in order, making name and value strings as it goes.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates field lines as name/value strings.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly HttpRequestHeaders _headers;
        private int _index;

        internal Enumerator(HttpRequestHeaders headers)
        {
            _headers = headers;
            _index = -1;
            Current = default;
        }

        /// <summary>The current field.</summary>
        public KeyValuePair<string, string> Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        /// <summary>Moves to the next field.</summary>
        /// <returns>Whether there is one.</returns>
        public bool MoveNext()
        {
            var fields = _headers.Fields;
            if (fields is null || ++_index >= fields.Count) return false;
            var buffer = _headers.Buffer;
            Current = new(fields.Name(_index).ToLatin1String(buffer), fields.Value(_index).ToLatin1String(buffer));
            return true;
        }

        /// <summary>Starts over.</summary>
        public void Reset() => _index = -1;

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose() { }
    }
}
