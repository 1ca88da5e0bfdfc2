using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Sync;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Tests.Net;

/// <summary>
/// Files sent down a loopback connection. Both ends get 32 KiB socket buffers, far below the
/// 8 MiB file, so the sender must meet EAGAIN and wait for the writable edge.
/// </summary>
public sealed class FileSenderTests : IDisposable
{
    private const int FileSize = 8 * 1024 * 1024;
    private const int SmallBuffer = 32 * 1024;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"eddy-sendfile-{Guid.NewGuid():N}.bin");
    private readonly byte[] _content = StreamEchoTests.Payload(FileSize, 7);

    public FileSenderTests() => File.WriteAllBytes(_path, _content);

    public void Dispose() => File.Delete(_path);

    /// <summary>
    /// Runs <paramref name="send"/> as the server side of one connection once the client asked (one
    /// byte), closes, and returns what the client read to the end, plus the send's waits.
    /// </summary>
    private static (byte[] Received, int Waits) Exchange(Func<Connection, Task<int>> send)
    {
        byte[] received = [];
        int waits = -1;
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                connection.Channel.SetOption(SOL_SOCKET, SO_SNDBUF, SmallBuffer);
                if (await connection.Reader.ReadAsync(new byte[1]) == 0) return;
                waits = await send(connection);
            }, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            client.Channel.SetOption(SOL_SOCKET, SO_RCVBUF, SmallBuffer);
            await client.Writer.WriteAsync(new byte[] { 1 });
            received = await ReadToEndAsync(client);
        });
        return (received, waits);
    }

    private static async Task<byte[]> ReadToEndAsync(Connection connection)
    {
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await connection.Reader.ReadAsync(buffer)) > 0) all.Write(buffer, 0, n);
        return all.ToArray();
    }

    private static byte[] Concat(byte[] a, ReadOnlySpan<byte> b) => [.. a, .. b];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_8_MiB_file_arrives_exact_after_the_bytes_written_before_it(bool useSendFile)
    {
        // The head is larger than the socket buffers, so part of it is still in the writer's
        // buffer when the send starts: the file must wait for it.
        var head = StreamEchoTests.Payload(256 * 1024, 1);
        int bufferedAtStart = -1;
        var (received, waits) = Exchange(async connection =>
        {
            connection.Writer.Write(head);
            bufferedAtStart = connection.Writer.Buffered;
            using var file = File.OpenHandle(_path);
            return await FileSender.SendAsync(connection.Writer, connection.Channel, file, 0, FileSize, useSendFile, default);
        });
        Assert.True(bufferedAtStart > 0, "the head should still be partly buffered when the file send starts");
        Assert.True(waits > 0, "the send should have waited for room in the socket (EAGAIN)");
        Assert.Equal(head.Length + FileSize, received.Length);
        Assert.True(received.AsSpan(0, head.Length).SequenceEqual(head), "the head must come first, whole");
        Assert.True(received.AsSpan(head.Length).SequenceEqual(_content), "the file must follow, exact");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_range_in_the_middle_sends_exactly_those_bytes(bool useSendFile)
    {
        const long Offset = 1_000_003, Count = 3_000_001;
        var (received, _) = Exchange(async connection =>
        {
            connection.Writer.Write("HTTP/1.1 206\r\n\r\n"u8);
            using var file = File.OpenHandle(_path);
            return await FileSender.SendAsync(connection.Writer, connection.Channel, file, Offset, Count, useSendFile, default);
        });
        Assert.Equal(Concat("HTTP/1.1 206\r\n\r\n"u8.ToArray(), _content.AsSpan((int)Offset, (int)Count)), received);
    }

    [Fact]
    public void The_public_SendFileAsync_opens_the_file_and_sends_to_its_end()
    {
        var (received, _) = Exchange(async connection =>
        {
            await connection.Writer.SendFileAsync(_path, offset: FileSize - 100_000);
            await connection.Writer.SendFileAsync(_path, offset: 10, count: 5);
            return 0;
        });
        Assert.Equal(Concat(_content[^100_000..], _content.AsSpan(10, 5)), received);
    }

    [Fact]
    public void A_zero_count_sends_nothing_and_the_writer_goes_on()
    {
        var (received, _) = Exchange(async connection =>
        {
            await connection.Writer.SendFileAsync(_path, offset: FileSize, count: 0);
            await connection.Writer.WriteAsync("after"u8.ToArray());
            return 0;
        });
        Assert.Equal("after"u8.ToArray(), received);
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(FileSize + 1L, null)]
    [InlineData(0, FileSize + 1L)]
    [InlineData(100, FileSize - 99L)]
    [InlineData(0, -1L)]
    public void A_range_outside_the_file_is_refused_before_anything_is_sent(long offset, long? count)
    {
        Exception? seen = null;
        var (received, _) = Exchange(async connection =>
        {
            try { await connection.Writer.SendFileAsync(_path, offset, count); }
            catch (ArgumentOutOfRangeException e) { seen = e; }
            return 0;
        });
        Assert.NotNull(seen);
        Assert.Empty(received);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_file_shorter_than_promised_fails_with_IOException(bool useSendFile)
    {
        Exception? seen = null;
        var (received, _) = Exchange(async connection =>
        {
            using var file = File.OpenHandle(_path);
            try { await FileSender.SendAsync(connection.Writer, connection.Channel, file, FileSize - 10, 20, useSendFile, default); }
            catch (IOException e) { seen = e; }
            return 0;
        });
        Assert.IsType<IOException>(seen);
        Assert.Contains("truncated", seen!.Message);
        Assert.Equal(_content[^10..], received);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_peer_that_resets_mid_transfer_surfaces_as_ConnectionResetException(bool useSendFile)
    {
        Exception? seen = null, writeAfter = null;
        EventLoop.Run(async () =>
        {
            var caught = new AsyncEvent();
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                connection.Channel.SetOption(SOL_SOCKET, SO_SNDBUF, SmallBuffer);
                if (await connection.Reader.ReadAsync(new byte[1]) == 0) return;
                using var file = File.OpenHandle(_path);
                try { await FileSender.SendAsync(connection.Writer, connection.Channel, file, 0, FileSize, useSendFile, default); }
                catch (Exception e) { seen = e; }
                try { connection.Writer.Write(new byte[1]); }
                catch (Exception e) { writeAfter = e; }
                caught.Set();
            }, "127.0.0.1", 0);
            var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            client.Channel.SetOption(SOL_SOCKET, SO_RCVBUF, SmallBuffer);
            await client.Writer.WriteAsync(new byte[] { 1 });
            await client.Reader.ReadExactlyAsync(new byte[100_000]);
            client.Abort();
            await caught.WaitAsync();
        });
        Assert.IsType<ConnectionResetException>(seen);
        Assert.IsType<ConnectionResetException>(writeAfter); // the writer is marked broken too
    }

    [Fact]
    public void A_send_after_WriteEof_is_refused()
    {
        Exception? seen = null;
        Exchange(async connection =>
        {
            connection.Writer.WriteEof();
            try { await connection.Writer.SendFileAsync(_path); }
            catch (InvalidOperationException e) { seen = e; }
            return 0;
        });
        Assert.NotNull(seen);
        Assert.Contains("WriteEof", seen!.Message);
    }

    [Fact]
    public void Cancellation_stops_a_send_that_waits_for_the_socket()
    {
        Exception? seen = null;
        EventLoop.Run(async () =>
        {
            var done = new AsyncEvent();
            using var cts = new CancellationTokenSource();
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                connection.Channel.SetOption(SOL_SOCKET, SO_SNDBUF, SmallBuffer);
                if (await connection.Reader.ReadAsync(new byte[1]) == 0) return;
                using var file = File.OpenHandle(_path);
                var send = FileSender.SendAsync(connection.Writer, connection.Channel, file, 0, FileSize, useSendFile: true, cts.Token);
                Assert.False(send.IsCompleted); // the client reads nothing: the socket is full
                cts.Cancel();
                try { await send; }
                catch (OperationCanceledException e) { seen = e; }
                done.Set();
            }, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            client.Channel.SetOption(SOL_SOCKET, SO_RCVBUF, SmallBuffer);
            await client.Writer.WriteAsync(new byte[] { 1 });
            await done.WaitAsync();
            client.Abort();
        });
        Assert.IsAssignableFrom<OperationCanceledException>(seen);
    }
}
