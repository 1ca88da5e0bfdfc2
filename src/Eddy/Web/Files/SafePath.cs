using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Unicode;

namespace Eddy.Web.Files;

/// <summary>
/// Maps a request path, as it came off the wire (still percent-encoded), to a file under a root
/// directory, refusing every way out of the root: <c>..</c> in any spelling, encoded slashes,
/// backslashes, drive letters and UNC names, NUL, and symbolic links whose target is outside.
/// Hidden names (starting with a dot, such as <c>.git</c> or <c>.env</c>) are refused unless allowed.
/// </summary>
/// <remarks>
/// <para>The path is decoded one segment at a time, so an encoded slash (<c>%2F</c>, <c>%5C</c>)
/// can never become a separator; each segment must be valid UTF-8, which rules out overlong forms
/// such as <c>%c0%ae</c> for a dot (the IIS "unicode" traversal). Then every segment is refused if it
/// is <c>.</c> or <c>..</c> (so <c>%2e%2e</c>, <c>.%2E</c> and the rest are caught after decoding),
/// consists only of dots and spaces (Windows strips trailing ones, turning <c>.. </c> into <c>..</c>),
/// holds a control character or a colon (drive letters, NTFS streams), or is empty in the middle
/// (<c>//etc/passwd</c>); a trailing slash names a directory and is allowed.</para>
/// <para>Then the path is walked from the root, component by component, with realpath(3)
/// semantics: each component that is a symbolic link is resolved, link by link, and the result must
/// still be inside the root's real path (the root may itself be reached through a link). Links
/// inside the root that stay inside are followed. <see cref="TryResolve(string, out string, out string?)"/>
/// returns the real path, the one that was checked.</para>
/// <para>What this cannot prevent: a link created or swapped between the check and the open
/// (don't let untrusted users write into a served root), and hard links, which are the file itself.</para>
/// </remarks>
[DebuggerDisplay("SafePath {Root}")]
public sealed class SafePath
{
    /// <summary>The longest segment accepted, encoded: 255 bytes (Linux NAME_MAX) each written as <c>%XX</c>.</summary>
    private const int MaxEncodedSegment = 255 * 3;

    /// <summary>Links followed per resolution before giving up: 40, Linux's MAXSYMLINKS.</summary>
    private const int MaxLinkHops = 40;

    private readonly string _rootWithSeparator;

    /// <summary>Creates a resolver for files under <paramref name="root"/>.</summary>
    /// <param name="root">The directory to serve; relative paths are against the current directory. Resolved to its real path once, here.</param>
    /// <param name="allowHiddenFiles">Whether names starting with a dot are served (false by default: <c>.env</c>, <c>.git</c> stay private).</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> is not an existing directory.</exception>
    public SafePath(string root, bool allowHiddenFiles = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        int hops = 0;
        string real = RealPath(Path.GetFullPath(root), ref hops)
            ?? throw new DirectoryNotFoundException($"The static file root '{root}' goes through more than {MaxLinkHops} symbolic links (a loop?). Point it at a real directory.");
        if (!Directory.Exists(real))
            throw new DirectoryNotFoundException($"The static file root '{root}' (real path '{real}') is not an existing directory. Create it, or fix the path (relative paths are against '{Environment.CurrentDirectory}').");
        Root = real;
        AllowHiddenFiles = allowHiddenFiles;
        _rootWithSeparator = Path.EndsInDirectorySeparator(real) ? real : real + Path.DirectorySeparatorChar;
    }

    /// <summary>The root's real path (links resolved).</summary>
    public string Root { get; }

    /// <summary>Whether names starting with a dot are served.</summary>
    public bool AllowHiddenFiles { get; }

    /// <summary>Resolves <paramref name="requestPath"/> under <paramref name="root"/>; see <see cref="SafePath"/> for the rules.</summary>
    /// <param name="root">The directory to serve.</param>
    /// <param name="requestPath">The path as received, percent-encoded, starting with <c>/</c>; a query after <c>?</c> is ignored.</param>
    /// <param name="fullPath">The real path of the file or directory (which may not exist), when accepted.</param>
    /// <param name="reason">Why the path was refused, when it was.</param>
    /// <returns>Whether the path is safe to open.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> is not an existing directory.</exception>
    public static bool TryResolve(string root, string requestPath, out string fullPath, out string? reason) =>
        new SafePath(root).TryResolve(requestPath, out fullPath, out reason);

    /// <summary>Resolves <paramref name="requestPath"/> under <see cref="Root"/>; see <see cref="SafePath"/> for the rules.</summary>
    /// <param name="requestPath">The path as received, percent-encoded, starting with <c>/</c>; a query after <c>?</c> is ignored.</param>
    /// <param name="fullPath">The real path of the file or directory (which may not exist), when accepted; empty otherwise.</param>
    /// <param name="reason">Why the path was refused (for a log, not for the client), when it was.</param>
    /// <returns>Whether the path is safe to open. A refused path should be answered 404 (or 400), never served.</returns>
    public bool TryResolve(string requestPath, out string fullPath, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(requestPath);
        fullPath = string.Empty;
        var raw = requestPath.AsSpan();
        int query = raw.IndexOf('?');
        if (query >= 0) raw = raw[..query];
        if (raw.IsEmpty || raw[0] != '/')
        {
            reason = "The path does not start with '/'.";
            return false;
        }
        raw = raw[1..];

        string current = Root;
        bool walking = true; // false once a component does not exist: nothing under it can be a link
        while (true)
        {
            int slash = raw.IndexOf('/');
            var segment = slash < 0 ? raw : raw[..slash];
            bool last = slash < 0;
            if (segment.IsEmpty)
            {
                if (last) break; // "/" or a trailing slash: a directory
                reason = "The path has an empty segment ('//'), which could make it absolute or a UNC name.";
                return false;
            }
            if (!TryDecodeSegment(segment, out string? name, out reason)) return false;
            if (!IsAllowedName(name, out reason)) return false;

            string next = Path.Join(current, name);
            if (walking)
            {
                var info = new FileInfo(next);
                var attributes = info.Attributes; // lstat: -1 when nothing is there
                if ((int)attributes == -1)
                {
                    walking = false;
                }
                else if ((attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is { } target)
                {
                    int hops = 1;
                    string? resolved = RealPath(Path.IsPathRooted(target) ? target : Path.Join(current, target), ref hops);
                    if (resolved is null)
                    {
                        reason = $"'{name}' is a symbolic link through more than {MaxLinkHops} links (a loop).";
                        return false;
                    }
                    if (!IsInsideRoot(resolved))
                    {
                        reason = $"'{name}' is a symbolic link to '{resolved}', outside the root.";
                        return false;
                    }
                    next = resolved;
                }
            }
            current = next;
            if (last) break;
            raw = raw[(slash + 1)..];
        }

        // Defence in depth: whatever the walk did, the result must lie under the root.
        if (!IsInsideRoot(Path.GetFullPath(current)))
        {
            reason = "The path resolves outside the root.";
            return false;
        }
        fullPath = current;
        reason = null;
        return true;
    }

    private bool IsInsideRoot(string path) =>
        path.StartsWith(_rootWithSeparator, StringComparison.Ordinal) || path == Root;

    /// <summary>Percent-decodes one segment into UTF-8 bytes, then strictly into text.</summary>
    private static bool TryDecodeSegment(ReadOnlySpan<char> segment, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name, out string? reason)
    {
        name = null;
        if (segment.Length > MaxEncodedSegment)
        {
            reason = $"A path segment is longer than {MaxEncodedSegment} characters; no file name is that long.";
            return false;
        }
        Span<byte> bytes = stackalloc byte[segment.Length];
        int count = 0;
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            int b;
            if (c == '%')
            {
                if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2]))
                {
                    reason = "The path has a '%' that is not followed by two hex digits.";
                    return false;
                }
                b = HexValue(segment[i + 1]) << 4 | HexValue(segment[i + 2]);
                i += 2;
                if (b is '/' or '\\')
                {
                    reason = "The path has an encoded slash or backslash (%2F, %5C), which could act as a separator.";
                    return false;
                }
            }
            else if (c == '\\')
            {
                reason = "The path has a backslash, a separator on Windows.";
                return false;
            }
            else if (c > 0x7F)
            {
                reason = "The path has a raw non-ASCII character; a request path carries them percent-encoded as UTF-8.";
                return false;
            }
            else
            {
                b = c;
            }
            bytes[count++] = (byte)b;
        }
        var utf8 = bytes[..count];
        var chars = count <= 256 ? stackalloc char[count] : new char[count];
        if (Utf8.ToUtf16(utf8, chars, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            reason = "A path segment is not valid UTF-8 (overlong forms such as %C0%AE are refused).";
            return false;
        }
        name = new string(chars[..written]);
        reason = null;
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private bool IsAllowedName(string name, out string? reason)
    {
        foreach (char c in name)
        {
            if (c < 0x20 || c == 0x7F)
            {
                reason = c == 0 ? "The path has a NUL byte." : "The path has a control character.";
                return false;
            }
            if (c == ':')
            {
                reason = "The path has a ':' (a drive letter or an NTFS stream on Windows).";
                return false;
            }
        }
        if (name.AsSpan().TrimEnd(". ").IsEmpty)
        {
            reason = name is "." or ".." ? $"The path has a '{name}' segment." : "A path segment is only dots and spaces, which Windows would read as '.' or '..'.";
            return false;
        }
        if (name[0] == '.' && !AllowHiddenFiles)
        {
            reason = $"'{name}' is a hidden name (it starts with a dot); set allowHiddenFiles to serve such names.";
            return false;
        }
        reason = null;
        return true;
    }

    /// <summary>realpath(3) in managed code: every link on the way resolved; null past <see cref="MaxLinkHops"/> links.</summary>
    private static string? RealPath(string absolutePath, ref int hops)
    {
        string root = Path.GetPathRoot(absolutePath) ?? "/";
        string current = root;
        var parts = absolutePath[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts)
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            string next = Path.Join(current, part);
            var info = new FileInfo(next);
            if ((int)info.Attributes != -1 && (info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is { } target)
            {
                if (++hops > MaxLinkHops) return null;
                string? resolved = RealPath(Path.IsPathRooted(target) ? target : Path.Join(current, target), ref hops);
                if (resolved is null) return null;
                current = resolved;
            }
            else
            {
                current = next;
            }
        }
        return current;
    }
}
