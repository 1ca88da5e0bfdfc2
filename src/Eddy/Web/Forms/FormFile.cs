using System.Diagnostics;

namespace Eddy.Web.Forms;

/// <summary>
/// A file uploaded in a multipart form: small files are held in memory, larger ones in a
/// temporary file (see <see cref="FormLimits.MemoryBufferThreshold"/>) that is deleted when the
/// <see cref="Form"/> is disposed. Valid until then: copy it with <see cref="SaveAsAsync"/> to keep it.
/// </summary>
[DebuggerDisplay("{Name,nq}: {FileName} ({Length} bytes)")]
public sealed class FormFile
{
    private readonly byte[]? _memory;
    private readonly string? _path;
    private FileStream? _handle;

    internal FormFile(string name, string fileName, string contentType, byte[] memory, int length)
    {
        (Name, FileName, ContentType, Length) = (name, fileName, contentType, length);
        _memory = memory;
    }

    internal FormFile(string name, string fileName, string contentType, FileStream handle, long length)
    {
        (Name, FileName, ContentType, Length) = (name, fileName, contentType, length);
        _handle = handle;
        _path = handle.Name;
    }

    /// <summary>The form field's name.</summary>
    public string Name { get; }

    /// <summary>
    /// The client's file name, reduced to its last path segment ("../../etc/passwd" → "passwd",
    /// "C:\x\y.txt" → "y.txt") with control characters removed; empty when the client sent none.
    /// Still untrusted: never use it as a path on the server without your own checks.
    /// </summary>
    public string FileName { get; }

    /// <summary>The part's Content-Type as sent; "text/plain" when absent (RFC 7578 §4.4).</summary>
    public string ContentType { get; }

    /// <summary>The file's size in bytes.</summary>
    public long Length { get; }

    /// <summary>Whether the contents are in a temporary file (over <see cref="FormLimits.MemoryBufferThreshold"/>).</summary>
    public bool IsOnDisk => _path is not null;

    /// <summary>Opens the contents for reading; each call gives a new stream at the start.</summary>
    /// <returns>A read-only stream; dispose it.</returns>
    /// <exception cref="ObjectDisposedException">The form was disposed.</exception>
    public Stream OpenRead()
    {
        if (_memory is not null) return new MemoryStream(_memory, 0, (int)Length, writable: false);
        ObjectDisposedException.ThrowIf(_handle is null, this);
        return new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 16 * 1024, useAsync: true);
    }

    /// <summary>Copies the contents to <paramref name="path"/>, replacing any file there.</summary>
    /// <param name="path">Where to save; choose it yourself rather than from <see cref="FileName"/> alone.</param>
    /// <param name="cancellationToken">Stops the copy (the partial file is deleted).</param>
    /// <exception cref="ObjectDisposedException">The form was disposed.</exception>
    public async Task SaveAsAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await using var source = OpenRead();
        try
        {
            await using var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 16 * 1024, useAsync: true);
            await source.CopyToAsync(target, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Deletes the temporary file, if any (the handle was opened with DeleteOnClose; the explicit delete covers platforms that ignore it).</summary>
    internal void Delete()
    {
        var handle = Interlocked.Exchange(ref _handle, null);
        if (handle is null) return;
        UploadBuffer.DeleteTemporaryFile(handle);
    }

    /// <summary>The last path segment of <paramref name="raw"/>, without control characters; "" for "." and "..".</summary>
    internal static string SanitizeFileName(string raw)
    {
        int slash = raw.AsSpan().LastIndexOfAny('/', '\\');
        var name = raw.AsSpan(slash + 1);
        Span<char> clean = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        int n = 0;
        foreach (char c in name)
        {
            if (!char.IsControl(c)) clean[n++] = c;
        }
        var result = clean[..n].Trim();
        return result is "." or ".." ? "" : result.ToString();
    }
}
