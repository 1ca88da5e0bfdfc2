using System.Text;
using Eddy.Http.Testing;
using Eddy.Web;

namespace Eddy.Tests.Web;

/// <summary>What handlers return: text, HTML, JSON, bytes, redirects, statuses, custom and streamed results.</summary>
public class ResultTests
{
    private static Task ServeOne(Func<Request, Result> handler, Func<HttpTestResponse, Task> check) => ServeOne(handler, "/", check);

    private static Task ServeOne(Func<Request, Result> handler, string target, Func<HttpTestResponse, Task> check)
    {
        var app = new App();
        app.Route("*", "/", handler);
        return WebTesting.ServeAsync(app, async server => await check(await server.GetAsync(target)));
    }

    [Fact]
    public Task Text_is_UTF8_plain_text_with_a_length() =>
        ServeOne(_ => Result.Text("héllo", 201), response =>
        {
            Assert.Equal(201, response.StatusCode);
            Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
            Assert.Equal("6", response.Header("Content-Length"));
            Assert.Equal("héllo", response.Text);
            return Task.CompletedTask;
        });

    [Fact]
    public Task A_string_converts_to_a_text_result() =>
        ServeOne(_ => "plain", response =>
        {
            Assert.Equal("plain", response.Text);
            return Task.CompletedTask;
        });

    [Fact]
    public Task Text_takes_another_content_type() =>
        ServeOne(_ => Result.Text("a,b", contentType: "text/csv"), response =>
        {
            Assert.Equal("text/csv", response.Header("Content-Type"));
            return Task.CompletedTask;
        });

    [Fact]
    public Task Html_is_UTF8_HTML() =>
        ServeOne(_ => Result.Html("<p>hi</p>"), response =>
        {
            Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
            Assert.Equal("<p>hi</p>", response.Text);
            return Task.CompletedTask;
        });

    [Fact]
    public Task Json_with_a_generated_contract() =>
        ServeOne(_ => Result.Json(new Payload("x", 2), TestJsonContext.Default.Payload, 201), response =>
        {
            Assert.Equal(201, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
            Assert.Equal("{\"Name\":\"x\",\"Count\":2}", response.Text);
            return Task.CompletedTask;
        });

    [Fact]
    public Task Json_by_reflection_uses_the_apps_web_defaults() =>
        ServeOne(_ => Result.Json(new { FirstName = "Ann", Tags = new[] { 1, 2 } }), response =>
        {
            Assert.Equal("{\"firstName\":\"Ann\",\"tags\":[1,2]}", response.Text);
            return Task.CompletedTask;
        });

    [Fact]
    public Task A_large_JSON_document_is_sent_whole()
    {
        var big = Enumerable.Range(0, 50_000).ToArray();
        return ServeOne(_ => Result.Json(big, TestJsonContext.Default.Int32Array), response =>
        {
            Assert.Equal(big, System.Text.Json.JsonSerializer.Deserialize(response.Body, TestJsonContext.Default.Int32Array));
            return Task.CompletedTask;
        });
    }

    [Fact]
    public Task Bytes_are_sent_as_given() =>
        ServeOne(_ => Result.Bytes(new byte[] { 0, 1, 255 }, "image/x-test", 202), response =>
        {
            Assert.Equal(202, response.StatusCode);
            Assert.Equal("image/x-test", response.Header("Content-Type"));
            Assert.Equal(new byte[] { 0, 1, 255 }, response.Body);
            return Task.CompletedTask;
        });

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public Task Redirects_answer_their_status_and_Location(int status) =>
        ServeOne(_ => Result.Redirect("/elsewhere?x=1", status), response =>
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("/elsewhere?x=1", response.Header("Location"));
            return Task.CompletedTask;
        });

    [Fact]
    public void Redirects_refuse_other_statuses_and_line_breaks()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Result.Redirect("/x", 200));
        Assert.Throws<ArgumentOutOfRangeException>(() => Result.Redirect("/x", 304));
        Assert.Throws<ArgumentException>(() => Result.Redirect("/x\r\nSet-Cookie: a=b"));
        Assert.Throws<ArgumentException>(() => Result.Redirect(""));
    }

    [Fact]
    public Task Status_204_has_no_body() =>
        ServeOne(_ => Result.Status(204), response =>
        {
            Assert.Equal(204, response.StatusCode);
            Assert.Empty(response.Body);
            return Task.CompletedTask;
        });

    [Fact]
    public Task NotFound_and_BadRequest_are_error_pages() =>
        ServeOne(request => request.Query["bad"] is null ? Result.NotFound("No such user.") : Result.BadRequest("Bad id."), response =>
        {
            Assert.Equal(404, response.StatusCode);
            Assert.Equal("404 Not Found: No such user.\n", response.Text);
            return Task.CompletedTask;
        });

    [Fact]
    public void Statuses_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Result.Text("x", 99));
        Assert.Throws<ArgumentOutOfRangeException>(() => Result.Status(1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Result.Status(101));
    }

    [Fact]
    public void Empty_is_the_default_and_results_describe_themselves()
    {
        Assert.Equal("Empty", Result.Empty.ToString());
        Assert.Equal("Text 200", Result.Text("x").ToString());
        Assert.Equal(404, Result.NotFound().StatusCode);
    }

    [Fact]
    public Task Empty_sends_what_the_handler_wrote() =>
        ServeOne(request =>
        {
            request.Response.StatusCode = 202;
            request.Response.ContentType = "text/x-mine";
            request.Response.Write("written");
            return Result.Empty;
        }, response =>
        {
            Assert.Equal(202, response.StatusCode);
            Assert.Equal("text/x-mine", response.Header("Content-Type"));
            Assert.Equal("written", response.Text);
            return Task.CompletedTask;
        });

    private sealed class Teapot : IResult
    {
        public ValueTask ExecuteAsync(Request request)
        {
            request.Response.StatusCode = 418;
            request.Response.Write("short and stout");
            return default;
        }
    }

    [Fact]
    public Task Custom_results_write_themselves() =>
        ServeOne(_ => Result.From(new Teapot()), response =>
        {
            Assert.Equal(418, response.StatusCode);
            Assert.Equal("short and stout", response.Text);
            return Task.CompletedTask;
        });

    [Fact]
    public Task Stream_sends_each_flushed_piece_as_it_is_written()
    {
        var app = new App();
        var next = new Queue<TaskCompletionSource>();
        for (int i = 0; i < 3; i++) next.Enqueue(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var gates = next.ToArray();
        app.Get("/", _ => Result.Stream(async (response, aborted) =>
        {
            foreach (var gate in gates)
            {
                await gate.Task; // not WaitAsync: its thread-pool hop is invisible to the virtual clock
                await response.WriteAsync($"piece {Array.IndexOf(gates, gate)};", aborted);
                await response.FlushAsync(aborted);
            }
        }, "text/plain"));
        return WebTesting.ServeAsync(app, async server =>
        {
            await using var connection = await server.ConnectAsync();
            connection.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var reader = new StreamReaderOverConnection(connection);
            gates[0].SetResult();
            var head = await reader.ReadThroughAsync("piece 0;\r\n");
            Assert.Contains("Transfer-Encoding: chunked", head);
            Assert.Contains("Content-Type: text/plain", head);
            Assert.DoesNotContain("piece 1", reader.Received);
            gates[1].SetResult();
            Assert.Equal("8\r\npiece 1;\r\n", await reader.ReadThroughAsync("piece 1;\r\n"));
            gates[2].SetResult();
            await reader.ReadThroughAsync("piece 2;\r\n");
            Assert.Equal("0\r\n\r\n", await reader.ReadThroughAsync("0\r\n\r\n"));
        });
    }

    [Fact]
    public Task Stream_with_a_declared_length_is_not_chunked()
    {
        var app = new App();
        app.Get("/", _ => Result.Stream(async (response, aborted) =>
        {
            response.Http.ContentLength = 10;
            await response.WriteAsync("01234", aborted);
            await response.FlushAsync(aborted);
            await response.WriteAsync("56789", aborted);
        }));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.False(response.IsChunked);
            Assert.Equal("10", response.Header("Content-Length"));
            Assert.Equal("0123456789", response.Text);
            Assert.Equal("application/octet-stream", response.Header("Content-Type"));
        });
    }

    [Fact]
    public Task A_result_that_fails_before_sending_anything_gets_the_error_page()
    {
        var app = new App();
        app.Get("/", _ => Result.Stream((response, _) =>
        {
            response.Write("partial");
            throw new HttpError(403, "Not yours.");
        }));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/", "Accept: application/json");
            Assert.Equal(403, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
            Assert.Contains("Not yours.", response.Text);
            Assert.DoesNotContain("partial", response.Text);
        });
    }

    [Fact]
    public Task Stream_ends_when_the_client_goes_away()
    {
        var app = new App();
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Get("/", _ => Result.Stream(async (response, aborted) =>
        {
            try
            {
                while (true)
                {
                    await response.WriteAsync(new string('x', 1000), aborted);
                    await response.FlushAsync(aborted);
                    await Eddy.Coroutines.Coroutine.SleepAsync(TimeSpan.FromSeconds(1), aborted);
                }
            }
            catch (Exception e)
            {
                ended.TrySetResult(e is Eddy.Net.ConnectionResetException or OperationCanceledException ? "client gone" : e.ToString());
                throw;
            }
        }));
        return WebTesting.ServeAsync(app, async server =>
        {
            var connection = await server.ConnectAsync();
            connection.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            await new StreamReaderOverConnection(connection).ReadThroughAsync("xxx");
            connection.Abort();
            Assert.Equal("client gone", await ended.Task);
            Assert.Equal(404, (await server.GetAsync("/nothing-here")).StatusCode); // the loop serves on
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }
}
