using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Eddy.Http;
using Eddy.Web.Cookies;
using Eddy.Web.Forms;
using Eddy.Web.Routing;

namespace Eddy.Web;

/// <summary>
/// A request as the web framework's handlers see it (aiohttp's web.Request, Tornado's
/// self.request): method, path, route values, query, headers, cookies, the body as bytes, text,
/// JSON, a form or a stream, and the <see cref="Response"/> to write to. One instance per
/// connection, reset for each request: do not keep it after the handler returned.
/// </summary>
[DebuggerDisplay("{Method} {Path}")]
public sealed class Request
{
    private Parameters? _query;
    private Parameters? _cookies;
    private Form? _form;
    private Dictionary<string, object?>? _items;

    private readonly App _server;

    internal Request(App app, HttpRequest http, HttpResponse response)
    {
        _server = app;
        App = app;
        Http = http;
        Response = new Response(this, response);
    }

    /// <summary>
    /// The app whose route matched (aiohttp's request.app): a mounted app for its own routes, so
    /// its options (form limits, JSON options, cookie secret) apply; the serving app when no route
    /// matched.
    /// </summary>
    public App App { get; private set; }

    /// <summary>The app the server serves (the outermost one, when apps are mounted in it).</summary>
    public App ServingApp => _server;

    /// <summary>The underlying HTTP request (raw target, trailers, chunking).</summary>
    public HttpRequest Http { get; }

    /// <summary>The response, for handlers that write it themselves (then return <see cref="Result.Empty"/>).</summary>
    public Response Response { get; }

    /// <summary>The method, as sent ("GET").</summary>
    public string Method => Http.Method;

    /// <summary>The path, still percent-encoded as sent ("/hello/J%C3%BCrgen").</summary>
    public string Path => Http.Path;

    /// <summary>The route values of the matched route, percent-decoded (<c>{name}</c> in "/hello/{name}").</summary>
    public RouteValues RouteValues { get; } = new();

    /// <summary>The route target chosen by routing; null when none matched (then <see cref="Endpoint"/> answers the error).</summary>
    internal RouteTarget? Target
    {
        get;
        set
        {
            field = value;
            App = value?.Owner ?? _server;
        }
    }

    /// <summary>What answers when no route target matched (404, 405, 400, a redirect).</summary>
    internal Endpoint? Endpoint { get; set; }

    /// <summary>Why the route values were refused (a 400), when they were.</summary>
    internal string? RouteError { get; set; }

    /// <summary>The matched route (method, pattern, name); null when no route matched.</summary>
    public RouteInfo? Route { get; internal set; }

    /// <summary>The query string's parameters, decoded, several values per name where sent so.</summary>
    /// <exception cref="HttpError">414 when the query string passes a <see cref="AppOptions.FormLimits"/> limit.</exception>
    public Parameters Query => _query ??= ParseQuery();

    /// <summary>The request headers.</summary>
    public HttpRequestHeaders Headers => Http.Headers;

    /// <summary>The cookies sent in the Cookie header (not verified: see <see cref="GetSignedCookie"/>).</summary>
    public Parameters Cookies => _cookies ??= CookieHeader.Parse(Http.Headers["Cookie"]);

    /// <summary>The client's address.</summary>
    public EndPoint? RemoteEndPoint => Http.RemoteEndPoint;

    /// <summary>Cancelled when the client disconnects before the response is done (a reset, or a close while the handler runs); see <see cref="HttpRequest.Aborted"/>.</summary>
    public CancellationToken Aborted => Http.Aborted;

    /// <summary>The services of the route's app (<see cref="App.Services"/>); <see cref="GetService{T}"/> also looks in the apps it is mounted in.</summary>
    public IServiceProvider Services => App.Services;

    /// <summary>The <typeparamref name="T"/> service of the route's app, or else of the apps it is mounted in, innermost first.</summary>
    /// <typeparam name="T">The service's type.</typeparam>
    /// <returns>The service.</returns>
    /// <exception cref="InvalidOperationException">It is not registered.</exception>
    public T GetService<T>() where T : class
    {
        for (var app = App; app is not null; app = app.Parent)
        {
            if (app.Services.GetService(typeof(T)) is T service) return service;
        }
        throw new InvalidOperationException(
            $"No service of type {typeof(T).Name} is registered: add one with app.ServiceRegistry.Add<{typeof(T).Name}>(...) before the app starts.");
    }

    /// <summary>Per-request values for middleware and handlers to share.</summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>The body as a stream (read it once).</summary>
    public Stream Body => Http.Body;

    /// <summary>The route value <paramref name="name"/>, or null.</summary>
    /// <param name="name">The parameter's name in the route template.</param>
    public string? this[string name] => RouteValues.TryGetValue(name, out var value) ? value : null;

    /// <summary>A cookie's value after checking its signature and age (Tornado's get_secure_cookie).</summary>
    /// <param name="name">The cookie's name.</param>
    /// <param name="maxAge">The oldest signature accepted; <see cref="AppOptions.SignedCookieMaxAge"/> when null.</param>
    /// <returns>The value, or null when the cookie is missing, forged, tampered with or too old.</returns>
    /// <exception cref="InvalidOperationException">The app has no <see cref="AppOptions.CookieSecret"/>.</exception>
    public string? GetSignedCookie(string name, TimeSpan? maxAge = null)
    {
        var signed = Cookies[name];
        if (signed is null) return null;
        return App.CookieSigner.TryVerify(name, signed, maxAge ?? App.Options.SignedCookieMaxAge, out var value) ? value : null;
    }

    /// <summary>Reads the whole body (up to the server's MaxRequestBodySize).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The bytes.</returns>
    public ValueTask<byte[]> ReadBytesAsync(CancellationToken cancellationToken = default) => Http.ReadToEndAsync(cancellationToken);

    /// <summary>Reads the whole body as text, in the Content-Type's charset (UTF-8 by default).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The text.</returns>
    public async ValueTask<string> ReadTextAsync(CancellationToken cancellationToken = default)
    {
        var bytes = await Http.ReadToEndAsync(cancellationToken);
        return BodyEncoding().GetString(bytes);
    }

    /// <summary>Reads the body as JSON with a source-generated contract.</summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="typeInfo">Its contract, from a <c>JsonSerializerContext</c>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The value.</returns>
    /// <exception cref="HttpError">400 when the body is not valid JSON for <typeparamref name="T"/> or empty; 415 when it is not declared as JSON.</exception>
    public async ValueTask<T> ReadJsonAsync<T>(JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var bytes = await ReadJsonBytesAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(bytes, typeInfo) ?? throw EmptyJson(typeof(T));
        }
        catch (JsonException e)
        {
            throw MalformedJson(typeof(T), e);
        }
    }

    /// <summary>Reads the body as JSON with the app's <see cref="AppOptions.JsonOptions"/> (reflection-based).</summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The value.</returns>
    /// <exception cref="HttpError">400 when the body is not valid JSON for <typeparamref name="T"/> or empty; 415 when it is not declared as JSON.</exception>
    public async ValueTask<T> ReadJsonAsync<T>(CancellationToken cancellationToken = default)
    {
        var bytes = await ReadJsonBytesAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, App.Options.JsonOptions) ?? throw EmptyJson(typeof(T));
        }
        catch (JsonException e)
        {
            throw MalformedJson(typeof(T), e);
        }
        catch (NotSupportedException e)
        {
            throw MalformedJson(typeof(T), e);
        }
    }

    /// <summary>
    /// Reads an application/x-www-form-urlencoded or multipart/form-data body within
    /// <see cref="AppOptions.FormLimits"/>. Uploaded files over the memory threshold are spooled
    /// to temporary files, deleted when the request ends.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The form (the same instance if read twice).</returns>
    /// <exception cref="BadHttpRequestException">400 malformed, 413 over a limit, 415 not a form.</exception>
    public async ValueTask<Form> ReadFormAsync(CancellationToken cancellationToken = default)
    {
        if (_form is not null) return _form;
        var contentType = Http.Headers["Content-Type"];
        if (contentType is null && Http.ContentLength is null or 0 && !Http.IsChunked) return _form = Form.Empty;
        _form = await FormReader.ReadAsync(Http.Body, contentType, App.Options.FormLimits, cancellationToken);
        return _form;
    }

    private Parameters ParseQuery()
    {
        try
        {
            return UrlEncoded.ParseQuery(Http.Query, App.Options.FormLimits);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            // The forms' 413 (Content Too Large) speaks of a body; for the target, 414 (URI Too Long) is the status that fits.
            throw new HttpError(414, e.Message, e);
        }
    }

    private async ValueTask<byte[]> ReadJsonBytesAsync(CancellationToken cancellationToken)
    {
        var contentType = Http.Headers["Content-Type"];
        if (contentType is not null && !IsJson(contentType))
            throw new HttpError(415, $"The body is declared as '{contentType}'; send it as application/json.");
        var bytes = await Http.ReadToEndAsync(cancellationToken);
        if (bytes.Length == 0) throw new HttpError(400, "The request has no body; send a JSON document.");
        return bytes;
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.AsSpan();
        int semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0) mediaType = mediaType[..semicolon];
        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static HttpError MalformedJson(Type type, Exception e) =>
        new(400, $"The body is not valid JSON for {type.Name}: {e.Message}", e);

    private static HttpError EmptyJson(Type type) => new(400, $"The body is JSON null; send a {type.Name}.");

    private Encoding BodyEncoding()
    {
        var contentType = Http.Headers["Content-Type"];
        int at = contentType?.IndexOf("charset=", StringComparison.OrdinalIgnoreCase) ?? -1;
        if (at < 0) return Encoding.UTF8;
        var name = contentType!.AsSpan(at + 8).Trim().Trim('"');
        int end = name.IndexOfAny(';', ' ');
        if (end >= 0) name = name[..end];
        try
        {
            return Encoding.GetEncoding(name.ToString());
        }
        catch (ArgumentException)
        {
            throw new HttpError(415, $"The charset '{name}' of the body is not supported; send UTF-8.");
        }
    }

    /// <summary>Prepares for the connection's next request.</summary>
    internal void Reset()
    {
        _query = null;
        _cookies = null;
        _items = null;
        RouteValues.Clear();
        App = _server;
        Route = null;
        Target = null;
        Endpoint = null;
        RouteError = null;
        Response.Reset();
    }

    /// <summary>Cleans up after the request (temporary upload files).</summary>
    internal ValueTask EndAsync()
    {
        var form = _form;
        if (form is null) return default;
        _form = null;
        return form.DisposeAsync();
    }
}
