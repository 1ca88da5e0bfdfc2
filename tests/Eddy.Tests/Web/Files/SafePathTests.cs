using Eddy.Web.Files;

namespace Eddy.Tests.Web.Files;

/// <summary>
/// A served root with a neighbour outside it:
/// base/root/{index.html, a b.txt, ünï.txt, sub/page.html, .env, .well-known/x.txt, links...} and base/secret.txt.
/// </summary>
public sealed class SafePathTests : IDisposable
{
    private readonly DirectoryInfo _base = Directory.CreateTempSubdirectory("eddy-safepath-");
    private readonly string _root;
    private readonly SafePath _safe;

    public SafePathTests()
    {
        _root = Path.Combine(_base.FullName, "root");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        Directory.CreateDirectory(Path.Combine(_root, ".well-known"));
        Directory.CreateDirectory(Path.Combine(_base.FullName, "rootsibling"));
        File.WriteAllText(Path.Combine(_root, "index.html"), "index");
        File.WriteAllText(Path.Combine(_root, "a b.txt"), "spaces");
        File.WriteAllText(Path.Combine(_root, "ünï.txt"), "unicode");
        File.WriteAllText(Path.Combine(_root, "sub", "page.html"), "page");
        File.WriteAllText(Path.Combine(_root, ".env"), "SECRET=1");
        File.WriteAllText(Path.Combine(_root, ".well-known", "x.txt"), "x");
        File.WriteAllText(Path.Combine(_base.FullName, "secret.txt"), "secret");
        File.WriteAllText(Path.Combine(_base.FullName, "rootsibling", "f.txt"), "sibling");
        File.CreateSymbolicLink(Path.Combine(_root, "out-file"), Path.Combine(_base.FullName, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "out-relative"), "../secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(_root, "out-dir"), _base.FullName);
        Directory.CreateSymbolicLink(Path.Combine(_root, "out-sibling"), "../rootsibling"); // shares the root's name as a prefix
        File.CreateSymbolicLink(Path.Combine(_root, "in-file"), "sub/page.html");
        Directory.CreateSymbolicLink(Path.Combine(_root, "in-dir"), Path.Combine(_root, "sub"));
        File.CreateSymbolicLink(Path.Combine(_root, "sub", "chain"), "../in-file"); // a link to a link, inside
        File.CreateSymbolicLink(Path.Combine(_root, "sub", "chain-out"), "../out-file"); // a link to a link that leaves
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(_root, "loop2"), "loop1");
        _safe = new SafePath(_root);
    }

    public void Dispose() => _base.Delete(recursive: true);

    private string Real(params string[] parts) => Path.Combine([_safe.Root, .. parts]);

    [Theory]
    [InlineData("/index.html", "index.html")]
    [InlineData("/sub/page.html", "sub/page.html")]
    [InlineData("/a%20b.txt", "a b.txt")]
    [InlineData("/a b.txt", "a b.txt")]
    [InlineData("/%C3%BCn%C3%AF.txt", "ünï.txt")]
    [InlineData("/index.html?v=1&x=../../etc", "index.html")]
    [InlineData("/missing.txt", "missing.txt")]
    [InlineData("/missing/deeper.txt", "missing/deeper.txt")]
    [InlineData("/file%2Bplus", "file+plus")]
    [InlineData("/dots..in..name", "dots..in..name")]
    public void Ordinary_paths_resolve_under_the_root(string requestPath, string expected)
    {
        Assert.True(_safe.TryResolve(requestPath, out var full, out var reason), reason);
        Assert.Equal(Real(expected.Split('/')), full);
        Assert.Null(reason);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/sub/")]
    public void The_root_and_a_trailing_slash_name_directories(string requestPath)
    {
        Assert.True(_safe.TryResolve(requestPath, out var full, out _));
        Assert.Equal(requestPath == "/" ? _safe.Root : Real("sub"), full);
    }

    [Theory]
    // dot segments, raw and percent-encoded in every case and mix
    [InlineData("/../secret.txt")]
    [InlineData("/sub/../../secret.txt")]
    [InlineData("/sub/..")]
    [InlineData("/./index.html")]
    [InlineData("/%2e%2e/secret.txt")]
    [InlineData("/%2E%2E/secret.txt")]
    [InlineData("/.%2e/secret.txt")]
    [InlineData("/%2e./secret.txt")]
    [InlineData("/sub/%2e%2E/%2E%2e/secret.txt")]
    [InlineData("/%2e/index.html")]
    // overlong and invalid UTF-8 for '.' and '/'
    [InlineData("/%c0%ae%c0%ae/secret.txt")]
    [InlineData("/%e0%80%ae%e0%80%ae/secret.txt")]
    [InlineData("/%c0%af../secret.txt")]
    [InlineData("/%ff")]
    // encoded separators
    [InlineData("/sub%2F..%2F..%2Fsecret.txt")]
    [InlineData("/sub%2f..%2f..%2fsecret.txt")]
    [InlineData("/..%2Fsecret.txt")]
    [InlineData("/..%5Csecret.txt")]
    [InlineData("/..%5csecret.txt")]
    // double encoding stays literal, but a literal '%2e' name is not a dot segment; a bad escape is refused
    [InlineData("/%")]
    [InlineData("/%2")]
    [InlineData("/%zz")]
    // backslashes
    [InlineData("/..\\secret.txt")]
    [InlineData("/sub\\..\\..\\secret.txt")]
    [InlineData("/\\\\server\\share")]
    // absolute, drive letters, UNC, empty segments
    [InlineData("//etc/passwd")]
    [InlineData("/sub//page.html")]
    [InlineData("/C:/Windows/win.ini")]
    [InlineData("/c:%5Cboot.ini")]
    [InlineData("/index.html::$DATA")]
    [InlineData("etc/passwd")]
    [InlineData("")]
    // NUL and controls
    [InlineData("/index.html%00.png")]
    [InlineData("/index.html\0")]
    [InlineData("/a%0Ab")]
    [InlineData("/a%7Fb")]
    // Windows-equivalent dot segments
    [InlineData("/.. /secret.txt")]
    [InlineData("/..%20/secret.txt")]
    [InlineData("/.../secret.txt")]
    [InlineData("/%20/index.html")]
    // raw non-ASCII must come percent-encoded
    [InlineData("/ünï.txt")]
    public void Traversal_attempts_are_refused_with_a_reason(string requestPath)
    {
        Assert.False(_safe.TryResolve(requestPath, out var full, out var reason));
        Assert.Equal(string.Empty, full);
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void A_double_encoded_dot_segment_is_a_literal_name_and_stays_inside()
    {
        // %252e%252e decodes once to the name "%2e%2e", a legal file name under the root: never decoded twice.
        Assert.True(_safe.TryResolve("/%252e%252e/secret.txt", out var full, out _));
        Assert.Equal(Real("%2e%2e", "secret.txt"), full);
    }

    [Theory]
    [InlineData("/.env")]
    [InlineData("/%2eenv")]
    [InlineData("/.well-known/x.txt")]
    [InlineData("/sub/.git")]
    public void Hidden_names_are_refused_by_default(string requestPath)
    {
        Assert.False(_safe.TryResolve(requestPath, out _, out var reason));
        Assert.Contains("hidden", reason);
    }

    [Theory]
    [InlineData("/.env", ".env")]
    [InlineData("/.well-known/x.txt", ".well-known/x.txt")]
    public void Hidden_names_are_served_when_allowed(string requestPath, string expected)
    {
        var safe = new SafePath(_root, allowHiddenFiles: true);
        Assert.True(safe.TryResolve(requestPath, out var full, out var reason), reason);
        Assert.Equal(Real(expected.Split('/')), full);
    }

    [Fact]
    public void Allowing_hidden_names_still_refuses_dot_segments()
    {
        var safe = new SafePath(_root, allowHiddenFiles: true);
        Assert.False(safe.TryResolve("/../secret.txt", out _, out _));
        Assert.False(safe.TryResolve("/.%2e/secret.txt", out _, out _));
        Assert.False(safe.TryResolve("/./index.html", out _, out _));
    }

    [Theory]
    [InlineData("/out-file")]
    [InlineData("/out-relative")]
    [InlineData("/out-dir/secret.txt")]
    [InlineData("/out-dir/root/index.html")] // outside and back in by name: the link itself leaves the root
    [InlineData("/out-sibling/f.txt")]
    [InlineData("/sub/chain-out")]
    public void Symbolic_links_that_leave_the_root_are_refused(string requestPath)
    {
        Assert.False(_safe.TryResolve(requestPath, out _, out var reason));
        Assert.Contains("outside the root", reason);
    }

    [Fact]
    public void A_symbolic_link_loop_is_refused()
    {
        Assert.False(_safe.TryResolve("/loop1", out _, out var reason));
        Assert.Contains("loop", reason);
    }

    [Theory]
    [InlineData("/in-file", "sub/page.html")]
    [InlineData("/in-dir/page.html", "sub/page.html")]
    [InlineData("/sub/chain", "sub/page.html")]
    public void Symbolic_links_inside_the_root_resolve_to_their_real_target(string requestPath, string expected)
    {
        Assert.True(_safe.TryResolve(requestPath, out var full, out var reason), reason);
        Assert.Equal(Real(expected.Split('/')), full);
        Assert.Equal("page", File.ReadAllText(full));
    }

    [Fact]
    public void A_root_reached_through_a_symbolic_link_serves_its_real_contents()
    {
        string link = Path.Combine(_base.FullName, "root-link");
        Directory.CreateSymbolicLink(link, _root);
        var safe = new SafePath(link);
        Assert.Equal(_safe.Root, safe.Root);
        Assert.True(safe.TryResolve("/in-dir/page.html", out var full, out _));
        Assert.Equal("page", File.ReadAllText(full));
        Assert.False(safe.TryResolve("/out-file", out _, out _));
    }

    [Fact]
    public void The_static_shortcut_resolves_like_an_instance()
    {
        Assert.True(SafePath.TryResolve(_root, "/sub/page.html", out var full, out _));
        Assert.Equal(Real("sub", "page.html"), full);
        Assert.False(SafePath.TryResolve(_root, "/%2e%2e/secret.txt", out _, out _));
    }

    [Fact]
    public void A_root_that_does_not_exist_is_refused_with_the_fix()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => new SafePath(Path.Combine(_base.FullName, "nope")));
        Assert.Contains("not an existing directory", e.Message);
    }

    [Fact]
    public void A_segment_longer_than_any_file_name_is_refused()
    {
        Assert.False(_safe.TryResolve("/" + new string('a', 800), out _, out var reason));
        Assert.Contains("longer", reason);
    }
}
