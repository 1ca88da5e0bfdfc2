using System.Net;

namespace Eddy.Web.Middlewares;

/// <summary>
/// Cross-site request forgery protection (Tornado's <c>xsrf_cookies</c>): a random token in a
/// cookie that a page must echo in its forms or in a header, which another site cannot read.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Safe methods (GET, HEAD, OPTIONS, TRACE) pass, and get the cookie if they have no valid one.</item>
/// <item>Other methods (POST, PUT, PATCH, DELETE, ...) must send the token in the X-XSRF-Token or
/// X-CSRF-Token header, or, for urlencoded and multipart bodies, in the <c>_xsrf</c> form field
/// (the form is read for it and stays available to the handler). It must match the cookie, or the
/// request is answered 403 with what is missing.</item>
/// <item>Each token handed out is masked afresh (Tornado's version 2 tokens), so a compressed page
/// does not leak it (BREACH); any masked form of the cookie's secret matches.</item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// app.Use(Xsrf.Create());
/// app.Get("/", req => Result.Html($"&lt;form method=post&gt;{Xsrf.FormHtml(req)}&lt;button&gt;Go&lt;/button&gt;&lt;/form&gt;"));
/// // Scripts send the cookie's value back: fetch(url, { method: "POST", headers: { "X-XSRF-Token": cookie("_xsrf") } })
/// </code>
/// </example>
public static class Xsrf
{
    private const string ItemKey = "Eddy.Web.Xsrf";

    /// <summary>Makes the XSRF middleware.</summary>
    /// <param name="options">Names, cookie attributes, exemptions; Tornado's defaults when null.</param>
    /// <returns>The middleware, for <see cref="App.Use"/>.</returns>
    /// <exception cref="ArgumentException">An empty cookie, field or header name.</exception>
    public static Middleware Create(XsrfOptions? options = null)
    {
        options ??= new XsrfOptions();
        ArgumentException.ThrowIfNullOrEmpty(options.CookieName, "options.CookieName");
        ArgumentException.ThrowIfNullOrEmpty(options.FormField, "options.FormField");
        ArgumentNullException.ThrowIfNull(options.Cookie, "options.Cookie");
        string[] headerNames = [.. options.HeaderNames];
        foreach (var name in headerNames) ArgumentException.ThrowIfNullOrEmpty(name, "options.HeaderNames");
        // Fail now, not at the first request, if the cookie's attributes are refused (SameSite=None without Secure).
        Cookies.SetCookie.Format(options.CookieName, XsrfToken.New(options.FormField).Mask(), options.Cookie);
        return (request, next) => IsSafe(request.Method) || options.Exempt?.Invoke(request) == true
            ? PassSafe(request, next, options)
            : CheckAsync(request, next, options, headerNames);
    }

    /// <summary>
    /// A token for a form or a script of this request's page: masked afresh at each call, each
    /// matching the request's cookie.
    /// </summary>
    /// <param name="request">The request (passed through the <see cref="Xsrf"/> middleware).</param>
    /// <returns>The token (URL- and HTML-safe characters).</returns>
    /// <exception cref="InvalidOperationException">The middleware did not run for this request.</exception>
    public static string GetToken(Request request) => Get(request).Mask();

    /// <summary>A hidden form field with a token (Tornado's <c>xsrf_form_html()</c>): put it inside every POST form.</summary>
    /// <param name="request">The request (passed through the <see cref="Xsrf"/> middleware).</param>
    /// <returns><c>&lt;input type="hidden" name="_xsrf" value="..."&gt;</c>.</returns>
    /// <exception cref="InvalidOperationException">The middleware did not run for this request.</exception>
    public static string FormHtml(Request request)
    {
        var token = Get(request);
        return $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(token.FieldName)}\" value=\"{token.Mask()}\">";
    }

    private static XsrfToken Get(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Items.TryGetValue(ItemKey, out var value) && value is XsrfToken token) return token;
        throw new InvalidOperationException(
            "No XSRF token for this request: the Xsrf middleware did not run for it. Add app.Use(Xsrf.Create()) before the routes " +
            "(and make sure XsrfOptions.Exempt does not exempt this request).");
    }

    private static bool IsSafe(string method) => method is "GET" or "HEAD" or "OPTIONS" or "TRACE";

    /// <summary>A safe (or exempt) request: make sure the browser holds a token for its next forms.</summary>
    private static ValueTask<Result> PassSafe(Request request, Endpoint next, XsrfOptions options)
    {
        var token = XsrfToken.TryRead(request.Cookies[options.CookieName], options.FormField);
        if (token is null)
        {
            token = XsrfToken.New(options.FormField);
            request.Response.SetCookie(options.CookieName, token.Mask(), options.Cookie);
        }
        request.Items[ItemKey] = token;
        return next(request);
    }

    private static async ValueTask<Result> CheckAsync(Request request, Endpoint next, XsrfOptions options, string[] headerNames)
    {
        var cookie = request.Cookies[options.CookieName];
        var token = XsrfToken.TryRead(cookie, options.FormField);
        if (token is null)
        {
            return Result.Status(403, cookie is null
                ? $"XSRF check failed: the request has no '{options.CookieName}' cookie. Load a page of this site (a GET sets the cookie) before sending {request.Method}, and let the browser send cookies."
                : $"XSRF check failed: the '{options.CookieName}' cookie is not a valid token. Load a page of this site again (a GET replaces the cookie).");
        }
        string? sent = null;
        foreach (var name in headerNames)
        {
            if (request.Headers.TryGetValue(name, out sent)) break;
        }
        if (sent is null && IsForm(request.Headers["Content-Type"]))
        {
            var form = await request.ReadFormAsync(request.Aborted);
            sent = form.Fields[options.FormField];
        }
        if (sent is null)
        {
            return Result.Status(403,
                $"XSRF check failed: '{options.FormField}' argument missing from {request.Method}. Put Xsrf.FormHtml(request) inside the form, " +
                $"or send the '{options.CookieName}' cookie's value in {DescribeHeaders(headerNames)}.");
        }
        if (!token.Matches(sent))
        {
            return Result.Status(403,
                $"XSRF check failed: the token sent does not match the '{options.CookieName}' cookie. Send the token of a page loaded from this site " +
                $"(Xsrf.FormHtml(request) in forms, the cookie's value in {DescribeHeaders(headerNames)}) after the cookie was set.");
        }
        request.Items[ItemKey] = token;
        return await next(request);
    }

    private static string DescribeHeaders(string[] headerNames) =>
        headerNames.Length == 0 ? "the form field (no header is configured)" : $"the {string.Join(" or ", headerNames)} header";

    private static bool IsForm(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase));
}
