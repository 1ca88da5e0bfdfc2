using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Eddy.Web.Forms;

/// <summary>
/// A streaming multipart/form-data parser (RFC 7578 on RFC 2046 §5.1): reads the body through
/// one pooled buffer, so memory stays bounded whatever the upload's size, and the result does not
/// depend on how the body is split across reads.
/// </summary>
/// <remarks>
/// <para>The body is: a preamble (ignored), "--boundary", then for each part: optional spaces or
/// tabs, CRLF, header lines, an empty line, the content, and "CRLF--boundary"; after the last
/// part the boundary is followed by "--" and an epilogue (read and ignored, so that the
/// connection can carry the next request).</para>
/// <para>Part content is searched for "CRLF--boundary" in the buffered bytes; whatever cannot be
/// the start of that delimiter (all but its length minus one bytes) is handed on at once.</para>
/// </remarks>
internal sealed class MultipartParser : IDisposable
{
    private readonly Stream _body;
    private readonly FormLimits _limits;
    private readonly string _boundary;
    private readonly byte[] _dashBoundary; // "--boundary": the first delimiter may open the body without a CRLF
    private readonly byte[] _delimiter;    // "\r\n--boundary"
    private byte[] _buffer;
    private int _start, _end;
    private bool _eof;
    private long _total;

    public MultipartParser(Stream body, string boundary, FormLimits limits)
    {
        _body = body;
        _limits = limits;
        _boundary = boundary;
        _dashBoundary = Encoding.ASCII.GetBytes("--" + boundary);
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        // Room for a whole header section and the delimiters around it.
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(32 * 1024, limits.MaxPartHeaderSize + 2 * _delimiter.Length + 8));
    }

    private Span<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public async ValueTask<Form> ReadAsync(CancellationToken cancellationToken)
    {
        var fields = new ParametersBuilder();
        var files = new List<FormFile>();
        UploadBuffer? upload = null;
        try
        {
            await SkipPreambleAsync(cancellationToken);
            while (await NextPartFollowsAsync(cancellationToken))
            {
                var part = await ReadPartHeadersAsync(cancellationToken);
                if (fields.Count + files.Count == _limits.MaxFieldCount) throw FormErrors.TooManyFields("multipart form", _limits.MaxFieldCount);
                if (Encoding.UTF8.GetByteCount(part.Name) > _limits.MaxKeyLength)
                    throw FormErrors.OverLimit("A field name in the multipart form", nameof(FormLimits.MaxKeyLength), _limits.MaxKeyLength);
                if (part.FileName is null)
                {
                    fields.Add(part.Name, await ReadFieldValueAsync(part.Name, cancellationToken));
                }
                else
                {
                    upload = new UploadBuffer(_limits);
                    await ReadContentAsync(part.Name, upload, null, cancellationToken);
                    files.Add(await upload.CompleteAsync(part.Name, part.FileName, part.ContentType, cancellationToken));
                    upload = null;
                }
            }
            await SkipEpilogueAsync(cancellationToken);
            return new Form(fields.Build(), files);
        }
        catch
        {
            // Over a limit, malformed, cancelled or a failed read: nothing may stay on disk.
            upload?.Discard();
            foreach (var file in files) file.Delete();
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    private async ValueTask SkipPreambleAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(_dashBoundary.Length, cancellationToken);
        if (Buffered.StartsWith(_dashBoundary))
        {
            _start += _dashBoundary.Length;
            return;
        }
        while (true)
        {
            int index = Buffered.IndexOf(_delimiter);
            if (index >= 0)
            {
                _start += index + _delimiter.Length;
                return;
            }
            if (_eof)
                throw FormErrors.Malformed($"The multipart body has no boundary line \"--{_boundary}\"; the boundary in the Content-Type must be the one the body uses.");
            _start = Math.Max(_start, _end - (_delimiter.Length - 1));
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>After a boundary: true if a part follows (LWSP CRLF), false at the close delimiter ("--").</summary>
    private async ValueTask<bool> NextPartFollowsAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(2, cancellationToken);
        if (Buffered.StartsWith("--"u8))
        {
            _start += 2;
            return false;
        }
        while (true)
        {
            await EnsureAsync(2, cancellationToken);
            var buffered = Buffered;
            if (buffered.StartsWith("\r\n"u8))
            {
                _start += 2;
                return true;
            }
            if (buffered.Length > 0 && buffered[0] is (byte)' ' or (byte)'\t')
            {
                _start++; // RFC 2046 transport padding
                continue;
            }
            if (buffered.IsEmpty)
                throw FormErrors.Malformed($"The multipart body ended after a boundary; it must end with the close delimiter \"--{_boundary}--\".");
            throw FormErrors.Malformed($"A multipart boundary line \"--{_boundary}\" must be followed by CRLF (or \"--\" after the last part); the boundary may also occur inside a part's content, which RFC 2046 forbids.");
        }
    }

    private async ValueTask<PartHeaders> ReadPartHeadersAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffered = Buffered;
            int sectionLength = buffered.StartsWith("\r\n"u8) ? 2 : buffered.IndexOf("\r\n\r\n"u8) is var end and >= 0 ? end + 4 : -1;
            if (sectionLength > _limits.MaxPartHeaderSize || (sectionLength < 0 && buffered.Length > _limits.MaxPartHeaderSize))
                throw FormErrors.OverLimit("A multipart part's header section", nameof(FormLimits.MaxPartHeaderSize), _limits.MaxPartHeaderSize);
            if (sectionLength >= 0)
            {
                var headers = PartHeaders.Parse(buffered[..(sectionLength - 2)]);
                _start += sectionLength;
                return headers;
            }
            if (_eof) throw FormErrors.Malformed("The multipart body ended inside a part's headers; each header section ends with an empty line (CRLF CRLF).");
            await FillAsync(cancellationToken);
        }
    }

    private async ValueTask<string> ReadFieldValueAsync(string name, CancellationToken cancellationToken)
    {
        var value = new ArrayBufferWriter<byte>();
        await ReadContentAsync(name, null, value, cancellationToken);
        return Encoding.UTF8.GetString(value.WrittenSpan);
    }

    /// <summary>Passes a part's content, up to the next delimiter, to <paramref name="upload"/> or <paramref name="value"/>.</summary>
    private async ValueTask ReadContentAsync(string name, UploadBuffer? upload, ArrayBufferWriter<byte>? value, CancellationToken cancellationToken)
    {
        while (true)
        {
            int index = Buffered.IndexOf(_delimiter);
            int length = index >= 0 ? index : Math.Max(0, _end - _start - (_delimiter.Length - 1));
            if (length > 0)
            {
                if (upload is not null) await upload.WriteAsync(_buffer.AsMemory(_start, length), cancellationToken);
                else
                {
                    if (value!.WrittenCount + length > _limits.MaxValueLength)
                        throw FormErrors.OverLimit($"The value of multipart field \"{name}\"", nameof(FormLimits.MaxValueLength), _limits.MaxValueLength);
                    value.Write(_buffer.AsSpan(_start, length));
                }
                _start += length;
            }
            if (index >= 0)
            {
                _start += _delimiter.Length;
                return;
            }
            if (_eof)
                throw FormErrors.Malformed($"The multipart body ended inside part \"{name}\"; each part must end with \"\\r\\n--{_boundary}\" and the body with \"--{_boundary}--\".");
            await FillAsync(cancellationToken);
        }
    }

    private async ValueTask SkipEpilogueAsync(CancellationToken cancellationToken)
    {
        while (!_eof)
        {
            _start = _end;
            await FillAsync(cancellationToken);
        }
    }

    private async ValueTask EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count && !_eof) await FillAsync(cancellationToken);
    }

    /// <summary>Moves the unread bytes to the front and reads more; sets <see cref="_eof"/> at the body's end.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffered.CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        // Callers keep less than a buffer unread (limits and delimiter tails are smaller), so there is room.
        Debug.Assert(_end < _buffer.Length, "multipart buffer full before a read");
        int n = await _body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (n == 0)
        {
            _eof = true;
            return;
        }
        _end += n;
        _total += n;
        if (_total > _limits.MaxMultipartBodyLength)
            throw FormErrors.OverLimit("The multipart body", nameof(FormLimits.MaxMultipartBodyLength), _limits.MaxMultipartBodyLength);
    }
}
