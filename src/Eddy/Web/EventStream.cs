using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Eddy.Web;

/// <summary>
/// A Server-Sent Events stream (the HTML standard's <c>text/event-stream</c>, what a browser's
/// <c>EventSource</c> reads): the producer given to <see cref="Result.EventStream"/> sends events
/// with <see cref="SendAsync"/>, each flushed to the client at once.
/// </summary>
/// <remarks>
/// The stream ends when the producer returns, or when the client goes away: then
/// <see cref="Aborted"/> is cancelled and sends throw, which ends the producer quietly. A client
/// that vanishes is only noticed when something is written to it, which is what the heartbeat
/// comments are for (and they keep proxies from closing an idle stream).
/// </remarks>
[DebuggerDisplay("EventStream, {EventsSent} events sent")]
public sealed class EventStream
{
    private readonly Response _response;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly CancellationTokenSource _gone;

    internal EventStream(Request request)
    {
        _response = request.Response;
        _gone = CancellationTokenSource.CreateLinkedTokenSource(request.Aborted);
        LastEventId = request.Headers["Last-Event-ID"];
    }

    /// <summary>
    /// Cancelled when the client goes away (the request's Aborted, or a send that found the
    /// connection gone, a heartbeat's included): stop producing.
    /// </summary>
    public CancellationToken Aborted => _gone.Token;

    /// <summary>
    /// The id of the last event the client received before it reconnected (the Last-Event-ID
    /// header EventSource sends), so the producer can resume after it; null on a first connection.
    /// </summary>
    public string? LastEventId { get; }

    /// <summary>Events sent so far.</summary>
    public long EventsSent { get; private set; }

    /// <summary>Whether anything (events or comments) was sent since the last heartbeat tick.</summary>
    internal bool SentSinceTick { get; set; }

    /// <summary>
    /// Sends an event: <c>event:</c> (when named), <c>id:</c> (when given), and the data as one
    /// <c>data:</c> line per line of <paramref name="data"/> (the client joins them with "\n"), then
    /// flushes it to the client.
    /// </summary>
    /// <param name="data">The event's data; line breaks (CR, LF or CRLF) split it into several data lines.</param>
    /// <param name="eventName">The event type (EventSource listeners by name); "message" for the client when null.</param>
    /// <param name="id">The event's id, which the client sends back as Last-Event-ID when it reconnects.</param>
    /// <param name="cancellationToken">Stops waiting for a slow client (the event stays queued).</param>
    /// <returns>Completes when the event is on its way and the client is keeping up.</returns>
    /// <exception cref="ArgumentException">The event name or id contains a line break (or the id a NUL), which would split the field.</exception>
    /// <exception cref="Net.ConnectionResetException">The client went away.</exception>
    public ValueTask SendAsync(string data, string? eventName = null, string? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckField(eventName, nameof(eventName));
        CheckField(id, nameof(id));
        if (id is not null && id.Contains('\0'))
            throw new ArgumentException("An event id cannot contain NUL: clients ignore such ids (HTML standard, 9.2.6); use letters, digits and punctuation.", nameof(id));
        _buffer.ResetWrittenCount();
        if (eventName is not null) AppendField("event", eventName);
        if (id is not null) AppendField("id", id);
        AppendLines("data", data);
        Append("\n");
        EventsSent++;
        return FlushAsync(cancellationToken);
    }

    /// <summary>Sends <paramref name="value"/> as JSON in an event's data (one line: JSON escapes line breaks).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">Its source-generated contract.</param>
    /// <param name="eventName">The event type; "message" when null.</param>
    /// <param name="id">The event's id.</param>
    /// <param name="cancellationToken">Stops waiting for a slow client.</param>
    /// <returns>Completes when the event is on its way.</returns>
    public ValueTask SendJsonAsync<T>(T value, JsonTypeInfo<T> typeInfo, string? eventName = null, string? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return SendAsync(JsonSerializer.Serialize(value, typeInfo), eventName, id, cancellationToken);
    }

    /// <summary>
    /// Sends a comment line (": text"), which clients ignore: a heartbeat that keeps proxies from
    /// timing out an idle stream and finds out whether the client is still there.
    /// </summary>
    /// <param name="comment">The comment; empty for a bare heartbeat.</param>
    /// <param name="cancellationToken">Stops waiting for a slow client.</param>
    /// <returns>Completes when the comment is on its way.</returns>
    public ValueTask SendCommentAsync(string comment = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(comment);
        _buffer.ResetWrittenCount();
        AppendLines("", comment);
        Append("\n");
        return FlushAsync(cancellationToken);
    }

    /// <summary>Tells the client how long to wait before reconnecting after the stream ends (the <c>retry:</c> field).</summary>
    /// <param name="delay">The reconnection delay (whole milliseconds).</param>
    /// <param name="cancellationToken">Stops waiting for a slow client.</param>
    /// <returns>Completes when the field is on its way.</returns>
    public ValueTask SetRetryAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _buffer.ResetWrittenCount();
        AppendField("retry", ((long)delay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Append("\n");
        return FlushAsync(cancellationToken);
    }

    private ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        SentSinceTick = true;
        ValueTask flush;
        try
        {
            _response.Write(_buffer.WrittenSpan);
            flush = _response.FlushAsync(cancellationToken);
        }
        catch (Net.ConnectionResetException)
        {
            ClientGone();
            throw;
        }
        return flush.IsCompletedSuccessfully ? default : AwaitFlushAsync(flush);
    }

    private async ValueTask AwaitFlushAsync(ValueTask flush)
    {
        try
        {
            await flush;
        }
        catch (Net.ConnectionResetException)
        {
            ClientGone();
            throw;
        }
    }

    /// <summary>A send found the connection gone: tell the producer now, not when the connection's close is processed.</summary>
    private void ClientGone()
    {
        if (!_gone.IsCancellationRequested) _gone.Cancel();
    }

    /// <summary>Releases the cancellation source once the stream is over.</summary>
    internal void End() => _gone.Dispose();

    private void AppendField(string name, string value)
    {
        Append(name);
        Append(": ");
        Append(value);
        Append("\n");
    }

    /// <summary>One "name: line" per line of <paramref name="text"/>; an empty name makes comment lines.</summary>
    private void AppendLines(string name, string text)
    {
        var rest = text.AsSpan();
        while (true)
        {
            int end = rest.IndexOfAny('\r', '\n');
            var line = end < 0 ? rest : rest[..end];
            Append(name);
            Append(line.IsEmpty && name.Length == 0 ? ":" : ": ");
            Append(line);
            Append("\n");
            if (end < 0) return;
            int skip = rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1;
            rest = rest[(end + skip)..];
        }
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        var span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void CheckField(string? value, string name)
    {
        if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException($"The {name} cannot contain CR or LF: a line break ends the field and would start another; send line breaks in the data.", name);
    }
}
