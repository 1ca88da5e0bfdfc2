namespace Eddy.Web.Forms;

/// <summary>
/// Collects one uploaded file: in memory up to <see cref="FormLimits.MemoryBufferThreshold"/>,
/// then in a temporary file with a random name, opened DeleteOnClose so that even a crashed
/// process leaves nothing behind on Windows; on Unix, <see cref="DeleteTemporaryFile"/> unlinks it.
/// </summary>
internal sealed class UploadBuffer(FormLimits limits)
{
    private byte[] _memory = [];
    private FileStream? _file;
    private long _length;

    public long Length => _length;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty) return;
        long length = _length + data.Length;
        if (length > limits.MaxFileSize)
            throw FormErrors.OverLimit("An uploaded file", nameof(FormLimits.MaxFileSize), limits.MaxFileSize.Value);
        if (_file is null && length <= limits.MemoryBufferThreshold)
        {
            if (length > _memory.Length) Array.Resize(ref _memory, (int)Math.Min(limits.MemoryBufferThreshold, Math.Max(length, _memory.Length * 2L)));
            data.Span.CopyTo(_memory.AsSpan((int)_length));
            _length = length;
            return;
        }
        if (_file is null)
        {
            _file = CreateTemporaryFile(limits.TempDirectory);
            if (_length > 0) await _file.WriteAsync(_memory.AsMemory(0, (int)_length), cancellationToken);
            _memory = [];
        }
        await _file.WriteAsync(data, cancellationToken);
        _length = length;
    }

    /// <summary>Hands the contents to a <see cref="FormFile"/>, which then owns the temporary file.</summary>
    public async ValueTask<FormFile> CompleteAsync(string name, string fileName, string contentType, CancellationToken cancellationToken)
    {
        if (_file is null) return new FormFile(name, fileName, contentType, _memory, (int)_length);
        await _file.FlushAsync(cancellationToken);
        var file = _file;
        _file = null;
        return new FormFile(name, fileName, contentType, file, _length);
    }

    /// <summary>Deletes the temporary file, if one was started (parsing failed midway).</summary>
    public void Discard()
    {
        if (_file is not null) DeleteTemporaryFile(_file);
        _file = null;
    }

    internal static FileStream CreateTemporaryFile(string directory)
    {
        // A random name, and CreateNew so that an existing file (or a planted symlink) is never reused.
        string path = Path.Combine(directory, "eddy-upload-" + Path.GetRandomFileName());
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete,
            bufferSize: 0, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    internal static void DeleteTemporaryFile(FileStream file)
    {
        string path = file.Name;
        try
        {
            file.Dispose();
        }
        catch (IOException)
        {
            // A failed flush must not keep the file on disk; the delete below still runs.
        }
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // DeleteOnClose removed it already, or the directory went away.
        }
        catch (UnauthorizedAccessException)
        {
            // Nothing more can be done; the OS temp cleaner will get it.
        }
    }
}
