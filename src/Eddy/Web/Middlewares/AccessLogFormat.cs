using System.Globalization;
using System.Net;
using System.Text;

namespace Eddy.Web.Middlewares;

/// <summary>
/// An access-log format compiled once into directives (Apache's and aiohttp's <c>%</c> codes), then
/// rendered per request into a reused builder.
/// </summary>
internal sealed class AccessLogFormat
{
    internal enum Directive : byte
    {
        Literal, RemoteAddress, StartTime, RequestLine, Method, Path, Query, Protocol,
        Status, BodyBytes, Microseconds, Seconds, FractionalSeconds, RequestHeader, ResponseHeader,
    }

    private readonly (Directive Kind, string? Text)[] _parts;

    private AccessLogFormat((Directive, string?)[] parts, bool usesStartTime)
    {
        _parts = parts;
        UsesStartTime = usesStartTime;
    }

    /// <summary>Whether the format shows the start time (so the wall clock need only be read then).</summary>
    public bool UsesStartTime { get; }

    /// <summary>Compiles <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">An unknown or unfinished directive.</exception>
    public static AccessLogFormat Parse(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var parts = new List<(Directive, string?)>();
        var literal = new StringBuilder();
        bool usesStartTime = false;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                literal.Append(c);
                continue;
            }
            if (++i == format.Length) throw Invalid(format, "it ends with a lone %");
            c = format[i];
            if (c == '%')
            {
                literal.Append('%');
                continue;
            }
            if (literal.Length > 0)
            {
                parts.Add((Directive.Literal, literal.ToString()));
                literal.Clear();
            }
            if (c == '{')
            {
                int close = format.IndexOf('}', i);
                if (close < 0 || close + 1 >= format.Length) throw Invalid(format, "a %{Name} is not closed, or not followed by i or o");
                var name = format[(i + 1)..close];
                var kind = format[close + 1] switch
                {
                    'i' => Directive.RequestHeader,
                    'o' => Directive.ResponseHeader,
                    _ => throw Invalid(format, $"%{{{name}}} must be followed by i (request header) or o (response header)"),
                };
                if (name.Length == 0) throw Invalid(format, "%{} names no header");
                parts.Add((kind, name));
                i = close + 1;
                continue;
            }
            Directive directive;
            switch (c)
            {
                case 'a': directive = Directive.RemoteAddress; break;
                case 't': directive = Directive.StartTime; usesStartTime = true; break;
                case 'r': directive = Directive.RequestLine; break;
                case 'm': directive = Directive.Method; break;
                case 'U': directive = Directive.Path; break;
                case 'q': directive = Directive.Query; break;
                case 'H': directive = Directive.Protocol; break;
                case 's': directive = Directive.Status; break;
                case 'b': directive = Directive.BodyBytes; break;
                case 'D': directive = Directive.Microseconds; break;
                case 'T':
                    if (i + 1 < format.Length && format[i + 1] == 'f')
                    {
                        i++;
                        directive = Directive.FractionalSeconds;
                    }
                    else
                    {
                        directive = Directive.Seconds;
                    }
                    break;
                default:
                    throw Invalid(format, $"%{c} is not a directive");
            }
            parts.Add((directive, null));
        }
        if (literal.Length > 0) parts.Add((Directive.Literal, literal.ToString()));
        return new AccessLogFormat([.. parts], usesStartTime);
    }

    /// <summary>Appends the line for a finished request.</summary>
    public void Render(StringBuilder line, Request request, DateTimeOffset start, TimeSpan duration)
    {
        var http = request.Http;
        foreach (var (kind, text) in _parts)
        {
            switch (kind)
            {
                case Directive.Literal: line.Append(text); break;
                case Directive.RemoteAddress: AppendAddress(line, http.RemoteEndPoint); break;
                case Directive.StartTime:
                    // Common Log Format's [10/Oct/2000:13:55:36 +0000], in UTC.
                    line.Append(CultureInfo.InvariantCulture, $"[{start.UtcDateTime:dd/MMM/yyyy:HH:mm:ss} +0000]");
                    break;
                case Directive.RequestLine: line.Append(http.Method).Append(' ').Append(http.Target).Append(' ').Append(http.Version); break;
                case Directive.Method: line.Append(http.Method); break;
                case Directive.Path: line.Append(http.Path); break;
                case Directive.Query:
                    var query = http.Query;
                    if (query.Length > 0) line.Append('?').Append(query);
                    break;
                case Directive.Protocol: line.Append(http.Version); break;
                case Directive.Status: line.Append(request.Response.StatusCode); break;
                case Directive.BodyBytes: line.Append(request.Response.Http.BytesWritten); break;
                case Directive.Microseconds: line.Append(duration.Ticks / 10); break;
                case Directive.Seconds: line.Append((long)duration.TotalSeconds); break;
                case Directive.FractionalSeconds: line.Append(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:F6}"); break;
                case Directive.RequestHeader: line.Append(request.Headers[text!] ?? "-"); break;
                case Directive.ResponseHeader: line.Append(request.Response.Headers.TryGetValue(text!, out var value) ? value : "-"); break;
            }
        }
    }

    private static void AppendAddress(StringBuilder line, EndPoint? endPoint)
    {
        if (endPoint is IPEndPoint ip)
        {
            Span<char> text = stackalloc char[64];
            if (ip.Address.TryFormat(text, out int n)) line.Append(text[..n]);
            else line.Append(ip.Address.ToString());
            return;
        }
        line.Append('-'); // unknown: a Unix socket, a test connection
    }

    private static ArgumentException Invalid(string format, string why) =>
        new($"The access-log format \"{format}\" is invalid: {why}. Directives: %a %t %r %m %U %q %H %s %b %D %T %Tf %{{Header}}i %{{Header}}o, and %% for a percent sign.", "options");
}
