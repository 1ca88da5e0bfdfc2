using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net;

/// <summary>
/// Sends a file, or a range of it, down a connection: with sendfile(2) on Linux, so the bytes go
/// from the page cache to the socket without ever being copied into the process; elsewhere, or
/// when the kernel refuses (a file system without splice support answers EINVAL), by reading into
/// a pooled buffer and writing that.
/// </summary>
/// <remarks>
/// <para>Ordering: what was written to the <see cref="ConnectionWriter"/> before (a response head)
/// is flushed to the socket first, then the file follows. Nothing may be written while the file
/// is being sent: the caller awaits the send first, as with every write.</para>
/// <para>The socket is non-blocking and edge-triggered: on EAGAIN the send waits for the writable
/// edge through <see cref="SocketChannel.WaitWritableAsync"/>, like every other wait on the loop.
/// The file read inside sendfile is a page-cache copy, or a disk read that blocks the loop thread
/// while it lasts, as nginx's sendfile does without its thread pools.</para>
/// <para>Failures: a broken connection surfaces as <see cref="ConnectionResetException"/> and
/// marks the writer broken; a file that turns out shorter than asked (truncated meanwhile) throws
/// <see cref="IOException"/>, and the caller must then abort the connection, since the length it
/// promised cannot be met.</para>
/// </remarks>
internal static class FileSender
{
    /// <summary>The fallback's read size: 64 KiB, the default high-water mark, so one read fills the writer once.</summary>
    private const int FallbackChunk = 64 * 1024;

    /// <summary>The most one sendfile call moves on Linux (MAX_RW_COUNT, 2 GiB less a page); larger counts are split.</summary>
    private const long MaxPerCall = 0x7FFFF000;

    /// <summary>Whether sendfile may be tried: 64-bit Linux (where off_t is 64 bits); set false once libc lacks it.</summary>
    private static bool s_sendFileAvailable = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Opens <paramref name="path"/> and sends <paramref name="count"/> bytes from <paramref name="offset"/> (to the end when null).</summary>
    public static async ValueTask SendFileAsync(ConnectionWriter writer, SocketChannel channel, string path, long offset, long? count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(file);
        if (offset < 0 || offset > length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"The offset must be within the file '{path}' (0 to its length, {length}).");
        long toSend = count ?? length - offset;
        if (toSend < 0 || toSend > length - offset)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The count must be between 0 and the {length - offset} bytes of '{path}' from offset {offset}.");
        await SendAsync(writer, channel, file, offset, toSend, useSendFile: true, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>
    /// after everything already written; completes when the last byte is handed to the kernel,
    /// with the number of times it had to wait for room in the socket (for tests and diagnostics).
    /// <c>useSendFile: false</c> forces the portable path (tests).
    /// </summary>
    public static async ValueTask<int> SendAsync(ConnectionWriter writer, SocketChannel channel, SafeFileHandle file, long offset, long count, bool useSendFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        channel.Loop.AssertOnLoopThread();
        if (writer.IsEofRequested) throw new InvalidOperationException("WriteEof() was called: this side of the connection is shut down for writing and takes no file.");
        await writer.FlushAsync(cancellationToken); // the head written before goes first
        if (count == 0) return 0;

        var progress = new Progress { Offset = offset, End = offset + count };
        if (useSendFile && s_sendFileAvailable)
        {
            await SendWithSendFileAsync(writer, channel, file, progress, cancellationToken);
            if (progress.Offset == progress.End) return progress.Waits;
        }
        await SendWithCopyAsync(writer, file, progress, cancellationToken);
        return progress.Waits;
    }

    /// <summary>Where a send is, shared by its two paths (async methods cannot take refs).</summary>
    private sealed class Progress
    {
        public long Offset;
        public long End;
        public int Waits;
    }

    /// <summary>The sendfile loop; stops short of the end only when the kernel declined and the copy should go on.</summary>
    private static async ValueTask SendWithSendFileAsync(ConnectionWriter writer, SocketChannel channel, SafeFileHandle file, Progress progress, CancellationToken cancellationToken)
    {
        while (progress.Offset < progress.End)
        {
            if (channel.IsClosed) throw Fail(writer, new ConnectionResetException("The connection was closed locally, so its file send cannot go on."));
            if (!channel.IsWritable)
            {
                progress.Waits++;
                await channel.WaitWritableAsync(cancellationToken);
            }
            long before = progress.Offset;
            int errno = TrySendFile(channel.Fd, file, ref progress.Offset, Math.Min(progress.End - progress.Offset, MaxPerCall));
            if (errno == 0)
            {
                if (progress.Offset == before) throw Truncated(progress.Offset, progress.End);
                continue; // a short send may still leave room: the next call says EAGAIN if not
            }
            switch (errno)
            {
                case EINTR:
                    continue;
                case EAGAIN:
                    channel.MarkNotWritable();
                    continue;
                case EINVAL or ENOSYS or EOPNOTSUPP:
                    return; // this file (or kernel) cannot be spliced: copy instead
                default:
                    throw Fail(writer, SocketErrors.ForTransfer(errno, "a file send (sendfile)"));
            }
        }
    }

    /// <summary>One sendfile call: 0 on progress or end of file (offset advanced or not), else errno.</summary>
    private static unsafe int TrySendFile(int socket, SafeFileHandle file, ref long offset, long count)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added); // the descriptor cannot be closed under the call
            long position = offset;
            nint sent;
            try
            {
                sent = SendFile(socket, (int)file.DangerousGetHandle(), &position, (nint)count);
            }
            catch (EntryPointNotFoundException)
            {
                s_sendFileAvailable = false; // a libc without sendfile: every later send copies
                return ENOSYS;
            }
            if (sent < 0) return Marshal.GetLastPInvokeError();
            offset += sent;
            return 0;
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    /// <summary>The portable path: read a chunk, write it, drain; flush at the end so completion means the same as with sendfile.</summary>
    private static async ValueTask SendWithCopyAsync(ConnectionWriter writer, SafeFileHandle file, Progress progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(FallbackChunk, progress.End - progress.Offset));
        try
        {
            while (progress.Offset < progress.End)
            {
                int read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, progress.End - progress.Offset)), progress.Offset);
                if (read == 0) throw Truncated(progress.Offset, progress.End);
                progress.Offset += read;
                writer.Write(buffer.AsSpan(0, read)); // copies what the socket does not take at once
                await Wait(writer.DrainAsync(cancellationToken), progress);
            }
            await Wait(writer.FlushAsync(cancellationToken), progress);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ValueTask Wait(ValueTask wait, Progress progress)
    {
        if (!wait.IsCompleted) progress.Waits++;
        return wait;
    }

    private static Exception Fail(ConnectionWriter writer, Exception error)
    {
        writer.Fail(error);
        return error;
    }

    private static IOException Truncated(long offset, long end) =>
        new($"The file ended at offset {offset}, {end - offset} bytes short of what was to be sent: it was truncated while being sent. The response's length cannot be met; abort the connection.");
}
