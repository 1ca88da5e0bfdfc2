namespace Eddy.Web;

/// <summary>Collects pairs for a <see cref="Parameters"/>; the parsers' growable array.</summary>
internal struct ParametersBuilder
{
    private KeyValuePair<string, string>[]? _pairs;
    private int _count;

    public readonly int Count => _count;

    public void Add(string name, string value)
    {
        if (_pairs is null) _pairs = new KeyValuePair<string, string>[4];
        else if (_count == _pairs.Length) Array.Resize(ref _pairs, _count * 2);
        _pairs[_count++] = new(name, value);
    }

    public readonly Parameters Build() => _count == 0 ? Parameters.Empty : new Parameters(_pairs!, _count);
}
