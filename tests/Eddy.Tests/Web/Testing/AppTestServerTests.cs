using Eddy.Web;
using Eddy.Web.Testing;

namespace Eddy.Tests.Web.Testing;

public class AppTestServerTests
{
    [Fact]
    public async Task Start_up_hooks_run_before_the_test_and_clean_up_hooks_after_it_even_when_it_fails()
    {
        var events = new List<string>();
        App NewApp()
        {
            var app = new App()
                .OnStartup(_ => { events.Add("startup"); return ValueTask.CompletedTask; })
                .OnCleanup(_ => { events.Add("cleanup"); return ValueTask.CompletedTask; });
            app.Get("/", _ => Result.Text("hi"));
            return app;
        }

        await AppTestServer.RunAsync(NewApp(), async server =>
        {
            events.Add("test");
            Assert.Equal("hi", (await server.GetAsync("/")).Text);
        });
        Assert.Equal(["startup", "test", "cleanup"], events);

        events.Clear();
        await Assert.ThrowsAsync<InvalidOperationException>(() => AppTestServer.RunAsync(NewApp(), _ =>
        {
            events.Add("failing test");
            throw new InvalidOperationException("the test failed");
        }));
        Assert.Equal(["startup", "failing test", "cleanup"], events);
    }
}
