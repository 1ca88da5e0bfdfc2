using System.Collections;
using System.Diagnostics;
using System.Globalization;

namespace Eddy.Web.Routing;

/// <summary>
/// The values a match extracted: parameter name → percent-decoded value (defaults included,
/// absent optional parameters left out). Names compare case-insensitively, as in ASP.NET Core.
/// Regex routes add named groups by name and unnamed groups by position: <c>"0"</c> for the
/// first unnamed group, <c>"1"</c> for the next, and so on.
/// <para>
/// One instance can be reused for request after request
/// (<see cref="Router{TEndpoint}.Match(string, string, RouteValues)"/> clears it), so a match
/// allocates only the value strings. Not thread-safe; one per connection.
/// </para>
/// </summary>
[DebuggerDisplay("Count = {Count}")]
public sealed class RouteValues : IReadOnlyCollection<KeyValuePair<string, string>>
{
    private string[] _names = new string[4];
    private string[] _values = new string[4];

    /// <summary>The number of values.</summary>
    public int Count { get; private set; }

    /// <summary>The value of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such value; the message lists those there are.</exception>
    public string this[string name] =>
        TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"No route value '{name}'; this match has: {(Count == 0 ? "none" : string.Join(", ", Names()))}. Check the template's parameter names, or use TryGetValue for an optional parameter.");

    /// <summary>Gets the value of <paramref name="name"/> if there is one.</summary>
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        for (int i = 0; i < Count; i++)
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

    /// <summary>Whether there is a value named <paramref name="name"/>.</summary>
    public bool ContainsKey(string name) => TryGetValue(name, out _);

    /// <summary>The value as an <see cref="int"/> (invariant culture).</summary>
    /// <exception cref="FormatException">It is not one (constrain the parameter with <c>:int</c> so such requests get a 400 before the handler).</exception>
    public int GetInt32(string name) => Parse(name, "int", static (string s, out int v) => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v));

    /// <summary>The value as a <see cref="long"/> (invariant culture).</summary>
    /// <exception cref="FormatException">It is not one (constrain the parameter with <c>:long</c>).</exception>
    public long GetInt64(string name) => Parse(name, "long", static (string s, out long v) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v));

    /// <summary>The value as a <see cref="bool"/> (<c>true</c> or <c>false</c>, any case).</summary>
    /// <exception cref="FormatException">It is not one (constrain the parameter with <c>:bool</c>).</exception>
    public bool GetBoolean(string name) => Parse(name, "bool", static (string s, out bool v) => bool.TryParse(s, out v));

    /// <summary>The value as a <see cref="Guid"/>.</summary>
    /// <exception cref="FormatException">It is not one (constrain the parameter with <c>:guid</c>).</exception>
    public Guid GetGuid(string name) => Parse(name, "guid", static (string s, out Guid v) => Guid.TryParse(s, out v));

    /// <summary>The value as a <see cref="double"/> (invariant culture).</summary>
    /// <exception cref="FormatException">It is not one (constrain the parameter with <c>:double</c>).</exception>
    public double GetDouble(string name) => Parse(name, "double", static (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v));

    /// <summary>The value as a <see cref="decimal"/> (invariant culture).</summary>
    /// <exception cref="FormatException">It is not one (constrain the parameter with <c>:decimal</c>).</exception>
    public decimal GetDecimal(string name) => Parse(name, "decimal", static (string s, out decimal v) => decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out v));

    /// <summary>Enumerates the values in template order, without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Removes every value.</summary>
    public void Clear()
    {
        Array.Clear(_values, 0, Count);
        Count = 0;
    }

    internal void Add(string name, string value)
    {
        if (Count == _names.Length)
        {
            Array.Resize(ref _names, Count * 2);
            Array.Resize(ref _values, Count * 2);
        }
        _names[Count] = name;
        _values[Count++] = value;
    }

    private IEnumerable<string> Names()
    {
        for (int i = 0; i < Count; i++) yield return _names[i];
    }

    private delegate bool TryParser<T>(string s, out T value);

    private T Parse<T>(string name, string constraint, TryParser<T> parse)
    {
        string value = this[name];
        return parse(value, out var result)
            ? result
            : throw new FormatException($"Route value '{name}' = '{RouteMatchErrors.Quote(value)}' is not a {typeof(T).Name}; constrain the parameter ('{{{name}:{constraint}}}') so that such paths get a 400 before the handler runs.");
    }

    /// <summary>Enumerates name/value pairs.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly RouteValues _values;
        private int _index;

        internal Enumerator(RouteValues values)
        {
            _values = values;
            _index = -1;
        }

        /// <summary>The current pair.</summary>
        public readonly KeyValuePair<string, string> Current => new(_values._names[_index], _values._values[_index]);

        readonly object IEnumerator.Current => Current;

        /// <summary>Moves to the next pair.</summary>
        public bool MoveNext() => ++_index < _values.Count;

        /// <summary>Starts again.</summary>
        public void Reset() => _index = -1;

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
