using System.Collections;
using System.Diagnostics;
using System.Buffers;

namespace Eddy.Http;

/// <summary>
/// The header fields of a response, in order. Content-Length and Connection are interpreted
/// (they set <see cref="HttpResponse.ContentLength"/> and the connection's fate) rather than
/// stored; the server writes framing, Date and Server itself (a handler's Date or Server wins).
/// Reused by the connection's next response.
/// </summary>
[DebuggerDisplay("HttpResponseHeaders count = {Count}")]
public sealed class HttpResponseHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private readonly HttpResponse _response;
    private string[] _names = new string[8];
    private string[] _values = new string[8];
    private int _count;

    internal HttpResponseHeaders(HttpResponse response) => _response = response;

    /// <summary>Number of fields stored.</summary>
    public int Count => _count;

    internal bool HasDate { get; private set; }

    internal bool HasServer { get; private set; }

    internal string Name(int index) => _names[index];

    internal string Value(int index) => _values[index];

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, replacing any fields of that name.</summary>
    /// <param name="name">A field name (token characters).</param>
    /// <param name="value">The value (no CR, LF or NUL).</param>
    public void Set(string name, string value)
    {
        if (Intercept(name, value)) return;
        Remove(name);
        Append(name, value);
    }

    /// <summary>Adds a field line, keeping others of the same name (Set-Cookie).</summary>
    /// <param name="name">A field name (token characters).</param>
    /// <param name="value">The value (no CR, LF or NUL).</param>
    public void Add(string name, string value)
    {
        if (Intercept(name, value)) return;
        Append(name, value);
    }

    /// <summary>Removes every field named <paramref name="name"/>.</summary>
    /// <param name="name">The field name (case-insensitive).</param>
    /// <returns>Whether any was removed.</returns>
    public bool Remove(string name)
    {
        _response.ThrowIfStarted();
        bool removed = false;
        for (int i = _count - 1; i >= 0; i--)
        {
            if (!string.Equals(_names[i], name, StringComparison.OrdinalIgnoreCase)) continue;
            Array.Copy(_names, i + 1, _names, i, _count - i - 1);
            Array.Copy(_values, i + 1, _values, i, _count - i - 1);
            _count--;
            removed = true;
        }
        if (removed) UpdateFlags();
        return removed;
    }

    /// <summary>The first value of <paramref name="name"/>.</summary>
    /// <param name="name">The field name (case-insensitive).</param>
    /// <param name="value">The value, or null.</param>
    /// <returns>Whether there is such a field.</returns>
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                value = _values[i];
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>Enumerates the stored fields in order.</summary>
    /// <returns>The fields.</returns>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++) yield return new(_names[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Clear()
    {
        Array.Clear(_names, 0, _count);
        Array.Clear(_values, 0, _count);
        _count = 0;
        HasDate = HasServer = false;
    }

    private bool Intercept(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        _response.ThrowIfStarted();
        if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(TokenChars))
            throw new ArgumentException($"'{name}' is not a valid header field name: use letters, digits and !#$%&'*+-.^_`|~ only.", nameof(name));
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0 || value.AsSpan().ContainsAnyExceptInRange('\0', '\u00FF'))
            throw new ArgumentException($"The value of header '{name}' contains CR, LF, NUL or a character above U+00FF; those would break the response (response splitting).", nameof(value));
        if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
        {
            if (!long.TryParse(value, System.Globalization.NumberStyles.None, null, out long length))
                throw new ArgumentException($"Content-Length must be a non-negative integer, not '{value}'.", nameof(value));
            _response.ContentLength = length;
            return true;
        }
        if (string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase))
        {
            if (value.Contains("close", StringComparison.OrdinalIgnoreCase)) _response.CloseConnection = true;
            return true;
        }
        if (string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("The server chooses the response framing: set Content-Length, or call FlushAsync to stream the body chunked.");
        return false;
    }

    private void Append(string name, string value)
    {
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _values, _count * 2);
        }
        _names[_count] = name;
        _values[_count] = value;
        _count++;
        UpdateFlags();
    }

    private void UpdateFlags()
    {
        HasDate = HasServer = false;
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], "Date", StringComparison.OrdinalIgnoreCase)) HasDate = true;
            else if (string.Equals(_names[i], "Server", StringComparison.OrdinalIgnoreCase)) HasServer = true;
        }
    }
}
