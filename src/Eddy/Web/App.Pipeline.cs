using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Eddy.Http;
using Eddy.Loop;
using Eddy.Web.Routing;
using Microsoft.Extensions.Logging;

namespace Eddy.Web;

/// <summary>How a request flows: route match, middleware, handler, result, error pages.</summary>
public sealed partial class App
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_jsonBuffer;
    [ThreadStatic] private static Utf8JsonWriter? t_jsonWriter;

    private HttpHandler Build()
    {
        _frozen = true;
        _pipeline = Wrap(request => request.Target is { } target ? target.Chain(this)(request) : request.Endpoint!(request));
        return HandleAsync;
    }

    /// <summary>This app's middleware around <paramref name="inner"/>, the first added outermost.</summary>
    internal Endpoint Wrap(Endpoint inner)
    {
        var endpoint = inner;
        for (int i = _middleware.Count - 1; i >= 0; i--)
        {
            var middleware = _middleware[i];
            var next = endpoint;
            endpoint = request => middleware(request, next);
        }
        return endpoint;
    }

    private async ValueTask HandleAsync(HttpRequest http, HttpResponse httpResponse)
    {
        var request = http.Context as Request;
        if (request is null)
        {
            request = new Request(this, http, httpResponse);
            http.Context = request;
        }
        else
        {
            request.Reset();
        }
        try
        {
            try
            {
                Resolve(request);
                var result = await _pipeline!(request);
                await ExecuteAsync(request, result); // a result that fails before sending anything gets an error page too
            }
            catch (Exception e) when (!httpResponse.HasStarted && !request.Aborted.IsCancellationRequested)
            {
                request.Response.Clear(); // what the handler wrote before it failed must not prefix the error page
                await ExecuteAsync(request, ErrorResult(request, e));
            }
            request.Response.Complete();
        }
        finally
        {
            await request.EndAsync();
        }
    }

    /// <summary>Matches the route; what does not match gets an endpoint that answers the error.</summary>
    private void Resolve(Request request)
    {
        var match = _router.Match(request.Method, request.Path, request.RouteValues);
        switch (match.Kind)
        {
            case RouteMatchKind.Found:
                request.Route = match.Route;
                request.Target = match.Endpoint;
                return;
            case RouteMatchKind.MethodNotAllowed:
                var allow = string.Join(", ", match.AllowedMethods!);
                request.Response.Headers.Set("Allow", allow);
                request.Endpoint = static request => new(Result.Status(405, $"{request.Method} is not allowed here; this resource allows {(request.Response.Headers.TryGetValue("Allow", out var allowed) ? allowed : "nothing")}."));
                return;
            case RouteMatchKind.InvalidRouteValue:
                if (match.Route is null && TryStaticNotFound(request)) return; // undecodable: under a static prefix, a 404 like any refused path
                request.RouteError = match.Error;
                request.Endpoint = static request => new(Result.Status(400, request.RouteError));
                return;
            case RouteMatchKind.RedirectToCanonical:
                var query = request.Http.Query;
                var location = query.Length == 0 ? match.RedirectPath! : match.RedirectPath + "?" + query;
                request.Endpoint = _ => new(Result.Redirect(location, 308));
                return;
            default:
                request.Endpoint = static request => new(Result.Status(404, $"Nothing is at {request.Path}."));
                return;
        }
    }

    /// <summary>The error page for a failed handler (logged when a 500); also used by middleware that completes responses itself (the access log).</summary>
    internal Result ErrorResult(Request request, Exception e)
    {
        switch (e)
        {
            case HttpError error:
                if (error.HeadersOrNull is { } headers)
                    foreach (var (name, value) in headers) request.Response.Headers.Set(name, value);
                if (error.StatusCode >= 500) Log(request, e);
                return Result.Status(error.StatusCode, error.Message);
            case BadHttpRequestException bad:
                return Result.Status(bad.StatusCode, bad.Message);
            default:
                Log(request, e);
                return Result.Status(500, Options.Debug ? e.ToString() : null);
        }
    }

    private static void Log(Request request, Exception e)
    {
        var loop = EventLoop.Current;
        loop?.Logger.LogError(e, "The handler of {Method} {Path} failed.", request.Method, request.Path);
    }

    /// <summary>Writes <paramref name="result"/> into the request's response.</summary>
    internal ValueTask ExecuteAsync(Request request, Result result)
    {
        var response = request.Response;
        switch (result.Kind)
        {
            case ResultKind.Empty:
                return default;
            case ResultKind.Text:
                response.StatusCode = result.StatusCode;
                response.ContentType ??= (string)result.Extra!;
                response.Write((string)result.Value!);
                return default;
            case ResultKind.Bytes:
                response.StatusCode = result.StatusCode;
                response.ContentType ??= (string)result.Extra!;
                response.WriteWhole(result.Data.Span);
                return default;
            case ResultKind.Json:
                response.StatusCode = result.StatusCode;
                WriteJson(response, result.Value, result.Extra!);
                return default;
            case ResultKind.Redirect:
                response.StatusCode = result.StatusCode;
                response.Headers.Set("Location", (string)result.Value!);
                return default;
            case ResultKind.Status:
                ErrorPages.Write(request, result.StatusCode, (string?)result.Value, Options.Debug);
                return default;
            default:
                return ((IResult)result.Value!).ExecuteAsync(request);
        }
    }

    private void WriteJson(Response response, object? value, object contract)
    {
        response.ContentType ??= Result.JsonType;
        var buffer = t_jsonBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_jsonWriter ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        if (contract is JsonTypeInfo typeInfo) JsonSerializer.Serialize(writer, value, typeInfo);
        else JsonSerializer.Serialize(writer, value, (Type)contract, Options.JsonOptions);
        writer.Flush();
        response.WriteWhole(buffer.WrittenSpan);
        if (buffer.Capacity > 64 * 1024) t_jsonBuffer = null; // a huge document: do not keep its buffer forever
    }
}
