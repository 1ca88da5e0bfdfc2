using System.Net;
using System.Text.Json;
using Eddy.Http;

namespace Eddy.Web;

/// <summary>
/// Renders error statuses (404, 405, 400, 500, ...) as JSON, HTML or plain text, whichever the
/// request's Accept header prefers (plain text when it names none of them). The message says
/// what went wrong; exception details appear only in debug mode.
/// </summary>
internal static class ErrorPages
{
    private enum Format : byte { Text, Html, Json }

    /// <summary>Answers <paramref name="status"/>; statuses below 400 (204, 201, ...) get no body.</summary>
    public static void Write(Request request, int status, string? message, bool debug)
    {
        var response = request.Response;
        if (response.HasStarted) return;
        response.StatusCode = status;
        if (status < 400) return;
        var reason = HttpStatus.Reason(status);
        message ??= reason;
        switch (Choose(request.Headers["Accept"]))
        {
            case Format.Json:
                response.ContentType = Result.JsonType;
                response.Write(JsonSerializer.Serialize(new ErrorBody(status, reason, message), ErrorJsonContext.Default.ErrorBody));
                break;
            case Format.Html:
                response.ContentType = Result.HtmlType;
                var encoded = WebUtility.HtmlEncode(message);
                var body = debug ? $"<pre>{encoded}</pre>" : $"<p>{encoded}</p>";
                response.Write($"<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1>{body}</body></html>\n");
                break;
            default:
                response.ContentType = Result.TextType;
                response.Write(message == reason ? $"{status} {reason}\n" : $"{status} {reason}: {message}\n");
                break;
        }
    }

    /// <summary>The first of JSON, HTML and text that Accept names with the highest quality.</summary>
    private static Format Choose(string? accept)
    {
        if (string.IsNullOrEmpty(accept)) return Format.Text;
        Format best = Format.Text;
        double bestQuality = 0;
        foreach (var range in accept.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = range.Split(';', StringSplitOptions.TrimEntries);
            double quality = 1;
            foreach (var parameter in parts.AsSpan(1))
            {
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase) &&
                    double.TryParse(parameter.AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q))
                    quality = q;
            }
            Format? format = parts[0].ToLowerInvariant() switch
            {
                "application/json" or "application/problem+json" => Format.Json,
                "text/html" or "application/xhtml+xml" => Format.Html,
                "text/plain" => Format.Text,
                _ => null,
            };
            if (format is { } f && quality > bestQuality)
            {
                best = f;
                bestQuality = quality;
            }
        }
        return best;
    }
}

/// <summary>The JSON error document: {"status":404,"error":"Not Found","message":"..."}.</summary>
internal sealed record ErrorBody(int Status, string Error, string Message);
