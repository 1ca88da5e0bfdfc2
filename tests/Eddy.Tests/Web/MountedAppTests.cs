using Eddy.Http.Testing;
using Eddy.Web;

namespace Eddy.Tests.Web;

/// <summary>What a mounted app's handlers see: their own app, its options and services, and the services of the apps around it.</summary>
public class MountedAppTests
{
    private sealed class Shared { public string Name = "shared"; }

    private sealed class Local { public string Name = "local"; }

    [Fact]
    public Task A_mounted_apps_handler_sees_its_own_app_and_services_and_the_parents_services()
    {
        var admin = new App(new AppOptions { FormLimits = new Eddy.Web.Forms.FormLimits { MaxFieldCount = 1 } });
        admin.ServiceRegistry.Add(new Local());
        admin.Get("/whoami", request => $"{ReferenceEquals(request.App, admin)} {request.GetService<Local>().Name} {request.GetService<Shared>().Name}");
        admin.Post("/form", async request => Result.Text($"{(await request.ReadFormAsync()).Fields.Count}"));
        var app = new App();
        app.ServiceRegistry.Add(new Shared());
        app.Get("/whoami", request => $"{ReferenceEquals(request.App, app)} {ReferenceEquals(request.ServingApp, app)}");
        app.Get("/local", request => request.GetService<Local>().Name);
        app.Mount("/admin", admin);
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("True local shared", (await server.GetAsync("/admin/whoami")).Text);
            Assert.Equal("True True", (await server.GetAsync("/whoami")).Text);
            Assert.Equal(500, (await server.GetAsync("/local")).StatusCode); // the child's services are its own
            var over = await server.SendAsync("POST", "/admin/form", body: "a=1&b=2", contentType: "application/x-www-form-urlencoded");
            Assert.Equal(413, over.StatusCode); // the child's form limits
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }

    [Fact]
    public void A_mounted_app_builds_full_paths_to_its_own_routes()
    {
        var users = new App();
        users.Get("/{id:int}", _ => "", name: "user");
        var admin = new App();
        admin.Get("/", _ => "", name: "home");
        admin.Mount("/users", users, name: "users");
        var app = new App();
        app.Mount("/admin", admin, name: "admin");
        Assert.Equal("/admin/users/7", users.Url("user", ("id", 7)));
        Assert.Equal("/admin/users/7", admin.Url("users:user", ("id", 7)));
        Assert.Equal("/admin/users/7", app.Url("admin:users:user", ("id", 7)));
        Assert.Equal("/admin/", admin.Url("home"));
    }

    [Fact]
    public Task A_mounted_app_without_a_cookie_secret_signs_with_its_parents()
    {
        var child = new App();
        child.Get("/set", request => { request.Response.SetSignedCookie("u", "ann"); return Result.Empty; });
        child.Get("/get", request => request.GetSignedCookie("u") ?? "(none)");
        var app = new App(new AppOptions { CookieSecret = new byte[32] });
        app.Get("/get", request => request.GetSignedCookie("u") ?? "(none)");
        app.Mount("/child", child);
        return WebTesting.ServeAsync(app, async server =>
        {
            var header = (await server.GetAsync("/child/set")).Header("Set-Cookie")!;
            var pair = header[..header.IndexOf(';')];
            Assert.Equal("ann", (await server.GetAsync("/child/get", "Cookie: " + pair)).Text);
            Assert.Equal("ann", (await server.GetAsync("/get", "Cookie: " + pair)).Text);
        });
    }
}
