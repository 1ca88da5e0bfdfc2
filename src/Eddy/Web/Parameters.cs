using System.Collections;
using System.Diagnostics;

namespace Eddy.Web;

/// <summary>
/// An ordered, read-only collection of name/value pairs in which a name may repeat: what a query
/// string, a form or a Cookie header carries ("?tag=a&amp;tag=b"). Pairs keep the order they were
/// sent in; the indexer gives a name's first value and <see cref="GetAll"/> all of them.
/// </summary>
/// <remarks>
/// Names are compared <b>case-sensitively</b> (ordinal): "Id" and "id" are different query
/// parameters, form fields and cookies to browsers and to every server framework that keeps
/// them apart, and treating them as one would let one shadow the other. Lookups scan the pairs,
/// which for the few pairs a request usually carries is faster than hashing; the count is bounded
/// by <see cref="Forms.FormLimits.MaxFieldCount"/>.
/// </remarks>
[DebuggerDisplay("Count = {Count}")]
public sealed class Parameters : IReadOnlyCollection<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[] _pairs;
    private readonly int _count;

    /// <summary>The collection with no pairs.</summary>
    public static Parameters Empty { get; } = new([], 0);

    /// <summary>Creates a collection holding <paramref name="pairs"/>, in their order.</summary>
    /// <param name="pairs">The pairs; a name may repeat.</param>
    public Parameters(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        _pairs = [.. pairs];
        _count = _pairs.Length;
        foreach (var pair in _pairs)
        {
            if (pair.Key is null || pair.Value is null)
                throw new ArgumentException("A parameter's name and value cannot be null; use \"\" for an empty value.", nameof(pairs));
        }
    }

    /// <summary>Takes ownership of the first <paramref name="count"/> entries of an array the parsers filled.</summary>
    internal Parameters(KeyValuePair<string, string>[] pairs, int count)
    {
        _pairs = pairs;
        _count = count;
    }

    /// <summary>How many pairs there are (a repeated name counts once per value).</summary>
    public int Count => _count;

    /// <summary>The first value of <paramref name="name"/>, or null when it is absent.</summary>
    /// <param name="name">The name, matched case-sensitively.</param>
    public string? this[string name] => TryGetValue(name, out var value) ? value : null;

    /// <summary>Finds the first value of <paramref name="name"/>.</summary>
    /// <param name="name">The name, matched case-sensitively.</param>
    /// <param name="value">The first value, or null when the name is absent.</param>
    /// <returns>Whether the name is present.</returns>
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        int index = IndexOf(name, 0);
        value = index < 0 ? null : _pairs[index].Value;
        return index >= 0;
    }

    /// <summary>Whether <paramref name="name"/> is present (with any value, empty included).</summary>
    /// <param name="name">The name, matched case-sensitively.</param>
    public bool Contains(string name) => IndexOf(name, 0) >= 0;

    /// <summary>Every value of <paramref name="name"/>, in the order sent; empty when it is absent.</summary>
    /// <param name="name">The name, matched case-sensitively.</param>
    public IReadOnlyList<string> GetAll(string name)
    {
        int first = IndexOf(name, 0);
        if (first < 0) return [];
        int second = IndexOf(name, first + 1);
        if (second < 0) return [_pairs[first].Value];
        var values = new List<string> { _pairs[first].Value, _pairs[second].Value };
        for (int i = IndexOf(name, second + 1); i >= 0; i = IndexOf(name, i + 1)) values.Add(_pairs[i].Value);
        return values;
    }

    /// <summary>Enumerates the pairs in order without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string name, int start)
    {
        ArgumentNullException.ThrowIfNull(name);
        var pairs = _pairs;
        for (int i = start; i < _count; i++)
        {
            if (string.Equals(pairs[i].Key, name, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    /// <summary>Enumerates a <see cref="Parameters"/> in order; a struct, so <c>foreach</c> does not allocate.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly Parameters _parameters;
        private int _index;

        internal Enumerator(Parameters parameters)
        {
            _parameters = parameters;
            _index = -1;
        }

        /// <summary>The current pair.</summary>
        public readonly KeyValuePair<string, string> Current => _parameters._pairs[_index];

        readonly object IEnumerator.Current => Current;

        /// <summary>Moves to the next pair.</summary>
        /// <returns>False past the last pair.</returns>
        public bool MoveNext() => ++_index < _parameters._count;

        /// <summary>Starts again before the first pair.</summary>
        public void Reset() => _index = -1;

        /// <summary>Does nothing; the enumerator holds no resources.</summary>
        public readonly void Dispose() { }
    }
}
