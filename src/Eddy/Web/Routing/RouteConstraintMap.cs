using System.Globalization;
using System.Text.RegularExpressions;

namespace Eddy.Web.Routing;

/// <summary>
/// The constraints a template can name, each a factory from the constraint's argument (the text
/// between the parentheses, or null) to an <see cref="IRouteConstraint"/>. A new map holds the
/// built-ins, ASP.NET Core's set (all culture-invariant):
/// <c>int</c>, <c>long</c>, <c>bool</c>, <c>guid</c>, <c>alpha</c> (ASCII letters), <c>decimal</c>,
/// <c>double</c>, <c>min(n)</c>, <c>max(n)</c>, <c>range(a,b)</c> (integers), <c>length(n)</c>,
/// <c>length(a,b)</c>, <c>minlength(n)</c>, <c>maxlength(n)</c> (characters), and
/// <c>regex(expr)</c>, which unlike ASP.NET's must match the whole value (it is anchored for you)
/// and is case-sensitive. Add custom ones before creating the router; the map is read, not
/// copied, when templates are parsed.
/// </summary>
public sealed class RouteConstraintMap
{
    private const NumberStyles IntegerStyle = NumberStyles.AllowLeadingSign;

    private readonly Dictionary<string, Func<string?, IRouteConstraint>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a map with the built-in constraints.</summary>
    public RouteConstraintMap()
    {
        AddSimple("int", static v => int.TryParse(v, IntegerStyle, CultureInfo.InvariantCulture, out _), "a 32-bit integer");
        AddSimple("long", static v => long.TryParse(v, IntegerStyle, CultureInfo.InvariantCulture, out _), "a 64-bit integer");
        AddSimple("bool", static v => v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase), "true or false");
        AddSimple("guid", static v => Guid.TryParse(v, out _), "a GUID");
        AddSimple("alpha", static v => IsAsciiLetters(v), "ASCII letters only");
        AddSimple("decimal", static v => decimal.TryParse(v, NumberStyles.Number & ~(NumberStyles.AllowThousands | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite), CultureInfo.InvariantCulture, out _), "a decimal number");
        AddSimple("double", static v => double.TryParse(v, NumberStyles.Float & ~(NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite), CultureInfo.InvariantCulture, out _), "a number");
        Add("min", arg =>
        {
            long min = ParseLongArgument("min", arg, "min(1)");
            return new SpanPredicateConstraint(v => TryParseLong(v, out long n) && n >= min, $"an integer at least {min}");
        });
        Add("max", arg =>
        {
            long max = ParseLongArgument("max", arg, "max(100)");
            return new SpanPredicateConstraint(v => TryParseLong(v, out long n) && n <= max, $"an integer at most {max}");
        });
        Add("range", arg =>
        {
            var (min, max) = ParseLongPair("range", arg, "range(1,100)");
            return new SpanPredicateConstraint(v => TryParseLong(v, out long n) && n >= min && n <= max, $"an integer from {min} to {max}");
        });
        Add("length", arg =>
        {
            if (arg is not null && arg.Contains(','))
            {
                var (min, max) = ParseLongPair("length", arg, "length(2,10)");
                return new SpanPredicateConstraint(v => v.Length >= min && v.Length <= max, $"{min} to {max} characters long");
            }
            long length = ParseLongArgument("length", arg, "length(8)");
            return new SpanPredicateConstraint(v => v.Length == length, $"exactly {length} characters long");
        });
        Add("minlength", arg =>
        {
            long min = ParseLongArgument("minlength", arg, "minlength(2)");
            return new SpanPredicateConstraint(v => v.Length >= min, $"at least {min} characters long");
        });
        Add("maxlength", arg =>
        {
            long max = ParseLongArgument("maxlength", arg, "maxlength(64)");
            return new SpanPredicateConstraint(v => v.Length <= max, $"at most {max} characters long");
        });
        Add("regex", arg =>
        {
            if (string.IsNullOrEmpty(arg))
                throw new ArgumentException("regex needs a pattern, e.g. regex(^[a-z0-9-]+$).");
            Regex regex;
            try
            {
                regex = new Regex($"^(?:{arg})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"regex({arg}) is not a valid .NET regular expression: {e.Message}");
            }
            return new SpanPredicateConstraint(v => regex.IsMatch(v), $"matching the regular expression {arg}");
        });
    }

    /// <summary>
    /// Registers (or replaces) the constraint <paramref name="name"/>: <paramref name="factory"/>
    /// receives the text between the parentheses (null without them) once per template that names
    /// it, and throws <see cref="ArgumentException"/> with the fix if the argument is wrong.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not made of letters, digits and underscores.</exception>
    public void Add(string name, Func<string?, IRouteConstraint> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrEmpty(name) || !IsIdentifier(name))
            throw new ArgumentException($"Constraint name '{name}' must be letters, digits and underscores, e.g. 'slug'.", nameof(name));
        _factories[name] = factory;
    }

    /// <summary>Registers (or replaces) a constraint that takes no argument: <c>{code:<paramref name="name"/>}</c>.</summary>
    public void Add(string name, IRouteConstraint constraint)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        Add(name, arg => arg is null
            ? constraint
            : throw new ArgumentException($"{name} takes no argument; write {{value:{name}}}."));
    }

    /// <summary>Whether a constraint named <paramref name="name"/> is registered (names are case-insensitive).</summary>
    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>Builds the constraint <paramref name="name"/> with <paramref name="argument"/>; null if the name is unknown.</summary>
    internal IRouteConstraint? Create(string name, string? argument) =>
        _factories.TryGetValue(name, out var factory) ? factory(argument) : null;

    /// <summary>The registered names, for error messages.</summary>
    internal string Names => string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal));

    private void AddSimple(string name, SpanPredicate predicate, string expectation) =>
        Add(name, new SpanPredicateConstraint(predicate, expectation));

    private static bool IsAsciiLetters(ReadOnlySpan<char> v)
    {
        if (v.IsEmpty) return false;
        foreach (char c in v)
            if (!char.IsAsciiLetter(c)) return false;
        return true;
    }

    private static bool TryParseLong(ReadOnlySpan<char> v, out long n) =>
        long.TryParse(v, IntegerStyle, CultureInfo.InvariantCulture, out n);

    private static long ParseLongArgument(string name, string? arg, string example) =>
        arg is not null && TryParseLong(arg, out long n)
            ? n
            : throw new ArgumentException($"{name} needs one integer argument, e.g. {example}.");

    private static (long Min, long Max) ParseLongPair(string name, string? arg, string example)
    {
        int comma = arg?.IndexOf(',') ?? -1;
        if (arg is null || comma < 0 || !TryParseLong(arg.AsSpan(0, comma).Trim(), out long min) || !TryParseLong(arg.AsSpan(comma + 1).Trim(), out long max))
            throw new ArgumentException($"{name} needs two integer arguments, e.g. {example}.");
        if (min > max)
            throw new ArgumentException($"{name}({arg}) has its bounds reversed; write {name}({max},{min}).");
        return (min, max);
    }

    internal static bool IsIdentifier(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return !s.IsEmpty;
    }
}
