using System.Globalization;

namespace Eddy.Web.Middlewares;

/// <summary>
/// Cross-origin resource sharing (the Fetch standard's CORS protocol), as ASP.NET Core's CORS
/// middleware does it: answers preflights itself and marks allowed cross-origin responses.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A request without an Origin header is not a CORS request and passes through untouched
/// (but for <c>Vary: Origin</c>, below).</item>
/// <item>A preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered 204 here,
/// without reaching the handler or inner middleware; from an allowed origin it carries
/// Access-Control-Allow-Origin, -Methods, -Headers, -Credentials and -Max-Age. As in ASP.NET Core,
/// the method and headers asked for are not checked here: the answer lists what is allowed and
/// the browser decides.</item>
/// <item>An actual request from an allowed origin gets Access-Control-Allow-Origin (and
/// -Credentials, -Expose-Headers); these are set before the handler runs, so they are on error
/// pages and streamed responses too.</item>
/// <item>A disallowed origin gets no CORS headers at all; its preflight is still answered a plain
/// 204 (ASP.NET Core's behaviour: the browser then refuses the call, and the server reveals
/// nothing about its policy).</item>
/// <item>When the answer depends on the origin (a list or a predicate, not "*"), every response
/// carries <c>Vary: Origin</c>, as the Fetch standard advises, so caches keep them apart.</item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// app.Use(Cors.Create(new CorsOptions
/// {
///     AllowedOrigins = ["https://app.example.com"],
///     AllowedMethods = ["GET", "POST", "DELETE"],
///     AllowedHeaders = ["Content-Type", "Authorization"],
///     AllowCredentials = true,
///     MaxAge = TimeSpan.FromHours(1),
/// }));
/// </code>
/// </example>
public static class Cors
{
    /// <summary>Makes the CORS middleware.</summary>
    /// <param name="options">The policy.</param>
    /// <returns>The middleware, for <see cref="App.Use"/>.</returns>
    /// <exception cref="ArgumentException">Any origin with credentials, or an empty origin, method or header name.</exception>
    public static Middleware Create(CorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Policy(options).HandleAsync;
    }

    /// <summary>The options, checked and turned into header values once.</summary>
    private sealed class Policy
    {
        private readonly HashSet<string> _origins = new(StringComparer.OrdinalIgnoreCase);
        private readonly bool _anyOrigin;
        private readonly Func<string, bool>? _predicate;
        private readonly bool _credentials;
        private readonly bool _varyByOrigin;
        private readonly bool _anyMethod;    // echo the method asked for
        private readonly bool _anyHeader;    // echo the headers asked for
        private readonly string? _methods;
        private readonly string? _headers;
        private readonly string? _exposed;
        private readonly string? _maxAge;

        public Policy(CorsOptions options)
        {
            foreach (var origin in options.AllowedOrigins)
            {
                if (string.IsNullOrWhiteSpace(origin)) throw new ArgumentException("CorsOptions.AllowedOrigins holds an empty origin; write origins as browsers send them (\"https://app.example.com\").", nameof(options));
                if (origin == "*") _anyOrigin = true;
                else _origins.Add(origin.TrimEnd('/'));
            }
            _anyOrigin |= options.AllowAnyOrigin;
            _predicate = options.IsOriginAllowed;
            _credentials = options.AllowCredentials;
            if (_anyOrigin && _credentials)
                throw new ArgumentException(
                    "CorsOptions allows any origin together with credentials, which would let every site act with your users' cookies (ASP.NET Core refuses it too). " +
                    "List the origins in AllowedOrigins, or decide per origin with IsOriginAllowed (the origin is then echoed).", nameof(options));
            _varyByOrigin = !_anyOrigin;
            _anyMethod = options.AllowAnyMethod;
            _anyHeader = options.AllowAnyHeader;
            _methods = Join(options.AllowedMethods, nameof(options.AllowedMethods));
            _headers = Join(options.AllowedHeaders, nameof(options.AllowedHeaders));
            _exposed = Join(options.ExposedHeaders, nameof(options.ExposedHeaders));
            if (options.MaxAge is { } maxAge)
            {
                if (maxAge < TimeSpan.Zero) throw new ArgumentException($"CorsOptions.MaxAge is {maxAge}; it cannot be negative.", nameof(options));
                _maxAge = ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }
        }

        public ValueTask<Result> HandleAsync(Request request, Endpoint next)
        {
            var response = request.Response.Headers;
            if (_varyByOrigin) response.Add("Vary", "Origin");
            var headers = request.Headers;
            if (!headers.TryGetValue("Origin", out var origin)) return next(request);
            bool allowed = IsAllowed(origin);
            if (request.Method == "OPTIONS" && headers.TryGetValue("Access-Control-Request-Method", out var method))
            {
                if (allowed)
                {
                    AllowOrigin(response, origin);
                    var methods = _anyMethod ? method : _methods;
                    if (!string.IsNullOrEmpty(methods)) response.Set("Access-Control-Allow-Methods", methods);
                    var allowedHeaders = _anyHeader ? headers["Access-Control-Request-Headers"] : _headers;
                    if (!string.IsNullOrEmpty(allowedHeaders)) response.Set("Access-Control-Allow-Headers", allowedHeaders);
                    if (_maxAge is not null) response.Set("Access-Control-Max-Age", _maxAge);
                }
                return new(Result.Status(204));
            }
            if (allowed)
            {
                AllowOrigin(response, origin);
                if (_exposed is not null) response.Set("Access-Control-Expose-Headers", _exposed);
            }
            return next(request);
        }

        private bool IsAllowed(string origin) =>
            _anyOrigin || _origins.Contains(origin) || (_predicate is not null && _predicate(origin));

        private void AllowOrigin(Http.HttpResponseHeaders response, string origin)
        {
            response.Set("Access-Control-Allow-Origin", _anyOrigin ? "*" : origin);
            if (_credentials) response.Set("Access-Control-Allow-Credentials", "true");
        }

        private static string? Join(IReadOnlyList<string> names, string option)
        {
            ArgumentNullException.ThrowIfNull(names, option);
            if (names.Count == 0) return null;
            foreach (var name in names)
            {
                if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"CorsOptions.{option} holds an empty name; remove it.", option);
            }
            return string.Join(", ", names);
        }
    }
}
