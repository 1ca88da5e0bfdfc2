using Eddy.Http.Testing;
using Eddy.Web;

namespace Eddy.Tests.Web;

/// <summary>Server-Sent Events: the head, event framing, multi-line data, comments, retry, heartbeats, the end of the stream.</summary>
public class EventStreamTests
{
    private static HttpTestOptions Quiet => new() { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance };

    /// <summary>The chunk that carries <paramref name="text"/> (a whole event is written, and so framed, at once).</summary>
    private static string Chunk(string text) => $"{System.Text.Encoding.UTF8.GetByteCount(text):X}\r\n{text}\r\n";

    [Fact]
    public Task Each_event_is_flushed_when_sent_with_its_fields()
    {
        var app = new App();
        var gates = new[] { new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource() };
        app.Get("/events", _ => Result.EventStream(async (events, aborted) =>
        {
            await gates[0].Task;
            await events.SendAsync("hello");
            await gates[1].Task;
            await events.SendAsync("line 1\nline 2\r\nline 3\rline 4", eventName: "update", id: "42");
            await gates[2].Task;
            await events.SetRetryAsync(TimeSpan.FromSeconds(5));
            await events.SendCommentAsync("keep\nalive");
            await events.SendJsonAsync(new Payload("a", 1), TestJsonContext.Default.Payload);
        }, heartbeat: TimeSpan.Zero));
        return WebTesting.ServeAsync(app, async server =>
        {
            await using var connection = await server.ConnectAsync();
            connection.Send("GET /events HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\nAccept-Encoding: gzip\r\n\r\n");
            var reader = new StreamReaderOverConnection(connection);
            var head = await reader.ReadThroughAsync("\r\n\r\n"); // the head goes out before any event
            Assert.StartsWith("HTTP/1.1 200 OK", head);
            Assert.Contains("Content-Type: text/event-stream; charset=utf-8\r\n", head);
            Assert.Contains("Cache-Control: no-cache\r\n", head);
            Assert.Contains("X-Accel-Buffering: no\r\n", head);
            Assert.Contains("Transfer-Encoding: chunked\r\n", head);
            Assert.DoesNotContain("Content-Encoding", head);
            gates[0].SetResult();
            Assert.Equal(Chunk("data: hello\n\n"), await reader.ReadThroughAsync("\n\n\r\n"));
            gates[1].SetResult();
            Assert.Equal(Chunk("event: update\nid: 42\ndata: line 1\ndata: line 2\ndata: line 3\ndata: line 4\n\n"), await reader.ReadThroughAsync("\n\n\r\n"));
            gates[2].SetResult();
            Assert.Equal(Chunk("retry: 5000\n\n"), await reader.ReadThroughAsync("\n\n\r\n"));
            Assert.Equal(Chunk(": keep\n: alive\n\n"), await reader.ReadThroughAsync("\n\n\r\n"));
            Assert.Equal(Chunk("data: {\"Name\":\"a\",\"Count\":1}\n\n"), await reader.ReadThroughAsync("\n\n\r\n"));
            Assert.Equal("0\r\n\r\n", await reader.ReadThroughAsync("0\r\n\r\n")); // the producer returned: the stream ends
        });
    }

    [Fact]
    public Task Empty_data_and_an_empty_comment_are_well_formed()
    {
        var app = new App();
        app.Get("/", _ => Result.EventStream(async (events, _) =>
        {
            await events.SendAsync("");
            await events.SendCommentAsync();
        }, TimeSpan.Zero));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal("data: \n\n:\n\n", response.Text);
        });
    }

    [Fact]
    public Task Event_names_and_ids_with_line_breaks_are_refused()
    {
        var app = new App();
        var errors = new List<string>();
        app.Get("/", _ => Result.EventStream(async (events, _) =>
        {
            foreach (var send in new Func<ValueTask>[]
            {
                () => events.SendAsync("x", eventName: "a\nb"),
                () => events.SendAsync("x", id: "1\r2"),
                () => events.SendAsync("x", id: "1\02"),
            })
            {
                try { await send(); }
                catch (ArgumentException e) { errors.Add(e.ParamName!); }
            }
        }, TimeSpan.Zero));
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("", (await server.GetAsync("/")).Text);
            Assert.Equal(["eventName", "id", "id"], errors);
        });
    }

    [Fact]
    public Task The_last_event_id_a_reconnecting_client_sends_is_given_to_the_producer()
    {
        var app = new App();
        app.Get("/", _ => Result.EventStream(async (events, _) => await events.SendAsync($"after {events.LastEventId ?? "nothing"}"), TimeSpan.Zero));
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("data: after 41\n\n", (await server.GetAsync("/", "Last-Event-ID: 41")).Text);
            Assert.Equal("data: after nothing\n\n", (await server.GetAsync("/")).Text);
        });
    }

    [Fact]
    public Task Heartbeats_are_sent_while_idle_and_not_while_events_flow()
    {
        var app = new App();
        var done = new TaskCompletionSource();
        app.Get("/", _ => Result.EventStream(async (events, aborted) =>
        {
            await Eddy.Coroutines.Coroutine.SleepAsync(TimeSpan.FromSeconds(25), aborted); // one heartbeat at 10 s, one at 20 s
            for (int i = 0; i < 4; i++)
            {
                await events.SendAsync($"event {i}");
                await Eddy.Coroutines.Coroutine.SleepAsync(TimeSpan.FromSeconds(6), aborted); // a tick sees an event each time
            }
            await done.Task;
        }, TimeSpan.FromSeconds(10)));
        return WebTesting.ServeAsync(app, async server =>
        {
            await using var connection = await server.ConnectAsync();
            connection.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var reader = new StreamReaderOverConnection(connection);
            await reader.ReadThroughAsync("\r\n\r\n");
            var untilFirstEvent = await reader.ReadThroughAsync("data: event 0\n\n");
            Assert.Equal(2, Count(untilFirstEvent, ":\n\n"));
            var duringEvents = await reader.ReadThroughAsync("data: event 3\n\n");
            Assert.Equal(0, Count(duringEvents, ":\n\n"));
            done.SetResult();
            await reader.ReadThroughAsync("0\r\n\r\n");
        });

        static int Count(string text, string what) => (text.Length - text.Replace(what, "").Length) / what.Length;
    }

    [Fact]
    public Task The_stream_ends_when_the_client_goes_away_noticed_by_a_heartbeat()
    {
        var app = new App();
        var ended = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Get("/", _ => Result.EventStream(async (events, aborted) =>
        {
            await events.SendAsync("first");
            try
            {
                var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (aborted.Register(idle.SetResult)) await idle.Task; // idle until the client leaves
            }
            finally
            {
                ended.TrySetResult(aborted.IsCancellationRequested);
            }
        }, TimeSpan.FromSeconds(15)));
        app.Get("/next", _ => "next");
        return WebTesting.ServeAsync(app, async server =>
        {
            var connection = await server.ConnectAsync();
            connection.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            await new StreamReaderOverConnection(connection).ReadThroughAsync("data: first\n\n");
            connection.Abort();
            Assert.True(await ended.Task); // the next heartbeat failed, which cancelled Aborted
            Assert.Equal("next", (await server.GetAsync("/next")).Text);
        }, Quiet);
    }

    [Fact]
    public Task A_producer_that_ends_on_its_token_after_a_failed_send_ends_quietly()
    {
        var app = new App();
        var release = new TaskCompletionSource();
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Get("/", _ => Result.EventStream(async (events, aborted) =>
        {
            await events.SendAsync("first");
            await release.Task;
            try
            {
                await events.SendAsync("second");
                outcome.TrySetResult("sent");
            }
            catch (Exception e)
            {
                outcome.TrySetResult(e.GetType().Name);
                throw;
            }
        }, TimeSpan.Zero));
        return WebTesting.ServeAsync(app, async server =>
        {
            var connection = await server.ConnectAsync();
            connection.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            await new StreamReaderOverConnection(connection).ReadThroughAsync("data: first\n\n");
            connection.Abort();
            release.SetResult();
            Assert.Equal("ConnectionResetException", await outcome.Task);
            Assert.Equal(404, (await server.GetAsync("/gone")).StatusCode);
        }, Quiet);
    }

    [Fact]
    public Task HEAD_gets_the_head_without_running_the_producer()
    {
        var app = new App();
        bool ran = false;
        app.Get("/", _ => Result.EventStream((_, _) => { ran = true; return Task.CompletedTask; }));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("text/event-stream; charset=utf-8", response.Header("Content-Type"));
            Assert.False(ran);
        });
    }

    [Fact]
    public void A_negative_heartbeat_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Result.EventStream((_, _) => Task.CompletedTask, TimeSpan.FromSeconds(-1)));
}
