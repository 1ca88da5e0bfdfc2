using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Eddy.Http;
using Eddy.Loop;
using Eddy.Web.Cookies;
using Eddy.Web.Routing;
using Microsoft.Extensions.Logging;

namespace Eddy.Web;

/// <summary>
/// A Tornado-style handler class: override <see cref="GetAsync"/>, <see cref="PostAsync"/>, ...
/// and write the response with <see cref="Write(string)"/>, <see cref="SetHeader"/>,
/// <see cref="SetStatus"/>, <see cref="Redirect"/>. A new instance serves each request
/// (register it with <see cref="App.Route{THandler}(string, string?)"/>). Methods not
/// overridden answer 405 with an Allow header listing those that are.
/// </summary>
/// <example>
/// <code>
/// class MainHandler : RequestHandler
/// {
///     public override ValueTask GetAsync() { Write("Hello, world"); return default; }
/// }
/// app.Route&lt;MainHandler&gt;("/");
/// </code>
/// </example>
public abstract class RequestHandler
{
    private static readonly ConcurrentDictionary<Type, string[]> s_allowed = new();
    private static readonly string[] Verbs = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
    private Request? _request;
    private bool _finished;

    /// <summary>The request being served.</summary>
    public Request Request => _request ?? throw new InvalidOperationException("The handler is not serving a request yet: use Request from PrepareAsync or the method handlers, not the constructor.");

    /// <summary>The response being written.</summary>
    public Response Response => Request.Response;

    /// <summary>The app.</summary>
    public App App => Request.App;

    /// <summary>The route values ("{name}" in the route template).</summary>
    public RouteValues RouteValues => Request.RouteValues;

    /// <summary>Whether <see cref="Finish()"/> was called.</summary>
    public bool IsFinished => _finished;

    /// <summary>Runs before the method handler (Tornado's prepare); call <see cref="Finish()"/> in it to answer without the method handler.</summary>
    /// <returns>Completes when done.</returns>
    public virtual ValueTask PrepareAsync() => default;

    /// <summary>Handles GET (and HEAD, unless <see cref="HeadAsync"/> is overridden).</summary>
    /// <returns>Completes when the response is written.</returns>
    public virtual ValueTask GetAsync() => throw NotAllowed();

    /// <summary>Handles HEAD: runs <see cref="GetAsync"/> (the server sends no body).</summary>
    /// <returns>Completes when the response is written.</returns>
    public virtual ValueTask HeadAsync() => GetAsync();

    /// <summary>Handles POST.</summary>
    /// <returns>Completes when the response is written.</returns>
    public virtual ValueTask PostAsync() => throw NotAllowed();

    /// <summary>Handles PUT.</summary>
    /// <returns>Completes when the response is written.</returns>
    public virtual ValueTask PutAsync() => throw NotAllowed();

    /// <summary>Handles DELETE.</summary>
    /// <returns>Completes when the response is written.</returns>
    public virtual ValueTask DeleteAsync() => throw NotAllowed();

    /// <summary>Handles PATCH.</summary>
    /// <returns>Completes when the response is written.</returns>
    public virtual ValueTask PatchAsync() => throw NotAllowed();

    /// <summary>Handles OPTIONS.</summary>
    /// <returns>Completes when the response is written.</returns>
    public virtual ValueTask OptionsAsync() => throw NotAllowed();

    /// <summary>Runs after the response is complete, also after errors (Tornado's on_finish): log, release resources.</summary>
    public virtual void OnFinish() { }

    /// <summary>
    /// Writes the error page for <paramref name="statusCode"/> (Tornado's write_error). The default
    /// renders the app's error page (text, HTML or JSON by Accept; details only in debug mode).
    /// </summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="exception">The exception, if one caused it.</param>
    public virtual void WriteError(int statusCode, Exception? exception)
    {
        string? message = exception switch
        {
            HttpError error => error.Message,
            BadHttpRequestException bad => bad.Message,
            not null when Request.ServingApp.Options.Debug => exception.ToString(),
            _ => null,
        };
        ErrorPages.Write(Request, statusCode, message, Request.ServingApp.Options.Debug);
    }

    /// <summary>Adds text (UTF-8) to the body; text/html unless a Content-Type was set (Tornado's default).</summary>
    /// <param name="text">The text.</param>
    protected void Write(string text)
    {
        ThrowIfFinished();
        Response.ContentType ??= Result.HtmlType;
        Response.Write(text);
    }

    /// <summary>Adds bytes to the body.</summary>
    /// <param name="data">The bytes.</param>
    protected void Write(ReadOnlySpan<byte> data)
    {
        ThrowIfFinished();
        Response.Write(data);
    }

    /// <summary>Writes <paramref name="value"/> as the JSON body (Tornado's write(dict)).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">Its source-generated contract.</param>
    protected void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ThrowIfFinished();
        var status = Response.StatusCode;
        _ = App.ExecuteAsync(Request, Result.Json(value, typeInfo, status));
    }

    /// <summary>Sets a header, replacing any of that name.</summary>
    /// <param name="name">The header's name.</param>
    /// <param name="value">Its value.</param>
    protected void SetHeader(string name, string value) => Response.Headers.Set(name, value);

    /// <summary>Adds a header (several of a name are allowed).</summary>
    /// <param name="name">The header's name.</param>
    /// <param name="value">Its value.</param>
    protected void AddHeader(string name, string value) => Response.Headers.Add(name, value);

    /// <summary>Removes a header.</summary>
    /// <param name="name">The header's name.</param>
    protected void ClearHeader(string name) => Response.Headers.Remove(name);

    /// <summary>Sets the status code.</summary>
    /// <param name="statusCode">The status.</param>
    protected void SetStatus(int statusCode) => Response.StatusCode = statusCode;

    /// <summary>Redirects and finishes: 302, or 301 when <paramref name="permanent"/> (Tornado's redirect).</summary>
    /// <param name="url">Where to go.</param>
    /// <param name="permanent">301 instead of 302.</param>
    /// <param name="statusCode">Another redirect status (303, 307, 308) instead.</param>
    protected void Redirect(string url, bool permanent = false, int? statusCode = null)
    {
        ThrowIfFinished();
        if (Response.HasStarted) throw new InvalidOperationException("Cannot redirect after the response started.");
        _ = App.ExecuteAsync(Request, Result.Redirect(url, statusCode ?? (permanent ? 301 : 302)));
        _finished = true;
    }

    /// <summary>Ends the response; later writes throw (Tornado's finish).</summary>
    protected void Finish() => _finished = true;

    /// <summary>Adds <paramref name="text"/> and ends the response.</summary>
    /// <param name="text">The last text.</param>
    protected void Finish(string text)
    {
        Write(text);
        _finished = true;
    }

    /// <summary>A query argument's last value, or <paramref name="defaultValue"/> (Tornado's get_query_argument).</summary>
    /// <param name="name">The argument's name.</param>
    /// <param name="defaultValue">What to answer when it is missing.</param>
    /// <returns>The value.</returns>
    protected string? GetQueryArgument(string name, string? defaultValue = null)
    {
        var all = Request.Query.GetAll(name);
        return all.Count > 0 ? all[^1] : defaultValue;
    }

    /// <summary>A query argument that must be there (Tornado's get_argument without a default).</summary>
    /// <param name="name">The argument's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="HttpError">400 naming the missing argument.</exception>
    protected string GetRequiredQueryArgument(string name) =>
        GetQueryArgument(name) ?? throw new HttpError(400, $"The query argument '{name}' is missing; add ?{name}=... to the URL.");

    /// <summary>A cookie's value, or null.</summary>
    /// <param name="name">The cookie's name.</param>
    /// <returns>The value.</returns>
    protected string? GetCookie(string name) => Request.Cookies[name];

    /// <summary>Sets a cookie.</summary>
    /// <param name="name">The cookie's name.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Its attributes.</param>
    protected void SetCookie(string name, string value, CookieOptions? options = null) => Response.SetCookie(name, value, options);

    /// <summary>A signed cookie's value if genuine and fresh (Tornado's get_secure_cookie), or null.</summary>
    /// <param name="name">The cookie's name.</param>
    /// <returns>The value.</returns>
    protected string? GetSignedCookie(string name) => Request.GetSignedCookie(name);

    /// <summary>Sets a signed cookie (Tornado's set_secure_cookie).</summary>
    /// <param name="name">The cookie's name.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Its attributes.</param>
    protected void SetSignedCookie(string name, string value, CookieOptions? options = null) => Response.SetSignedCookie(name, value, options);

    /// <summary>Serves one request: prepare, the method's handler, errors, on-finish.</summary>
    internal async ValueTask<Result> RunAsync(Request request)
    {
        _request = request;
        try
        {
            await PrepareAsync();
            if (!_finished) await Dispatch(request.Method);
        }
        catch (Exception e) when (!Response.HasStarted && !request.Aborted.IsCancellationRequested)
        {
            int status = e switch
            {
                HttpError error => error.StatusCode,
                BadHttpRequestException bad => bad.StatusCode,
                _ => 500,
            };
            Response.Clear(); // Tornado's send_error clears what was written before the error
            Response.StatusCode = status; // so that a WriteError override need not set it
            _finished = false; // the error page is a new response: WriteError may Write and Finish
            if (e is HttpError { HeadersOrNull: { } headers })
                foreach (var (name, value) in headers) Response.Headers.Set(name, value);
            if (status >= 500)
                EventLoop.Current?.Logger.LogError(e, "{Handler} failed on {Method} {Path}.", GetType().Name, request.Method, request.Path);
            WriteError(status, e);
        }
        finally
        {
            _finished = true;
            OnFinish();
        }
        return Result.Empty;
    }

    private ValueTask Dispatch(string method) => method switch
    {
        "GET" => GetAsync(),
        "HEAD" => HeadAsync(),
        "POST" => PostAsync(),
        "PUT" => PutAsync(),
        "DELETE" => DeleteAsync(),
        "PATCH" => PatchAsync(),
        "OPTIONS" => OptionsAsync(),
        _ => throw NotAllowed(),
    };

    private HttpError NotAllowed()
    {
        var allowed = s_allowed.GetOrAdd(GetType(), FindOverrides);
        var error = new HttpError(405, $"{Request.Method} is not allowed here; this resource allows {string.Join(", ", allowed)}.");
        error.Headers["Allow"] = string.Join(", ", allowed);
        return error;
    }

    private static string[] FindOverrides(Type type)
    {
        var allowed = new List<string>();
        foreach (var verb in Verbs)
        {
            var name = verb == "HEAD" ? "GetAsync" : char.ToUpperInvariant(verb[0]) + verb[1..].ToLowerInvariant() + "Async";
            var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            if (method is not null && method.DeclaringType != typeof(RequestHandler)) allowed.Add(verb);
        }
        return [.. allowed];
    }

    private void ThrowIfFinished()
    {
        if (_finished) throw new InvalidOperationException("The response is finished (Finish or Redirect was called): nothing more can be written.");
    }
}
