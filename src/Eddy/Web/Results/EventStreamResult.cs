using Eddy.Coroutines;

namespace Eddy.Web.Results;

/// <summary>Server-Sent Events (<see cref="Result.EventStream"/>): the head at once, then each event as the producer sends it.</summary>
internal sealed class EventStreamResult(Func<EventStream, CancellationToken, Task> produce, TimeSpan heartbeat) : IResult
{
    public async ValueTask ExecuteAsync(Request request)
    {
        var response = request.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        // Intermediaries must neither cache nor hold back events: no-cache for caches, X-Accel-Buffering
        // for nginx's proxy buffering; compression would hold events in the compressor's window.
        response.Headers.Set("Cache-Control", "no-cache");
        response.Headers.Set("X-Accel-Buffering", "no");
        response.DisableCompression();
        if (request.Method == "HEAD") return; // the head says what the stream is; there is no body to produce
        var stream = new EventStream(request);
        var gone = stream.Aborted;
        try
        {
            await response.FlushAsync(gone); // the client sees the stream open before the first event
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(gone);
            var beat = heartbeat > TimeSpan.Zero ? HeartbeatAsync(stream, heartbeat, stop.Token) : Task.CompletedTask;
            try
            {
                await produce(stream, gone);
            }
            finally
            {
                stop.Cancel();
                await beat;
            }
        }
        catch (Exception e) when (gone.IsCancellationRequested || e is Net.ConnectionResetException)
        {
            // The client went away: the stream is over, nothing to answer.
        }
        finally
        {
            stream.End();
        }
    }

    /// <summary>Sends a comment every <paramref name="interval"/> in which nothing else was sent.</summary>
    private static async Task HeartbeatAsync(EventStream stream, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                stream.SentSinceTick = false;
                await Coroutine.SleepAsync(interval, cancellationToken);
                if (!stream.SentSinceTick) await stream.SendCommentAsync("", cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or Net.ConnectionResetException)
        {
            // Stopped with the stream, or the client went away (the producer's token says so too).
        }
    }
}
