using System.Buffers;
using Eddy.Coroutines;

namespace Eddy.Net.Udp;

public sealed partial class DatagramEndpoint
{
    /// <summary>
    /// Datagrams the serve loop hands to the protocol before it lets the rest of the loop run: a
    /// flood of datagrams on one endpoint must not starve the loop's other coroutines and sockets.
    /// </summary>
    private const int ServeBudget = 64;

    private IDatagramProtocol? _protocol;
    private Coroutine? _serveCoroutine;
    private bool _lostReported;

    /// <summary>
    /// Serves the endpoint with <paramref name="protocol"/> (asyncio's datagram protocol, gevent's
    /// <c>DatagramServer</c>): calls its <see cref="IDatagramProtocol.ConnectionMade"/> now, then
    /// spawns a coroutine that receives datagrams and calls
    /// <see cref="IDatagramProtocol.DatagramReceived"/> for each, until the endpoint is closed.
    /// </summary>
    /// <remarks>
    /// <para>The loop reads into one pooled buffer of <see cref="DatagramOptions.MaxDatagramSize"/>
    /// bytes and reuses the sender's <see cref="System.Net.EndPoint"/> object for a known sender,
    /// so it allocates nothing per datagram.</para>
    /// <para>Serving ends, and the endpoint is closed, when the endpoint is disposed, when the
    /// returned coroutine is cancelled (or its loop shuts down), or when a protocol callback throws;
    /// <see cref="IDatagramProtocol.ConnectionLost"/> is then called once. The coroutine completes
    /// normally after a dispose, as cancelled after a cancel, and fails with the protocol's
    /// exception after one.</para>
    /// </remarks>
    /// <param name="protocol">The callbacks; typically a new instance per endpoint.</param>
    /// <param name="name">A name for the coroutine, for diagnostics; "udp-serve {local address}" when null.</param>
    /// <returns>
    /// The receive loop's coroutine: await it to wait until serving ends, cancel it to stop, or
    /// discard it (<c>_ = endpoint.Serve(protocol);</c>) to serve in the background.
    /// </returns>
    /// <exception cref="InvalidOperationException">
    /// The endpoint is already served, or an awaited receive is pending on it, or the call came
    /// from a thread other than the endpoint's loop.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The endpoint is closed.</exception>
    public Coroutine Serve(IDatagramProtocol protocol, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        _loop.AssertOnLoopThread();
        if (_closed) throw Disposed("serve a protocol");
        if (_protocol is not null)
            throw new InvalidOperationException(
                $"{this} is already served by {_protocol.GetType().Name}; an endpoint has one receive loop. Bind another " +
                "endpoint for another protocol (DatagramOptions.ReusePort lets several share a port).");
        if (_receiver is not null)
            throw new InvalidOperationException(
                $"A ReceiveFromAsync is pending on {this}, and a served endpoint's datagrams all go to the protocol. " +
                "Cancel or finish that receive before calling Serve.");
        _protocol = protocol;
        try
        {
            protocol.ConnectionMade(this);
        }
        catch
        {
            _protocol = null;
            throw;
        }
        var coroutine = _loop.Spawn(ServeLoopAsync, name ?? $"udp-serve {_localEndPoint}");
        _serveCoroutine = coroutine;
        // A coroutine cancelled before its first step never runs its body (the loop may be shutting
        // down): close and report the loss here then, so the protocol always hears the end.
        coroutine.AddCompletionCallback(_ =>
        {
            Close();
            ReportLost(null);
        });
        return coroutine;
    }

    private async Task ServeLoopAsync(CancellationToken cancellationToken)
    {
        var protocol = _protocol!;
        int size = _maxDatagramSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        Exception? failure = null;
        try
        {
            while (!_closed)
            {
                if (DrainReceived(protocol, buffer.AsSpan(0, size)))
                {
                    // Budget spent with datagrams still queued: let others run, then go on.
                    await Coroutine.YieldAsync();
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }
                if (_closed) break;
                try
                {
                    await _channel.WaitReadableAsync(cancellationToken);
                }
                catch (ConnectionResetException) when (_closed)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            Close();
            ArrayPool<byte>.Shared.Return(buffer);
            ReportLost(failure);
        }
    }

    /// <summary>Hands queued datagrams to the protocol; true when it stopped for the budget with more maybe queued.</summary>
    private bool DrainReceived(IDatagramProtocol protocol, Span<byte> buffer)
    {
        for (int i = 0; i < ServeBudget; i++)
        {
            // The protocol may have closed the endpoint from its callback.
            if (_closed) return false;
            var status = TryReceive(buffer, out var result, out int errno);
            if (status == IoStatus.WouldBlock) return false;
            if (status == IoStatus.Failed) protocol.ErrorReceived(ReceiveError(errno));
            else if (result.Truncated) protocol.ErrorReceived(TooLong(result));
            else protocol.DatagramReceived(buffer[..result.Count], result.RemoteEndPoint);
        }
        return true;
    }

    private void ReportLost(Exception? error)
    {
        if (_lostReported || _protocol is null) return;
        _lostReported = true;
        _protocol.ConnectionLost(error);
    }

    private InvalidDataException TooLong(DatagramReceiveResult result) => new(
        $"A {result.DatagramLength}-byte datagram from {result.RemoteEndPoint} to {this} is longer than DatagramOptions.MaxDatagramSize " +
        $"({_maxDatagramSize} bytes), so it was dropped. Raise MaxDatagramSize if such datagrams are legitimate.");
}
