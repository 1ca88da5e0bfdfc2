using System.Net;
using System.Net.Sockets;
using Eddy.Coroutines;
using Eddy.Diagnostics;
using Eddy.Loop;
using Microsoft.Extensions.Logging;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net;

/// <summary>
/// One listening socket on one loop: its accept coroutine and the connections it started.
/// Loop-affine, except the counters, which other threads read.
/// </summary>
/// <remarks>
/// With no socket (fd -1) it accepts nothing: connections come in through <see cref="Adopt"/>
/// (in-memory test connections), and are counted and shut down like accepted ones.
/// </remarks>
internal sealed class Listener : IWaitOwner<bool>
{
    private readonly EventLoop _loop;
    private readonly int _fd;
    private SocketChannel? _channel;
    private readonly Func<Connection, Task> _handler;
    private readonly ServerOptions _options;
    private readonly AddressFamily _family;
    private readonly ConnectionBudget _budget;
    private readonly Func<EventLoop>? _handOff;
    // Connections served on this loop, with their handler coroutines (null for protocol
    // connections, which have none). Bookkeeping happens in the handler's own finally (or the
    // transport's lost callback), so the set is exact the moment a connection ends.
    private readonly Dictionary<Connection, Coroutine?> _live = new();
    private readonly ProtocolConnections? _protocols;
    private Action<object?>? _onProtocolLost;
    private Coroutine? _acceptor;
    private Waiter<bool>? _roomWaiter;
    private Waiter<bool>? _drained;
    private bool _closing;
    private int _count;
    private int _accepted;

    public Listener(EventLoop loop, int fd, EndPoint endPoint, Func<Connection, Task> handler, ServerOptions options, ConnectionBudget budget, Func<EventLoop>? handOff)
    {
        _loop = loop;
        _fd = fd;
        _handler = handler;
        _protocols = handler.Target as ProtocolConnections;
        _options = options;
        _family = endPoint.AddressFamily;
        _budget = budget;
        _handOff = handOff;
        EndPoint = (fd >= 0 ? NetSocket.LocalEndPoint(fd, _family) : null) ?? endPoint;
        budget.Register(this);
    }

    public EndPoint EndPoint { get; }

    public EventLoop Loop => _loop;

    public int Count => Volatile.Read(ref _count);

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Registers the socket with the loop's poller and starts accepting; on the loop thread.</summary>
    public void Start()
    {
        if (_closing || _fd < 0) return;
        _channel = new SocketChannel(_loop, _fd);
        _acceptor = _loop.Spawn(AcceptLoopAsync, $"accept {EndPoint}");
    }

    /// <summary>
    /// Starts the listener on its loop, from any thread. The socket listens already, so
    /// connections that arrive meanwhile wait in the backlog.
    /// </summary>
    public void StartFromAnyThread()
    {
        if (_loop.IsOnLoopThread) Start();
        else _loop.PostFromAnyThread(static s => ((Listener)s!).Start(), this);
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!_closing)
        {
            if (!_budget.TryTake())
            {
                await WaitForRoomAsync(cancellationToken);
                continue;
            }
            var channel = _channel!;
            int fd = NetSocket.Accept(channel.Fd, out int errno);
            if (fd >= 0)
            {
                Interlocked.Increment(ref _accepted);
                Dispatch(fd);
                continue;
            }
            _budget.Give();
            if (errno == EAGAIN)
            {
                channel.MarkNotReadable();
                await channel.WaitReadableAsync(cancellationToken);
            }
            else if (errno is ECONNABORTED or EPROTO)
            {
                // The client gave up while queued: nothing to serve.
            }
            else
            {
                // Out of descriptors or memory: say so, and retry shortly rather than spin.
                _loop.Logger.LogError("Accepting on {EndPoint} failed: {Error}. Retrying in 100 ms.",
                    EndPoint, SocketErrors.ForCall(errno, "accept").Message);
                await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    private const int EPROTO = 71;

    /// <summary>
    /// Serves <paramref name="fd"/>, a connected socket that did not come through accept, as if it
    /// had; on the loop thread. The descriptor is owned by the server from here on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server is closing, or at its connection limit.</exception>
    public void Adopt(int fd)
    {
        _loop.AssertOnLoopThread();
        string? refusal = _closing ? "The server is closing, so it takes no new connections."
            : !_budget.TryTake() ? $"The server already has ServerOptions.MaxConnections ({_options.MaxConnections}) connections open; close one first or raise the limit."
            : null;
        if (refusal is not null)
        {
            Interop.LinuxSyscalls.Close(fd);
            throw new InvalidOperationException(refusal);
        }
        Interlocked.Increment(ref _accepted);
        StartConnection(fd);
    }

    private void Dispatch(int fd)
    {
        var target = _handOff?.Invoke() ?? _loop;
        if (target == _loop) StartConnection(fd);
        else target.PostFromAnyThread(static s => { var (self, fd) = ((Listener, int))s!; self.StartConnection(fd); }, (this, fd));
    }

    /// <summary>Runs on the loop that will own the connection (which is this listener's, unless handing off).</summary>
    private void StartConnection(int fd)
    {
        var loop = EventLoop.Current;
        Connection connection;
        try
        {
            connection = new Connection(new SocketChannel(loop, fd), _family, _options);
        }
        catch (Exception e)
        {
            Interop.LinuxSyscalls.Close(fd);
            _budget.Give();
            loop.Logger.LogError(e, "Setting up an accepted connection on {EndPoint} failed.", EndPoint);
            return;
        }
        Interlocked.Increment(ref _count);
        if (loop != _loop)
        {
            // A hand-off: the owning loop runs it; this listener only accepted and counts it.
            loop.Spawn(ServeHandedOffAsync(connection));
            return;
        }
        if (_protocols is { } protocols)
        {
            _live[connection] = null;
            new StreamTransport(connection, protocols.Factory()).Start(_onProtocolLost ??= OnProtocolLost, connection);
            return;
        }
        _live[connection] = null;
        _live[connection] = loop.Spawn(ServeAsync(connection));
    }

    /// <summary>A protocol connection ended (its transport reports it; there is no coroutine to join).</summary>
    private void OnProtocolLost(object? state)
    {
        if (_live.Remove((Connection)state!)) OnServed();
    }

    // CoroutineBody, not Task: the connection's coroutine runs these itself, with no Task,
    // completion delegate or context continuation for them (about 170 B per connection).
    private async CoroutineBody ServeAsync(Connection connection)
    {
        try
        {
            await ServeCoreAsync(connection);
        }
        finally
        {
            if (_live.Remove(connection)) OnServed();
        }
    }

    private async CoroutineBody ServeHandedOffAsync(Connection connection)
    {
        try
        {
            await ServeCoreAsync(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _count);
            _budget.Give();
        }
    }

    private async Task ServeCoreAsync(Connection connection)
    {
        try
        {
            await _handler(connection);
            await connection.CloseAsync();
        }
        catch (ConnectionResetException)
        {
            // The peer went away or the server cut the connection off: the normal ends of a connection.
            connection.Abort();
        }
        catch (OperationCanceledException) when (_closing || connection.IsClosed)
        {
            connection.Abort();
        }
        catch (Exception e)
        {
            _loop.Logger.LogError(e, "The handler of {Connection} failed; the connection was reset and the server goes on.", connection);
            connection.Abort();
        }
    }

    private void OnServed()
    {
        Interlocked.Decrement(ref _count);
        _budget.Give();
        if (_live.Count == 0 && _drained is { } waiter)
        {
            _drained = null;
            waiter.TrySetResult(true);
        }
    }

    private ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var waiter = Waiter<bool>.Rent(_loop, this);
        if (waiter.RegisterCancellation(cancellationToken)) _roomWaiter = waiter;
        return waiter.VoidTask;
    }

    /// <summary>Called from any thread when a connection anywhere closed and this listener waits for room.</summary>
    public void OnRoom()
    {
        if (_loop.IsOnLoopThread) WakeForRoom();
        else _loop.PostFromAnyThread(static s => ((Listener)s!).WakeForRoom(), this);
    }

    private void WakeForRoom()
    {
        if (_roomWaiter is not { } waiter) return;
        _roomWaiter = null;
        waiter.TrySetResult(true);
    }

    public bool IsWaitingForRoom => _roomWaiter is not null;

    /// <summary>Runs the close sequence on this listener's loop; returns how many connections were cut off.</summary>
    /// <remarks>
    /// On the loop's own thread the sequence runs inline: a task completed through
    /// <see cref="EventLoop.InvokeAsync{T}(Func{CancellationToken, Task{T}}, CancellationToken)"/> resumes its awaiter by way of
    /// the thread pool, and a loop on a virtual clock, seeing nothing to do meanwhile, would jump
    /// time ahead of it.
    /// </remarks>
    public Task<int> CloseAsync(TimeSpan grace) =>
        _loop.IsOnLoopThread ? CloseOnLoopAsync(grace) : _loop.InvokeAsync(_ => CloseOnLoopAsync(grace));

    private async Task<int> CloseOnLoopAsync(TimeSpan grace)
    {
        _closing = true;
        _acceptor?.Cancel();
        if (_channel is null) { if (_fd >= 0) Interop.LinuxSyscalls.Close(_fd); } // never started, or no socket
        else _channel.Close();
        if (_acceptor is not null) await _acceptor.JoinAsync();
        if (_live.Count > 0 && grace > TimeSpan.Zero)
        {
            _drained = Waiter<bool>.Rent(_loop, this);
            _drained.ArmTimer(_loop.Clock.NowTicks + grace.Ticks, false);
            await _drained.Task;
            _drained = null;
        }
        int cutOff = _live.Count;
        var remaining = _live.ToArray();
        foreach (var (connection, handler) in remaining)
        {
            handler?.Cancel();
            connection.Abort();
        }
        foreach (var (_, handler) in remaining)
        {
            if (handler is not null) await handler.JoinAsync();
        }
        return cutOff;
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter)
    {
        if (_roomWaiter == waiter) _roomWaiter = null;
        if (_drained == waiter) _drained = null;
    }

    string IWaitOwner<bool>.DescribeWait() => _closing ? $"handlers of {EndPoint} to finish" : $"room for a connection on {EndPoint}";
}

/// <summary>The server-wide connection limit, shared by the listeners of every loop.</summary>
internal sealed class ConnectionBudget(int? max)
{
    private readonly List<Listener> _listeners = new();
    private int _open;

    public void Register(Listener listener)
    {
        lock (_listeners) _listeners.Add(listener);
    }

    public bool TryTake()
    {
        if (max is not { } limit)
        {
            Interlocked.Increment(ref _open);
            return true;
        }
        if (Interlocked.Increment(ref _open) <= limit) return true;
        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Give()
    {
        if (Interlocked.Decrement(ref _open) >= (max ?? int.MaxValue)) return;
        if (max is null) return;
        Listener[] listeners;
        lock (_listeners) listeners = _listeners.ToArray();
        foreach (var listener in listeners) listener.OnRoom();
    }
}
