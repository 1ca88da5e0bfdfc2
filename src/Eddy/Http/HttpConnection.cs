using System.Buffers;
using System.Diagnostics;
using System.Net;
using Eddy.Coroutines;
using Eddy.Http.Parsing;
using Eddy.Loop;
using Eddy.Net;
using Microsoft.Extensions.Logging;

namespace Eddy.Http;

/// <summary>
/// One HTTP/1.1 connection: an <see cref="IStreamProtocol"/> that appends received bytes to a
/// pooled buffer, and one coroutine that parses each head and runs the handler, strictly one
/// request after another (pipelined requests wait in the buffer, so responses go out in order).
/// </summary>
/// <remarks>
/// Buffer layout during a request: the head at [0, HeadEnd) (it never moves, so the parsed ranges
/// stay valid), then unread body bytes and any pipelined requests up to _end. Consumed body bytes
/// are dropped by moving what follows them down to HeadEnd. Between requests the next request's
/// bytes move to offset 0.
/// </remarks>
[DebuggerDisplay("HttpConnection {RemoteEndPoint}")]
internal sealed class HttpConnection : IStreamProtocol, IWaitOwner<bool>
{
    private const int InitialBufferSize = 4096;

    /// <summary>Unconsumed bytes past which reading pauses until the coroutine wants more.</summary>
    private const int ReadPauseThreshold = 64 * 1024;

    private static readonly byte[] Continue100 = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private readonly HttpServer _server;
    private readonly HttpRequestParser _parser;
    private ChunkedDecoder? _chunkedDecoder; // made on the first chunked body: most connections never need one
    private readonly HttpRequest _request;
    private readonly HttpResponse _response;
    private StreamTransport _transport = null!;
    private EventLoop _loop = null!;
    private byte[] _buffer = [];
    private HttpSweeper _loopState = null!; // the loop's HTTP state: Date cache and response scratch (never null once connected)
    private int _end;
    private int _headEnd;
    private int _bodyPos;
    private int _pendingStart, _pendingLength; // chunk data decoded but not yet handed out
    private int _trailerBase = -1;             // where the trailer ranges are relative to, once the chunked body ended
    private long _bodyRemaining;
    private bool _bodyComplete;
    private bool _continueSent;
    private bool _inRequest;
    private bool _closed;
    private bool _eof;
    private bool _shuttingDown;
    private bool _readingPaused;
    private bool _aborted;
    private bool _lingering; // the last response is out (FIN sent); input is read and dropped until the client closes
    private bool _done; // the request loop ended; the buffers are back in the pool
    private CancellationTokenSource? _abortSource;
    private Waiter<bool>? _dataWaiter;

    // Timeouts, checked by the loop's HttpSweeper (no timer per request: these fields are all).
    private const long Unstamped = long.MinValue;
    private HttpSweeper? _sweeper;
    private TimeoutKind _timeout;
    private long _deadline = Unstamped; // clock ticks; stamped by the first sweep after _timeout changed
    private bool _headersTimedOut;
    private bool _timingBody;            // the handler waits in a body read
    private bool _bodyTimedOut;
    private long _bodyTimedTicks;        // time spent waiting in body reads, as the sweeps saw it
    private long _bodyBytes;             // body bytes handed to the handler
    private bool _timingResponse;        // response bytes wait for a client that does not take them
    private long _responseTimedTicks;    // how long, as the sweeps saw it
    private long _responseSentAtStart;   // the socket's BytesSent when that began

    private enum TimeoutKind : byte { None, KeepAlive, Headers, Linger }

    /// <summary>The next connection in the loop's sweep list.</summary>
    internal HttpConnection? SweepNext;

    /// <summary>The previous connection in the loop's sweep list.</summary>
    internal HttpConnection? SweepPrevious;

    public HttpConnection(HttpServer server)
    {
        _server = server;
        _parser = new HttpRequestParser(server.Limits);
        _request = new HttpRequest(this);
        _response = new HttpResponse(this);
    }

    internal HttpServer Server => _server;

    private ChunkedDecoder Chunked => _chunkedDecoder ??= new ChunkedDecoder(_server.Limits);

    internal EventLoop Loop => _loop;

    internal HttpRequestHead Head => _parser.Head;

    internal ReadOnlySpan<byte> HeadBuffer => _buffer.AsSpan(0, _headEnd);

    internal HttpFields HeadFields => _parser.Head.Headers;

    internal HttpFields? TrailerFields => _trailerBase >= 0 ? Chunked.Trailers : null;

    internal ReadOnlySpan<byte> TrailerBuffer => _trailerBase >= 0 ? _buffer.AsSpan(_trailerBase, _end - _trailerBase) : default;

    internal EndPoint? RemoteEndPoint => _transport.RemoteEndPoint;

    /// <summary>The size of the receive buffer (for tests of the pipelining bound).</summary>
    internal int InputBufferCapacity => _buffer.Length;

    /// <summary>Bytes of pooled buffers the connection holds (input, output scratch, response body, write buffer).</summary>
    internal int HeldBufferBytes => _buffer.Length + _response.BufferCapacity + _transport.Connection.Writer.Capacity;

    /// <summary>Response bytes the transport holds for a client that has not taken them yet.</summary>
    internal int BufferedOutput => _transport.WriteBufferSize;

    /// <summary>send() calls made for this connection (tests check that pipelined answers are batched).</summary>
    internal long SendCalls => _transport.Connection.Channel.SendCalls;

    /// <summary>Whether the response may promise keep-alive.</summary>
    internal bool CanKeepAlive => Head.KeepAlive && !_shuttingDown && !_server.IsClosing && !_closed;

    internal CancellationToken Aborted
    {
        get
        {
            if (_abortSource is null)
            {
                _abortSource = new CancellationTokenSource();
                if (_aborted) _abortSource.Cancel();
            }
            return _abortSource.Token;
        }
    }

    // ---- IStreamProtocol (loop thread) ----

    public void ConnectionMade(StreamTransport transport)
    {
        _transport = transport;
        _loop = transport.Loop;
        _server.Register(this);
        if (_server.IsClosing) _shuttingDown = true;
        SetTimeout(TimeoutKind.KeepAlive);
        _sweeper = _loopState = HttpSweeper.For(_loop);
        _sweeper.Add(this);
        _loop.Spawn(RunAsync());
    }

    public void DataReceived(ReadOnlySpan<byte> data)
    {
        if (_closed || _done || _lingering) return; // after the last response, what the client still sends is dropped
        EnsureRoom(data.Length);
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
        if (_timeout == TimeoutKind.KeepAlive) SetTimeout(TimeoutKind.Headers); // the first bytes of a request
        if (!_readingPaused && _end - KeepFrom >= ReadPauseThreshold)
        {
            _readingPaused = true;
            _transport.PauseReading();
        }
        Wake();
    }

    public bool EofReceived()
    {
        _eof = true;
        if (_lingering) return false; // the client read the last response and closed: done
        if (_inRequest && !_bodyComplete && Head.Framing == BodyFraming.ContentLength && _end - _bodyPos < _bodyRemaining)
        {
            // The client went away in the middle of sending the body. (A chunked body's end is only
            // known by decoding it: a read that runs out of buffered data finds out instead.)
            MarkAborted();
            Wake();
            return false;
        }
        // A FIN while a handler runs, with the whole request received: browsers and HttpClient
        // send one only after the response or to give up, so the handler is told (Kestrel and IIS
        // do the same) and a long poll or an event stream stops at once rather than at its next
        // failed write. The answer is still written, for a client that half-closes and reads.
        if (_inRequest) MarkAborted();
        Wake();
        // Keep the sending side open to answer what was received.
        return _inRequest || _end > 0;
    }

    public void ConnectionLost(Exception? error)
    {
        _closed = true;
        _server.Unregister(this);
        _sweeper?.Remove(this);
        _sweeper = null;
        if (_inRequest) MarkAborted();
        Wake();
    }

    // ---- Shutdown ----

    internal void BeginShutdownFromAnyThread()
    {
        var loop = _loop;
        if (loop is null) return;
        if (loop.IsOnLoopThread) BeginShutdown();
        else loop.PostFromAnyThread(static s => ((HttpConnection)s!).BeginShutdown(), this);
    }

    private void BeginShutdown()
    {
        _shuttingDown = true;
        if (_closed) return;
        if (_lingering || (!_inRequest && _end == 0 && !_done)) _transport.Close();
    }

    // ---- The request loop ----

    // A CoroutineBody, not a Task: the connection's coroutine runs this state machine itself, with
    // no Task, completion delegate or context continuation besides (about 170 B per connection).
    private async CoroutineBody RunAsync()
    {
        try
        {
            while (true)
            {
                HttpParseResult result = default;
                while (true)
                {
                    if (_closed) return;
                    if (_end > 0)
                    {
                        result = _parser.TryParse(_buffer.AsSpan(0, _end));
                        if (result.Status != HttpParseStatus.NeedMoreData) break;
                    }
                    if (_headersTimedOut)
                    {
                        SendErrorAndClose(408, "408 Request Timeout: the request head took longer than the server allows (HttpServerOptions.RequestHeadersTimeout).\n");
                        return;
                    }
                    if (_eof || (_shuttingDown && _end == 0))
                    {
                        _transport.Close();
                        return;
                    }
                    await WaitForDataAsync(default);
                }
                _timeout = TimeoutKind.None;
                if (result.IsError)
                {
                    _headEnd = 0;
                    SendErrorAndClose(result.StatusCode, $"{result.StatusCode} {HttpStatus.Reason(result.StatusCode)}: {result.Reason}\n");
                    return;
                }
                // The handler is awaited here, not in a helper: an async helper would cost a state
                // machine per request in Debug builds (Release reuses this method's one box).
                BeginRequest(result.Consumed);
                Exception? failure = null;
                try
                {
                    await _server.Handler(_request, _response);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                if (!(failure is null ? FinishRequest() : Failed(failure))) return;
                NextRequest();
                if (_end == 0) ReleaseBuffers();
                if (_transport.WriteBufferSize > _transport.Connection.Writer.HighWaterMark) await DrainAsync(default);
                SetTimeout(_end > 0 ? TimeoutKind.Headers : TimeoutKind.KeepAlive);
            }
        }
        catch (Exception e) when (_closed || e is ConnectionResetException)
        {
            // The client went away: nothing to answer.
            _transport.Abort();
        }
        catch (Exception e)
        {
            _loop.Logger.LogError(e, "HTTP connection from {RemoteEndPoint} failed; it was reset and the server goes on.", _transport.RemoteEndPoint);
            _transport.Abort();
        }
        finally
        {
            _done = true;
            _inRequest = false;
            if (_lingering) KeepReadingToDrop();
            else if (!_closed) _transport.PauseReading();
            var buffer = _buffer;
            _buffer = [];
            _end = 0;
            if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
            _response.Release();
        }
    }

    /// <summary>Sets up the request whose head is <paramref name="headLength"/> bytes long.</summary>
    private void BeginRequest(int headLength)
    {
        var head = Head;
        _headEnd = headLength;
        _bodyPos = headLength;
        _pendingLength = 0;
        _trailerBase = -1;
        _continueSent = false;
        _bodyRemaining = head.Framing == BodyFraming.ContentLength ? head.ContentLength : 0;
        _bodyComplete = head.Framing == BodyFraming.None || (head.Framing == BodyFraming.ContentLength && head.ContentLength == 0);
        _inRequest = true;
        _timingBody = _bodyTimedOut = false;
        _bodyTimedTicks = _bodyBytes = 0;
        _request.Reset();
        _response.Begin(head.MethodKind == HttpMethodKind.Head, head.ProtocolVersion == HttpProtocolVersion.Http10);
    }

    /// <summary>Completes the response after the handler returned; returns whether the connection carries on.</summary>
    private bool FinishRequest()
    {
        if (_closed)
        {
            _inRequest = false;
            return false;
        }
        if (!_bodyComplete) SkipBufferedBody();
        try
        {
            // A body left unread (or a 100-continue never answered) cannot be skipped cheaply: close after the response.
            if (!_bodyComplete && !_response.HasStarted) _response.CloseConnection = true;
            _response.Complete();
        }
        catch (Exception e)
        {
            return Failed(e);
        }
        _inRequest = false;
        if (_response.KeptAlive && _bodyComplete && !_closed) return true;
        CloseAfterResponse();
        return false;
    }

    /// <summary>
    /// Closes after the last response without destroying it. close() with unread input makes the
    /// kernel send a reset, which can wipe the response from the client's buffers before it reads
    /// it (RFC 9112 §9.6, nginx's lingering close). So: send FIN after the response, read and drop
    /// what the client still sends until it closes too, or until <see cref="HttpServerOptions.CloseLingerTimeout"/>.
    /// </summary>
    private void CloseAfterResponse()
    {
        if (_closed) return;
        if (_eof || _server.LingerTimeoutTicks == 0)
        {
            _transport.Close(); // nothing more can arrive: a plain close is safe
            return;
        }
        _lingering = true;
        _transport.WriteEof();
        SetTimeout(TimeoutKind.Linger);
    }

    private void KeepReadingToDrop()
    {
        if (_closed || !_readingPaused) return;
        _readingPaused = false;
        _transport.ResumeReading();
    }

    private bool Failed(Exception e)
    {
        _inRequest = false;
        if (_closed || e is ConnectionResetException)
        {
            _transport.Abort();
            return false;
        }
        int status = e is BadHttpRequestException bad ? bad.StatusCode : 500;
        if (status == 500)
            _loop.Logger.LogError(e, "The HTTP handler failed on {Method} {Target} from {RemoteEndPoint}.", _request.Method, _request.Target, _transport.RemoteEndPoint);
        if (_response.HasStarted)
        {
            // Part of the response went out: the only honest signal left is to cut the connection.
            _transport.Abort();
            return false;
        }
        string text = status == 500
            ? (_server.Options.Debug ? $"500 Internal Server Error\n\n{e}\n" : "500 Internal Server Error\n")
            : $"{status} {HttpStatus.Reason(status)}: {e.Message}\n";
        SendErrorAndClose(status, text);
        return false;
    }

    private void SendErrorAndClose(int status, string text)
    {
        try
        {
            _response.Begin(isHead: _headEnd > 0 && Head.MethodKind == HttpMethodKind.Head, http10: false);
            _response.SendText(status, text);
        }
        catch (ConnectionResetException)
        {
        }
        CloseAfterResponse();
    }

    /// <summary>Moves the bytes after this request to the start of the buffer and resets the parser.</summary>
    private void NextRequest()
    {
        int from = _bodyPos;
        int rest = _end - from;
        if (rest > 0 && from > 0) _buffer.AsSpan(from, rest).CopyTo(_buffer);
        _end = rest;
        _headEnd = _bodyPos = 0;
        _pendingLength = 0;
        _trailerBase = -1;
        _parser.Reset();
        _chunkedDecoder?.Reset();
    }

    // ---- Body ----

    internal ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!_inRequest) throw new InvalidOperationException("The request is over: read its body before the handler returns.");
        if (_bodyTimedOut) throw BodyTooSlow();
        if (_bodyComplete || destination.IsEmpty) return new(0);
        if (Head.ExpectContinue && !_continueSent && !_response.HasStarted && !_closed)
        {
            _continueSent = true;
            _transport.Write(Continue100);
        }
        int n = ReadBuffered(destination.Span);
        if (n > 0 || _bodyComplete) return new(n);
        return ReadBodySlowAsync(destination, cancellationToken);
    }

    private async ValueTask<int> ReadBodySlowAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_closed || _eof || _aborted)
            {
                MarkAborted();
                throw new IOException("The client disconnected before the request body ended.");
            }
            _timingBody = true;
            try
            {
                await WaitForDataAsync(cancellationToken);
            }
            finally
            {
                _timingBody = false;
            }
            if (_bodyTimedOut) throw BodyTooSlow();
            int n = ReadBuffered(destination.Span);
            if (n > 0 || _bodyComplete) return n;
        }
    }

    /// <summary>Copies body bytes that are already buffered; 0 when none are (or the body ended).</summary>
    private int ReadBuffered(Span<byte> destination)
    {
        long? max = _server.Options.MaxRequestBodySize;
        if (Head.Framing == BodyFraming.ContentLength)
        {
            if (Head.ContentLength > max) throw TooLarge(max);
            int available = _end - _bodyPos;
            if (available == 0) return 0;
            int n = (int)Math.Min(Math.Min(available, destination.Length), _bodyRemaining);
            _buffer.AsSpan(_bodyPos, n).CopyTo(destination);
            _bodyPos += n;
            _bodyRemaining -= n;
            _bodyBytes += n;
            if (_bodyRemaining == 0) _bodyComplete = true;
            else if (_bodyPos == _end) _bodyPos = _end = _headEnd;
            return n;
        }
        if (_pendingLength > 0) return TakePending(destination);
        while (true)
        {
            var result = Chunked.Decode(_buffer.AsSpan(_bodyPos, _end - _bodyPos));
            switch (result.Status)
            {
                case ChunkedStatus.Data:
                    if (Chunked.TotalDataLength > max) throw TooLarge(max);
                    _pendingStart = _bodyPos + result.DataStart;
                    _pendingLength = result.DataLength;
                    _bodyPos += result.Consumed;
                    return TakePending(destination);
                case ChunkedStatus.NeedMoreData:
                    _bodyPos += result.Consumed;
                    if (_bodyPos == _end) _bodyPos = _end = _headEnd;
                    return 0;
                case ChunkedStatus.Complete:
                    _trailerBase = _bodyPos;
                    _bodyPos += result.Consumed;
                    _bodyComplete = true;
                    return 0;
                default:
                    throw new BadHttpRequestException(result.StatusCode, result.Reason ?? "The chunked body is malformed.");
            }
        }
    }

    private int TakePending(Span<byte> destination)
    {
        int n = Math.Min(_pendingLength, destination.Length);
        _buffer.AsSpan(_pendingStart, n).CopyTo(destination);
        _pendingStart += n;
        _pendingLength -= n;
        _bodyBytes += n;
        return n;
    }

    /// <summary>After the handler: consumes what of the unread body is already here, without waiting.</summary>
    private void SkipBufferedBody()
    {
        if (Head.ExpectContinue && !_continueSent) return; // the client may never send it
        Span<byte> scratch = stackalloc byte[512];
        try
        {
            while (!_bodyComplete && ReadBuffered(scratch) > 0) { }
        }
        catch (BadHttpRequestException)
        {
            // Malformed or too large: the connection closes after the response anyway.
        }
    }

    private static BadHttpRequestException BodyTooSlow() =>
        new(408, "Reading the request body timed out: its data arrived too slowly (HttpServerOptions.MinRequestBodyDataRate).");

    internal static BadHttpRequestException TooLarge(long? max) =>
        new(413, $"The request body is larger than the server's limit of {max} bytes (HttpServerOptions.MaxRequestBodySize).");

    // ---- Timeouts ----

    /// <summary>Starts a timeout; the next sweep stamps its deadline (one field write, no clock read).</summary>
    private void SetTimeout(TimeoutKind kind)
    {
        _timeout = kind;
        _deadline = Unstamped;
    }

    /// <summary>Called by the loop's sweep: stamps and checks the deadlines.</summary>
    /// <param name="now">The loop clock's time.</param>
    /// <param name="elapsed">The time since the previous sweep.</param>
    internal void Sweep(long now, long elapsed)
    {
        if (_closed) return;
        if (_server.MinResponseRate is { } responseRate && !CheckResponseRate(responseRate, elapsed)) return;
        if (_done && !_lingering) return;
        if (_timingBody && !_bodyTimedOut && _server.MinBodyRate is { } rate)
        {
            _bodyTimedTicks += elapsed;
            if (_bodyTimedTicks > rate.GracePeriod.Ticks && _bodyBytes < rate.BytesPerSecond * _bodyTimedTicks / TimeSpan.TicksPerSecond)
            {
                _bodyTimedOut = true;
                Wake();
            }
        }
        if (_timeout == TimeoutKind.None) return;
        if (_timeout == TimeoutKind.KeepAlive && _end == 0 && !_inRequest) ReleaseBuffers();
        long limit = _timeout switch
        {
            TimeoutKind.Headers => _server.HeadersTimeoutTicks,
            TimeoutKind.Linger => _server.LingerTimeoutTicks,
            _ => _server.KeepAliveTimeoutTicks,
        };
        if (limit == long.MaxValue) return;
        if (_deadline == Unstamped)
        {
            _deadline = now > long.MaxValue - limit ? long.MaxValue : now + limit;
            return;
        }
        if (now < _deadline) return;
        var kind = _timeout;
        _timeout = TimeoutKind.None;
        if (kind == TimeoutKind.Headers)
        {
            // Slowloris: the coroutine answers 408 and closes.
            _headersTimedOut = true;
            Wake();
        }
        else if (kind == TimeoutKind.Linger)
        {
            _transport.Close(); // the client kept sending after the last response: enough
        }
        else if (!_inRequest && _end == 0)
        {
            _transport.Close(); // idle keep-alive: closed without a word
        }
    }

    /// <summary>
    /// Gives the connection's buffers back to the pool once nothing waits in them (after a response,
    /// with no pipelined bytes): the next connection to need one takes the same array, so
    /// thousands of idle keep-alive connections hold none. Costs a pool round trip per request
    /// (the pool's thread-local slot: a few ns).
    /// </summary>
    private void ReleaseBuffers()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        _response.Release();
        _transport.Connection.Writer.TrimBuffer();
    }

    /// <summary>
    /// Times the stretches in which response bytes wait unsent; aborts the connection when, past the
    /// grace period, the client took them slower than <paramref name="rate"/>. Returns false if it aborted.
    /// </summary>
    private bool CheckResponseRate(MinDataRate rate, long elapsed)
    {
        var channel = _transport.Connection.Channel;
        if (_transport.WriteBufferSize == 0)
        {
            _timingResponse = false;
            return true;
        }
        if (!_timingResponse)
        {
            _timingResponse = true;
            _responseTimedTicks = 0;
            _responseSentAtStart = channel.BytesSent;
            return true;
        }
        _responseTimedTicks += elapsed;
        long sent = channel.BytesSent - _responseSentAtStart;
        if (_responseTimedTicks <= rate.GracePeriod.Ticks || sent >= rate.BytesPerSecond * _responseTimedTicks / TimeSpan.TicksPerSecond) return true;
        _loop.Logger.LogInformation(
            "Aborted the HTTP connection from {RemoteEndPoint}: it took the response at {Rate:0} bytes/s, below the minimum of {Minimum} (HttpServerOptions.MinResponseDataRate).",
            _transport.RemoteEndPoint, sent * (double)TimeSpan.TicksPerSecond / _responseTimedTicks, rate.BytesPerSecond);
        MarkAborted();
        _transport.Abort();
        return false;
    }

    // ---- Buffer management ----

    /// <summary>The lowest offset past the head whose bytes are still needed.</summary>
    private int KeepFrom
    {
        get
        {
            if (!_inRequest) return 0;
            if (_pendingLength > 0) return _pendingStart;
            if (_trailerBase >= 0) return _trailerBase;
            return _bodyPos;
        }
    }

    private void EnsureRoom(int count)
    {
        if (_buffer.Length - _end >= count) return;
        int from = KeepFrom;
        if (_inRequest && from > _headEnd)
        {
            int shift = from - _headEnd;
            _buffer.AsSpan(from, _end - from).CopyTo(_buffer.AsSpan(_headEnd));
            _end -= shift;
            _bodyPos -= shift;
            if (_pendingLength > 0) _pendingStart -= shift;
            if (_trailerBase >= 0) _trailerBase -= shift;
            if (_buffer.Length - _end >= count) return;
        }
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, InitialBufferSize), _end + count));
        _buffer.AsSpan(0, _end).CopyTo(bigger);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private ValueTask WaitForDataAsync(CancellationToken cancellationToken)
    {
        if (_readingPaused)
        {
            _readingPaused = false;
            _transport.ResumeReading();
        }
        var waiter = Waiter<bool>.Rent(_loop, this);
        if (waiter.RegisterCancellation(cancellationToken)) _dataWaiter = waiter;
        return waiter.VoidTask;
    }

    private void Wake()
    {
        var waiter = _dataWaiter;
        if (waiter is null) return;
        _dataWaiter = null;
        waiter.TrySetResult(true);
    }

    private void MarkAborted()
    {
        if (_aborted) return;
        _aborted = true;
        try { _abortSource?.Cancel(); }
        catch (AggregateException e) { _loop.Logger.LogError(e, "A request-aborted callback threw."); }
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter)
    {
        if (_dataWaiter == waiter) _dataWaiter = null;
    }

    string IWaitOwner<bool>.DescribeWait() => $"HTTP data from {_transport.RemoteEndPoint}";

    // ---- Output ----

    /// <summary>A scratch buffer of at least <paramref name="size"/> bytes for a response's head and small body.</summary>
    /// <remarks>The loop's shared scratch (<see cref="HttpSweeper.Output"/>), not one per connection.</remarks>
    internal byte[] RentOutput(int size) => _loopState.Output(size);

    /// <summary>The Date header's value for a response sent now.</summary>
    internal ReadOnlySpan<byte> Date => _loopState.Date();

    /// <summary>
    /// Sends response bytes. While more requests wait in the input buffer (pipelining), the bytes
    /// are held until the end of the loop turn, so a batch of answers leaves in one send().
    /// </summary>
    internal void Send(ReadOnlySpan<byte> data)
    {
        if (_end > _bodyPos) _transport.WriteSoon(data);
        else _transport.Write(data);
    }

    internal async ValueTask SendFileAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, CancellationToken cancellationToken)
    {
        if (_closed) throw new ConnectionResetException("The client disconnected.");
        await _transport.Connection.Writer.SendFileAsync(file, offset, count, cancellationToken);
    }

    internal ValueTask DrainAsync(CancellationToken cancellationToken) =>
        _closed ? ValueTask.FromException(new ConnectionResetException("The client disconnected.")) : _transport.Connection.Writer.DrainAsync(cancellationToken);
}
