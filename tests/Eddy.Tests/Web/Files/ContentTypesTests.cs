using Eddy.Web.Files;

namespace Eddy.Tests.Web.Files;

public class ContentTypesTests
{
    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("INDEX.HTM", "text/html; charset=utf-8")]
    [InlineData("site/style.css", "text/css; charset=utf-8")]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("mod.mjs", "text/javascript; charset=utf-8")]
    [InlineData("data.json", "application/json")]
    [InlineData("app.js.map", "application/json")]
    [InlineData("notes.txt", "text/plain; charset=utf-8")]
    [InlineData("README.md", "text/markdown; charset=utf-8")]
    [InlineData("table.csv", "text/csv; charset=utf-8")]
    [InlineData("feed.xml", "application/xml")]
    [InlineData("logo.svg", "image/svg+xml")]
    [InlineData("a.png", "image/png")]
    [InlineData("a.jpg", "image/jpeg")]
    [InlineData("a.JPEG", "image/jpeg")]
    [InlineData("a.gif", "image/gif")]
    [InlineData("a.webp", "image/webp")]
    [InlineData("favicon.ico", "image/x-icon")]
    [InlineData("m.wasm", "application/wasm")]
    [InlineData("f.woff", "font/woff")]
    [InlineData("f.woff2", "font/woff2")]
    [InlineData("doc.pdf", "application/pdf")]
    [InlineData("v.mp4", "video/mp4")]
    [InlineData("v.webm", "video/webm")]
    [InlineData("a.zip", "application/zip")]
    [InlineData("a.tar.gz", "application/gzip")]
    [InlineData("a.js.br", "application/x-brotli")]
    [InlineData("/srv/www/a.b/noext", "application/octet-stream")]
    [InlineData("Makefile", "application/octet-stream")]
    [InlineData("weird.xyz", "application/octet-stream")]
    [InlineData("trailingdot.", "application/octet-stream")]
    public void Types_follow_the_extension(string path, string expected)
    {
        Assert.Equal(expected, ContentTypes.ForPath(path));
        Assert.Equal(expected != ContentTypes.Default, ContentTypes.TryGetForPath(path, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData("text/css", true)]
    [InlineData("text/javascript; charset=utf-8", true)]
    [InlineData("application/javascript", true)]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/xml", true)]
    [InlineData("application/atom+xml", true)]
    [InlineData("image/svg+xml", true)]
    [InlineData("application/wasm", true)]
    [InlineData("TEXT/PLAIN", true)]
    [InlineData("image/png", false)]
    [InlineData("image/jpeg", false)]
    [InlineData("video/mp4", false)]
    [InlineData("font/woff2", false)]
    [InlineData("application/zip", false)]
    [InlineData("application/gzip", false)]
    [InlineData("application/x-brotli", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("application/pdf", false)]
    [InlineData(null, false)]
    [InlineData("", false)]
    public void Compressibility_follows_the_type(string? contentType, bool expected) =>
        Assert.Equal(expected, ContentTypes.IsCompressible(contentType));
}
