using System.Net.Security;
using System.Runtime.CompilerServices;
using Eddy.Loop;

namespace Eddy.Net.Tls;

/// <summary>
/// The decrypted bytes of a TLS connection, as a source for the same <see cref="ConnectionReader"/>
/// a plain connection uses: the TLS part is only here, turning SslStream's reads and failures into
/// what a reader expects (0 at the end, <see cref="ConnectionResetException"/> when it breaks).
/// </summary>
internal sealed class TlsByteSource(TlsConnection connection, SslStream ssl) : IByteSource
{
    private bool _reading;

    public EventLoop Loop => connection.Loop;

    public bool EndOfStream { get; private set; }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // SslStream treats an empty read as "wait for data"; a socket read of nothing returns at once.
        if (buffer.IsEmpty) return new ValueTask<int>(0);
        if (_reading) return ValueTask.FromException<int>(new InvalidOperationException(
            "A read is already pending on this TLS connection. Await each read before starting the next; one coroutine should own the reading side."));
        ValueTask<int> read;
        try
        {
            read = ssl.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(TlsErrors.ForTransfer(e, connection, reading: true));
        }
        if (read.IsCompletedSuccessfully)
        {
            int n = read.Result;
            if (n == 0) EndOfStream = true;
            return new ValueTask<int>(n);
        }
        return AwaitReceiveAsync(read);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> AwaitReceiveAsync(ValueTask<int> read)
    {
        _reading = true;
        try
        {
            int n = await read;
            if (n == 0) EndOfStream = true;
            return n;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw TlsErrors.ForTransfer(e, connection, reading: true);
        }
        finally
        {
            _reading = false;
        }
    }
}
