namespace Eddy.Web.Routing;

/// <summary>
/// A parsed route template. Syntax (ASP.NET Core's, minus its <c>{{</c> escapes and <c>**</c>):
/// <list type="bullet">
/// <item>it starts with <c>/</c>; segments are separated by <c>/</c>; a final <c>/</c> is a
/// trailing slash the path must have (see <see cref="TrailingSlashPolicy"/>);</item>
/// <item>literal text is written decoded (<c>/caf\u00e9</c>, not <c>/caf%C3%A9</c>) and may not
/// contain <c>%</c>, <c>?</c>, <c>#</c>, <c>{</c> or <c>}</c>;</item>
/// <item><c>{name}</c> matches one non-empty segment; <c>{name:c1:c2(arg)}</c> adds constraints
/// (<see cref="RouteConstraintMap"/>); <c>{name?}</c> is optional and <c>{name=value}</c> has a
/// default, both only in the last segments (each one after the first such must be one too);</item>
/// <item><c>{*name}</c>, in the last segment and alone in it, matches the rest of the path,
/// slashes included, possibly empty;</item>
/// <item>a segment may mix literals and parameters (<c>{name}.{ext}</c>) as long as no two
/// parameters touch; it is matched right to left, each literal at its last occurrence, so
/// <c>a.tar.gz</c> gives name <c>a.tar</c> and ext <c>gz</c> (as ASP.NET Core does).</item>
/// </list>
/// </summary>
internal sealed class RouteTemplate
{
    private RouteTemplate(string text, TemplateSegment[] segments, RouteParameter[] parameters)
    {
        Text = text;
        Segments = segments;
        Parameters = parameters;
    }

    public string Text { get; }

    public TemplateSegment[] Segments { get; }

    /// <summary>Every parameter in template order: the order captures are made in when matching.</summary>
    public RouteParameter[] Parameters { get; }

    /// <summary>Index of the first segment that may be absent (an optional parameter), or <c>Segments.Length</c>.</summary>
    public int FirstOptionalSegment
    {
        get
        {
            for (int i = 0; i < Segments.Length; i++)
                if (Segments[i].Parameter is { IsOptional: true }) return i;
            return Segments.Length;
        }
    }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="ArgumentException"/> naming the template, the problem and the fix.</summary>
    public static RouteTemplate Parse(string text, RouteConstraintMap constraints)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith('/'))
            throw Error(text, "must start with '/'", $"write '/{text}'");
        var rawSegments = SplitSegments(text);
        var segments = new TemplateSegment[rawSegments.Count];
        var parameters = new List<RouteParameter>();
        for (int i = 0; i < rawSegments.Count; i++)
        {
            segments[i] = ParseSegment(text, rawSegments[i], constraints);
            foreach (var part in segments[i].Parts)
            {
                if (part is not RouteParameter p) continue;
                if (parameters.Exists(q => q.Name.Equals(p.Name, StringComparison.OrdinalIgnoreCase)))
                    throw Error(text, $"uses the parameter name '{p.Name}' twice", "give each parameter its own name");
                parameters.Add(p);
            }
            if (segments[i].IsLiteral && segments[i].Literal.Length == 0 && i != rawSegments.Count - 1)
                throw Error(text, "has an empty segment ('//')", "remove the extra '/'");
        }
        Validate(text, segments);
        return new RouteTemplate(text, segments, parameters.ToArray());
    }

    private static void Validate(string text, TemplateSegment[] segments)
    {
        bool optionalSeen = false;
        for (int i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            foreach (var part in segment.Parts)
            {
                if (part is not RouteParameter p) continue;
                if (p.IsCatchAll && (segment.IsComplex || i != segments.Length - 1))
                    throw Error(text, $"has the catch-all '{{*{p.Name}}}' before its end or inside a segment", "make it the whole last segment, as in '/files/{*path}'");
                if (p.IsOptional && segment.IsComplex)
                    throw Error(text, $"makes '{p.Name}' optional inside a segment with other text", "make the whole segment the optional parameter, or register two routes");
            }
            bool optional = segment.Parameter is { IsOptional: true };
            if (optionalSeen && !optional)
            {
                string what = segment.Parameter is { IsCatchAll: true } ? "a catch-all" : segment.IsLiteral && segment.Literal == "" ? "a trailing slash" : $"the segment '{Describe(segment)}'";
                throw Error(text, $"has {what} after an optional parameter", "optional parameters ({name?}, {name=default}) must be the last segments; register a second route for the longer form");
            }
            optionalSeen |= optional;
        }
    }

    private static string Describe(TemplateSegment segment) =>
        string.Concat(segment.Parts.Select(p => p is RouteParameter rp ? "{" + rp.Name + "}" : (string)p));

    /// <summary>Splits on '/' outside braces (a regex constraint may contain '/').</summary>
    private static List<string> SplitSegments(string text)
    {
        var segments = new List<string>();
        int start = 1, depth = 0, parens = 0;
        for (int i = 1; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : '/';
            if (depth > 0)
            {
                if (c == '(') parens++;
                else if (c == ')' && parens > 0) parens--;
                else if (c == '}' && parens == 0) depth = 0;
                if (i == text.Length)
                    throw Error(text, "has a '{' without its '}'", "close the parameter, as in '{id}'");
                continue;
            }
            if (c == '{') { depth = 1; parens = 0; }
            else if (c == '/')
            {
                segments.Add(text[start..i]);
                start = i + 1;
            }
        }
        return segments;
    }

    private static TemplateSegment ParseSegment(string text, string segment, RouteConstraintMap constraints)
    {
        var parts = new List<object>();
        int i = 0;
        while (i < segment.Length)
        {
            if (segment[i] == '{')
            {
                int end = FindClosingBrace(segment, i);
                if (end < 0) throw Error(text, "has a '{' without its '}'", "close the parameter, as in '{id}'");
                if (parts.Count > 0 && parts[^1] is RouteParameter previous)
                    throw Error(text, $"has the parameters '{previous.Name}' and '{segment[(i + 1)..end]}' side by side", "separate them with literal text, as in '{name}.{ext}'");
                parts.Add(ParseParameter(text, segment[(i + 1)..end], constraints));
                i = end + 1;
            }
            else
            {
                int next = segment.IndexOf('{', i);
                if (next < 0) next = segment.Length;
                string literal = segment[i..next];
                int bad = literal.AsSpan().IndexOfAny("}%?#");
                if (bad >= 0)
                {
                    throw literal[bad] == '%'
                        ? Error(text, "contains '%'", "write literal text decoded (the router decodes the path before comparing)")
                        : Error(text, $"contains '{literal[bad]}' in literal text", literal[bad] == '}' ? "remove it or open a parameter with '{'" : "the query and fragment are not part of the path: remove them");
                }
                parts.Add(literal);
                i = next;
            }
        }
        if (parts.Count == 0) parts.Add("");
        return new TemplateSegment(parts.ToArray());
    }

    private static int FindClosingBrace(string segment, int open)
    {
        int parens = 0;
        for (int i = open + 1; i < segment.Length; i++)
        {
            char c = segment[i];
            if (c == '(') parens++;
            else if (c == ')' && parens > 0) parens--;
            else if (c == '}' && parens == 0) return i;
        }
        return -1;
    }

    private static RouteParameter ParseParameter(string text, string body, RouteConstraintMap map)
    {
        int i = 0;
        bool catchAll = body.StartsWith('*');
        if (catchAll) i++;
        int nameStart = i;
        while (i < body.Length && body[i] is not (':' or '=' or '?')) i++;
        string name = body[nameStart..i];
        if (name.Length == 0 || !RouteConstraintMap.IsIdentifier(name))
            throw Error(text, $"has a parameter '{{{body}}}' whose name '{name}' is not letters, digits and underscores", "name it, as in '{id}' or '{id:int}'");

        var constraints = new List<IRouteConstraint>();
        int constraintStart = i;
        while (i < body.Length && body[i] == ':')
        {
            int start = ++i;
            while (i < body.Length && body[i] is not (':' or '=' or '?' or '(')) i++;
            string constraintName = body[start..i];
            string? argument = null;
            if (i < body.Length && body[i] == '(')
            {
                int close = FindClosingParenthesis(body, i);
                if (close < 0) throw Error(text, $"has the constraint '{body[start..]}' without its ')'", "close its argument list");
                argument = body[(i + 1)..close];
                i = close + 1;
            }
            if (constraintName.Length == 0)
                throw Error(text, $"has an empty constraint in '{{{body}}}'", "write a constraint name after ':', as in '{id:int}', or remove the ':'");
            IRouteConstraint? constraint;
            try
            {
                constraint = map.Create(constraintName, argument);
            }
            catch (ArgumentException e)
            {
                throw Error(text, $"has an invalid constraint '{body[start..i]}': {e.Message.TrimEnd('.')}", "fix its argument");
            }
            constraints.Add(constraint ?? throw Error(text, $"uses the unknown constraint '{constraintName}'",
                $"use one of {map.Names}, or register it with RouteConstraintMap.Add and pass the map in RouterOptions.Constraints"));
        }
        string constraintText = body[constraintStart..i].TrimStart(':');

        bool optional = false;
        string? defaultValue = null;
        if (i < body.Length && body[i] == '?' && i == body.Length - 1)
        {
            optional = true;
        }
        else if (i < body.Length && body[i] == '=')
        {
            defaultValue = body[(i + 1)..];
            optional = true;
            if (defaultValue.Length == 0 || defaultValue.EndsWith('?'))
                throw Error(text, $"has the parameter '{name}' with {(defaultValue.Length == 0 ? "an empty default" : "both a default and '?'")}", "write '{name=value}' (a default makes it optional) or '{name?}'");
            if (RouteParameter.FirstFailure(constraints.ToArray(), defaultValue) is { } failed)
                throw Error(text, $"gives '{name}' the default '{defaultValue}', which is not {failed.Expectation}", "change the default or the constraint");
        }
        else if (i < body.Length)
        {
            throw Error(text, $"has unexpected text '{body[i..]}' in the parameter '{{{body}}}'", "write '{name}', '{name:constraint}', '{name?}' or '{name=default}'");
        }
        if (catchAll && optional)
            throw Error(text, $"makes the catch-all '{name}' optional", "drop the '?' or default: a catch-all already matches an empty rest");
        return new RouteParameter(name, catchAll, optional, defaultValue, constraintText, constraints.ToArray());
    }

    private static int FindClosingParenthesis(string body, int open)
    {
        int depth = 0;
        for (int i = open; i < body.Length; i++)
        {
            if (body[i] == '\\') { i++; continue; }
            if (body[i] == '(') depth++;
            else if (body[i] == ')' && --depth == 0) return i;
        }
        return -1;
    }

    internal static ArgumentException Error(string template, string problem, string fix) =>
        new($"Route template '{template}' {problem}; {fix}.");
}
