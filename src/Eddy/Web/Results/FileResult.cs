using System.Diagnostics;
using System.Text;
using Eddy.Http;
using Eddy.Loop;
using Eddy.Web.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Eddy.Web.Results;

/// <summary>
/// Serves one file (aiohttp's FileResponse): the whole file, a range or several, or a 304, with
/// validators (ETag, Last-Modified) and Accept-Ranges, the bytes going out with sendfile(2).
/// Made by <see cref="Result.File"/>.
/// </summary>
/// <remarks>
/// <para>The file is opened once, and its length and modification time are read from that handle
/// (fstat), so what the validators and Content-Length describe is what is sent, even if the file is
/// replaced meanwhile (a rename over it leaves the open inode intact).</para>
/// <para>The conditional headers are evaluated by <see cref="Preconditions.Evaluate"/> (RFC 9110
/// §13.2.2), the Range header by <see cref="ByteRangeHeader.Parse"/>: one range → 206 with
/// Content-Range; several → 206 multipart/byteranges with an exact Content-Length; none satisfiable
/// → 416 with <c>Content-Range: bytes */length</c>.</para>
/// <para>File bodies are never compressed: the result writes through <see cref="Response.Http"/>,
/// under the compression of <see cref="Response"/>. A compressed body would make the ranges and the
/// strong ETag describe bytes that were not sent, and would lose sendfile's zero-copy path.</para>
/// <para>A missing file, a directory, or one the process may not read are all answered 404 by the
/// error pages (the cause is logged at debug level), so a client cannot tell them apart.</para>
/// </remarks>
[DebuggerDisplay("FileResult {Path}")]
public sealed class FileResult : IResult
{
    /// <summary>Creates a result serving <paramref name="path"/>.</summary>
    /// <param name="path">The file's path (trusted: it is opened as given; see <see cref="SafePath"/> for request paths).</param>
    /// <param name="contentType">The Content-Type; from the file's extension (<see cref="ContentTypes"/>) when null.</param>
    public FileResult(string path, string? contentType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        ContentType = contentType;
    }

    /// <summary>The file served.</summary>
    public string Path { get; }

    /// <summary>The Content-Type; null to take it from the extension.</summary>
    public string? ContentType { get; }

    /// <summary>
    /// A Cache-Control value sent with the file (200, 206) and with 304 (RFC 9110 §15.4.5 wants a
    /// 304 to carry what the 200 would); none when null.
    /// </summary>
    public string? CacheControl { get; init; }

    /// <summary>
    /// When set, the file is offered as a download under this name (Content-Disposition: attachment,
    /// with an ASCII fallback and the UTF-8 name of RFC 6266).
    /// </summary>
    public string? DownloadName { get; init; }

    /// <inheritdoc/>
    public async ValueTask ExecuteAsync(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            // A directory (UnauthorizedAccessException on Unix), a missing or unreadable file: the
            // same 404, so that nobody learns which files exist by probing.
            EventLoop.Current?.Logger.LogDebug("Answering 404 for {Path}: {Reason}", Path, e.Message);
            await request.App.ExecuteAsync(request, Result.NotFound($"Nothing is at {request.Path}."));
            return;
        }
        using (file)
        {
            long length = RandomAccess.GetLength(file);
            var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(file));
            await SendAsync(request, file, length, modified);
        }
    }

    private async ValueTask SendAsync(Request request, SafeFileHandle file, long length, DateTimeOffset modified)
    {
        var headers = request.Headers;
        var etag = EntityTag.FromFile(length, modified.UtcDateTime);
        var condition = Preconditions.Evaluate(request.Method,
            headers["If-Match"], headers["If-None-Match"], headers["If-Modified-Since"], headers["If-Unmodified-Since"], headers["If-Range"],
            etag, modified);
        if (condition.Outcome == PreconditionOutcome.PreconditionFailed)
        {
            await request.App.ExecuteAsync(request, Result.Status(412, "A precondition (If-Match or If-Unmodified-Since) does not hold for the current file."));
            return;
        }

        // Everything below writes through the HTTP response itself: never compressed (see remarks).
        var http = request.Response.Http;
        http.Headers.Set("ETag", etag.ToString());
        http.Headers.Set("Last-Modified", HttpDate.Format(modified));
        if (CacheControl is not null) http.Headers.Set("Cache-Control", CacheControl);
        if (condition.Outcome == PreconditionOutcome.NotModified)
        {
            http.StatusCode = 304;
            return;
        }
        http.Headers.Set("Accept-Ranges", "bytes");
        if (DownloadName is not null) http.Headers.Set("Content-Disposition", ContentDisposition(DownloadName));
        string contentType = ContentType ?? ContentTypes.ForPath(Path);

        var ranges = condition.RangeAllowed ? ByteRangeHeader.Parse(headers["Range"], length) : default;
        switch (ranges.Kind)
        {
            case ByteRangeKind.Unsatisfiable:
                http.Headers.Set("Content-Range", ContentRange.UnsatisfiedContentRangeHeader(length));
                await request.App.ExecuteAsync(request, Result.Status(416, $"No range asked for lies within the file's {length} bytes."));
                return;
            case ByteRangeKind.Satisfiable when ranges.Ranges.Count == 1:
                var range = ranges.Ranges[0];
                http.StatusCode = 206;
                http.Headers.Set("Content-Type", contentType);
                http.Headers.Set("Content-Range", range.ToContentRangeHeader(length));
                await http.SendFileAsync(file, range.First, range.Length, request.Aborted);
                return;
            case ByteRangeKind.Satisfiable:
                await SendMultipartAsync(request, http, file, contentType, ranges.Ranges, length);
                return;
            default:
                http.Headers.Set("Content-Type", contentType);
                await http.SendFileAsync(file, 0, length, request.Aborted); // HEAD: the head with the length, no body
                return;
        }
    }

    /// <summary>206 multipart/byteranges: each part's head written, its bytes sent from the file; the length declared up front.</summary>
    private static async ValueTask SendMultipartAsync(Request request, HttpResponse http, SafeFileHandle file, string contentType, IReadOnlyList<ContentRange> ranges, long length)
    {
        string boundary = MultipartByteRanges.CreateBoundary();
        http.StatusCode = 206;
        http.Headers.Set("Content-Type", MultipartByteRanges.ContentType(boundary));
        http.ContentLength = MultipartByteRanges.BodyLength(boundary, contentType, ranges, length);
        for (int i = 0; i < ranges.Count; i++)
        {
            http.Write(Encoding.ASCII.GetBytes(MultipartByteRanges.PartHead(boundary, contentType, ranges[i], length)));
            await http.SendFileAsync(file, ranges[i].First, ranges[i].Length, request.Aborted);
        }
        http.Write(Encoding.ASCII.GetBytes(MultipartByteRanges.Closing(boundary)));
    }

    /// <summary>RFC 6266: <c>attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded</c>.</summary>
    private static string ContentDisposition(string name)
    {
        var fallback = new StringBuilder(name.Length);
        foreach (char c in name)
            fallback.Append(c is < ' ' or > '~' or '"' or '\\' ? '_' : c);
        return $"attachment; filename=\"{fallback}\"; filename*=UTF-8''{Uri.EscapeDataString(name)}";
    }
}
