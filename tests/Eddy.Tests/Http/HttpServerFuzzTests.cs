using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Eddy.Coroutines;
using Eddy.Http;
using Eddy.Http.Parsing;
using Eddy.Http.Testing;
using Eddy.Loop;
using Eddy.Net;
using Microsoft.Extensions.Logging;

namespace Eddy.Tests.Http;

/// <summary>
/// Property-style tests of the whole server, in memory (<see cref="HttpTestServer"/>), with a
/// seeded <see cref="Random"/> (the seed and case number are in every failure message, so a
/// failure reproduces). Valid requests, pipelined in batches and split into random write fragments
/// (each pause a boundary between the server's reads), must each be answered in order by
/// the response carrying their own id, with consistent framing. Mutated requests must be answered
/// with a well-formed response or a close, never a hang, and must not disturb the answers to the
/// valid requests before them. After every case a fresh connection must still get its 200.
/// </summary>
/// <remarks>
/// Everything runs on one loop with an auto-jumping <see cref="VirtualClock"/>: a case the server
/// leaves waiting (a truncated head, a body that never ends) is ended by the server's own timeouts
/// without real time passing, and a real hang is caught by a per-case deadline on the same clock.
/// </remarks>
public class HttpServerFuzzTests
{
    private static IPEndPoint Any => new(IPAddress.Loopback, 0);

    /// <summary>Small, so that "big" and "stream" responses cross it cheaply and stream.</summary>
    private const int ResponseBufferSize = 512;

    /// <summary>Virtual time a case may take; the server's longest timeout (keep-alive) is 130 s.</summary>
    private static readonly TimeSpan CaseDeadline = TimeSpan.FromSeconds(600);

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "OPTIONS"];
    private static readonly string[] AllModes = ["full", "full", "full", "full", "stream", "big", "partial", "ignore", "throw"];
    private static readonly string[] KeepAliveModes = ["full", "full", "stream", "big"];
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string ValueChars = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    private static readonly byte[] Interesting = [(byte)'\r', (byte)'\n', 0, (byte)' ', (byte)':', (byte)'\t', (byte)';', (byte)',', 0x7F, 0x80, 0xFF, (byte)'0', (byte)'F'];
    private static readonly Regex StatusLine = new(@"^HTTP/1\.1 [1-9][0-9]{2} [\x20-\x7E]*$", RegexOptions.CultureInvariant);
    private static readonly Regex Token = new(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$", RegexOptions.CultureInvariant);

    /// <summary>One generated request: its bytes and what its answer must look like.</summary>
    private sealed class Request
    {
        public required int Id { get; init; }
        public required string Method { get; init; }
        public required string Mode { get; init; }
        public required bool Http10 { get; init; }
        public required bool AsksClose { get; init; }
        public required bool AsksKeepAlive { get; init; }
        public required bool ExpectContinue { get; init; }
        public required bool HasBody { get; init; }
        public required byte[] Body { get; init; }
        public required int ResponseLength { get; init; }
        public required byte[] Bytes { get; set; }

        public bool IsHead => Method == "HEAD";

        /// <summary>The connection must close after this answer.</summary>
        public bool MustClose =>
            AsksClose || (Http10 && !AsksKeepAlive) || Mode == "throw"
            // HTTP/1.0 cannot be chunked: a streamed body without a declared length ends with the connection.
            || (Http10 && Mode == "stream" && Id % 2 == 1)
            || (Http10 && !IsHead && Mode is not ("stream" or "throw") && ExpectedBody(this).Length > ResponseBufferSize);

        /// <summary>
        /// The connection may close after this answer: a body left unread that had not all arrived (or
        /// an unanswered 100-continue). When the answer had already started streaming, it went out
        /// without Connection: close, and the close follows it unannounced.
        /// </summary>
        public bool MayClose => MustClose || (Mode is "partial" or "ignore" && HasBody);

        public override string ToString() => Encoding.Latin1.GetString(Bytes).Replace("\r", "\\r").Replace("\n", "\\n\n");
    }

    // ---- The handler: everything it answers is a function of the request, so the client can predict it ----

    private static async ValueTask Handle(HttpRequest request, HttpResponse response)
    {
        var parts = request.Path.Split('/');
        if (parts.Length != 4 || parts[1] != "id" || !int.TryParse(parts[2], out int id))
        {
            response.Write("noid"u8); // a mutated target
            return;
        }
        string mode = parts[3];
        response.Headers.Set("X-Id", parts[2]);
        if (request.Headers.TryGetValue("X-Id", out var headerId) && int.TryParse(headerId, out _)) response.Headers.Set("X-Header-Id", headerId);
        int responseLength = request.Headers.TryGetValue("X-Resp-Len", out var lengthText) && int.TryParse(lengthText, out int l) ? Math.Clamp(l, 0, 100_000) : 0;
        switch (mode)
        {
            case "partial":
                await request.ReadAsync(new byte[16]);
                response.Write(Encoding.ASCII.GetBytes($"id={id};partial;"));
                response.Write(Pattern(id, responseLength));
                return;
            case "ignore":
                response.Write(Encoding.ASCII.GetBytes($"id={id};ignore;"));
                response.Write(Pattern(id, responseLength));
                return;
            case "throw":
                if (id % 2 == 0) await request.ReadAsync(new byte[100]);
                throw new InvalidOperationException("fuzz: the handler throws on purpose");
        }
        // full, stream, big: read the whole body in reads of an odd size, and answer its length and hash.
        var buffer = new byte[(id % 7 + 1) * 37];
        long length = 0;
        uint hash = 2166136261;
        int n;
        while ((n = await request.ReadAsync(buffer)) > 0)
        {
            for (int i = 0; i < n; i++) hash = (hash ^ buffer[i]) * 16777619;
            length += n;
        }
        var summary = Encoding.ASCII.GetBytes($"id={id};len={length};hash={hash:x8};");
        var pattern = Pattern(id, responseLength);
        if (mode == "stream")
        {
            if (id % 2 == 0) response.ContentLength = summary.Length + pattern.Length;
            response.Write(summary);
            await response.FlushAsync();
            int half = pattern.Length / 2;
            await response.WriteAsync(pattern.AsMemory(0, half));
            await response.WriteAsync(pattern.AsMemory(half));
            return;
        }
        response.Write(summary);
        response.Write(pattern);
    }

    private static byte[] Pattern(int id, int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)('a' + (id + i) % 26);
        return bytes;
    }

    private static uint Fnv(byte[] bytes)
    {
        uint hash = 2166136261;
        foreach (var b in bytes) hash = (hash ^ b) * 16777619;
        return hash;
    }

    private static byte[] ExpectedBody(Request r)
    {
        var prefix = r.Mode switch
        {
            "partial" => $"id={r.Id};partial;",
            "ignore" => $"id={r.Id};ignore;",
            _ => $"id={r.Id};len={r.Body.Length};hash={Fnv(r.Body):x8};",
        };
        return [.. Encoding.ASCII.GetBytes(prefix), .. Pattern(r.Id, r.ResponseLength)];
    }

    // ---- Generators ----

    private static string RandomToken(Random random, int min, int max)
    {
        var chars = new char[random.Next(min, max + 1)];
        for (int i = 0; i < chars.Length; i++) chars[i] = TokenChars[random.Next(TokenChars.Length)];
        return new string(chars);
    }

    private static string RandomValue(Random random)
    {
        var chars = new char[random.Next(0, 40)];
        for (int i = 0; i < chars.Length; i++) chars[i] = ValueChars[random.Next(ValueChars.Length)];
        return new string(chars).Trim();
    }

    private static string RandomCase(Random random, string name)
    {
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++) chars[i] = random.Next(2) == 0 ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
        return new string(chars);
    }

    private static Request Generate(Random random, int id, string[] modes, bool plain, bool noHead = false)
    {
        string method = Methods[random.Next(Methods.Length)];
        if (noHead && method == "HEAD") method = "GET";
        string mode = modes[random.Next(modes.Length)];
        bool http10 = !plain && random.Next(8) == 0;
        bool asksClose = !plain && random.Next(12) == 0;
        bool asksKeepAlive = http10 && random.Next(3) != 0;
        bool expect = !plain && !http10 && random.Next(10) == 0;
        int framing = method is "POST" or "PUT" ? random.Next(3) : random.Next(8) == 0 ? random.Next(1, 3) : 0; // 0 none, 1 length, 2 chunked
        if (http10 && framing == 2) framing = 1;
        var body = framing == 0 ? [] : RandomBody(random);
        int responseLength = mode == "big" ? random.Next(ResponseBufferSize + 1, 4 * ResponseBufferSize) : random.Next(4) == 0 ? random.Next(0, 2000) : random.Next(0, 40);

        var head = new StringBuilder();
        head.Append($"{method} /id/{id}/{mode}{(random.Next(3) == 0 ? "?q=" + RandomToken(random, 0, 10).Replace("#", "") : "")} HTTP/1.{(http10 ? 0 : 1)}\r\n");
        var lines = new List<string>();
        if (!http10 || random.Next(2) == 0) lines.Add($"{RandomCase(random, "Host")}: example.test");
        lines.Add($"X-Id: {id}");
        lines.Add($"{RandomCase(random, "X-Resp-Len")}:{(random.Next(2) == 0 ? " " : "")}{responseLength}");
        for (int i = random.Next(0, 6); i > 0; i--) lines.Add($"X-Rnd-{RandomToken(random, 1, 12)}: {RandomValue(random)}"); // never X-Id or X-Resp-Len
        if (asksClose) lines.Add(random.Next(2) == 0 ? "Connection: close" : "connection: Close");
        if (asksKeepAlive) lines.Add("Connection: keep-alive");
        if (expect) lines.Add("Expect: 100-continue");
        if (framing == 1) lines.Add($"Content-Length: {body.Length}");
        if (framing == 2) lines.Add("Transfer-Encoding: chunked");
        // Shuffle: the server must not depend on header order.
        for (int i = lines.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (lines[i], lines[j]) = (lines[j], lines[i]);
        }
        foreach (var line in lines) head.Append(line).Append("\r\n");
        head.Append("\r\n");
        var bytes = new List<byte>(Encoding.Latin1.GetBytes(head.ToString()));
        if (framing == 1) bytes.AddRange(body);
        if (framing == 2) bytes.AddRange(Chunk(random, body));
        return new Request
        {
            Id = id, Method = method, Mode = mode, Http10 = http10, AsksClose = asksClose, AsksKeepAlive = asksKeepAlive,
            ExpectContinue = expect, HasBody = framing == 2 || body.Length > 0, Body = body, ResponseLength = responseLength, Bytes = bytes.ToArray(),
        };
    }

    private static byte[] RandomBody(Random random)
    {
        var body = new byte[random.Next(4) == 0 ? random.Next(0, 5000) : random.Next(0, 60)];
        random.NextBytes(body);
        return body;
    }

    private static byte[] Chunk(Random random, byte[] body)
    {
        var output = new List<byte>();
        int offset = 0;
        while (offset < body.Length)
        {
            int size = Math.Min(body.Length - offset, random.Next(1, 1500));
            string ext = random.Next(5) == 0 ? ";ext=" + RandomToken(random, 1, 5) : "";
            output.AddRange(Encoding.ASCII.GetBytes((random.Next(2) == 0 ? size.ToString("x") : size.ToString("X")) + ext + "\r\n"));
            output.AddRange(body.AsSpan(offset, size).ToArray());
            output.AddRange("\r\n"u8.ToArray());
            offset += size;
        }
        output.AddRange(Encoding.ASCII.GetBytes(random.Next(4) == 0 ? $"0\r\nX-Trailer: {RandomToken(random, 1, 8)}\r\n\r\n" : "0\r\n\r\n"));
        return output.ToArray();
    }

    /// <summary>Cuts <paramref name="bytes"/> into fragments of random sizes (many tiny, some large).</summary>
    private static List<byte[]> Fragment(Random random, byte[] bytes)
    {
        var fragments = new List<byte[]>();
        int style = random.Next(4);
        for (int offset = 0; offset < bytes.Length;)
        {
            int size = style switch
            {
                0 => bytes.Length,
                1 => random.Next(1, 4),
                2 => random.Next(1, 64),
                _ => random.Next(1, bytes.Length + 1),
            };
            size = Math.Min(size, bytes.Length - offset);
            fragments.Add(bytes.AsSpan(offset, size).ToArray());
            offset += size;
        }
        return fragments;
    }

    /// <summary>A mutation of a valid request; the description goes into failure messages.</summary>
    private static (byte[] Bytes, string Description) Mutate(Random random, Request valid)
    {
        var bytes = new List<byte>(valid.Bytes);
        int headEnd = valid.Bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 2; // just after the last header line's CRLF
        string text = Encoding.Latin1.GetString(valid.Bytes, 0, headEnd);
        switch (random.Next(14))
        {
            case 0:
                {
                    int flips = random.Next(1, 4);
                    for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    return (bytes.ToArray(), $"{flips} byte(s) replaced");
                }
            case 1:
                {
                    int at = random.Next(bytes.Count);
                    int count = Math.Min(random.Next(1, 8), bytes.Count - at);
                    bytes.RemoveRange(at, count);
                    return (bytes.ToArray(), $"{count} byte(s) deleted at {at}");
                }
            case 2:
                {
                    int at = random.Next(headEnd + 1);
                    byte b = Interesting[random.Next(Interesting.Length)];
                    bytes.Insert(at, b);
                    return (bytes.ToArray(), $"byte 0x{b:X2} inserted at {at}");
                }
            case 3:
                {
                    var lines = text.Split("\r\n").Skip(1).Where(l => l.Length > 0).ToList();
                    var line = lines[random.Next(lines.Count)];
                    return (Insert(valid.Bytes, headEnd, line + "\r\n"), $"header duplicated: {line}");
                }
            case 4:
                {
                    string extra = random.Next(6) switch
                    {
                        0 => "Content-Length: 5\r\n",
                        1 => "Transfer-Encoding: chunked\r\n",
                        2 => "Content-Length: 0\r\nContent-Length: 1\r\n",
                        3 => "Transfer-Encoding: gzip\r\n",
                        4 => "Transfer-Encoding: chunked, chunked\r\n",
                        _ => "Content-Length: +7\r\n",
                    };
                    return (Insert(valid.Bytes, headEnd, extra), $"framing header added: {extra.TrimEnd()}");
                }
            case 5:
                {
                    int at = random.Next(bytes.Count);
                    return (bytes.Take(at).ToArray(), $"truncated to {at} bytes");
                }
            case 6:
                {
                    string huge = random.Next(5) switch
                    {
                        0 => "Content-Length: 99999999999\r\n",
                        1 => "Content-Length: 9223372036854775807\r\n",
                        2 => "Content-Length: 30000001\r\n",
                        3 => "Content-Length: 123456789012345678901234567890\r\n",
                        _ => "Content-Length: 2000000\r\n",
                    };
                    var stripped = RemoveFraming(text);
                    return ([.. Encoding.Latin1.GetBytes(stripped + huge + "\r\n"), .. "some body"u8.ToArray()], $"huge length: {huge.TrimEnd()}");
                }
            case 7:
                {
                    string size = random.Next(3) switch { 0 => "FFFFFFFFFFFFFFFFF", 1 => "7fffffff", _ => "1C9C381" }; // 30,000,001
                    var stripped = RemoveFraming(text);
                    return (Encoding.Latin1.GetBytes(stripped + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\nabc"), $"huge chunk size {size}");
                }
            case 8:
                {
                    var garbage = new byte[random.Next(1, 300)];
                    random.NextBytes(garbage);
                    return (garbage, "random bytes");
                }
            case 9:
                {
                    var garbage = new char[random.Next(1, 300)];
                    for (int i = 0; i < garbage.Length; i++) garbage[i] = (char)random.Next(32, 127);
                    return (Encoding.Latin1.GetBytes(new string(garbage) + (random.Next(2) == 0 ? "\r\n\r\n" : "")), "printable junk");
                }
            case 10:
                {
                    bool target = random.Next(2) == 0;
                    var filler = new string('a', random.Next(9_000, 40_000));
                    var replaced = target ? text.Replace("/id/", "/" + filler + "/id/") : text + "X-Big: " + filler + "\r\n";
                    return (Encoding.Latin1.GetBytes(replaced + "\r\n"), target ? $"target of {filler.Length}+ bytes" : $"header of {filler.Length} bytes");
                }
            case 11:
                return (Encoding.Latin1.GetBytes(text.Replace("\r\n", "\n") + "\n"), "bare LF line endings");
            case 12:
                {
                    var lines = text.Split("\r\n").ToList();
                    int at = random.Next(1, lines.Count);
                    lines.Insert(at, " folded");
                    return (Encoding.Latin1.GetBytes(string.Join("\r\n", lines) + "\r\n"), "obs-fold line");
                }
            default:
                {
                    var many = new StringBuilder(text);
                    for (int i = 0; i < 101; i++) many.Append($"X-H{i}: v\r\n");
                    return (Encoding.Latin1.GetBytes(many + "\r\n"), "101 extra headers");
                }
        }
    }

    private static byte[] Insert(byte[] bytes, int at, string text) => [.. bytes.AsSpan(0, at), .. Encoding.Latin1.GetBytes(text), .. bytes.AsSpan(at)];

    private static string RemoveFraming(string head) =>
        string.Join("", head.Split("\r\n").Where(l => l.Length > 0 && !l.StartsWith("Content-Length", StringComparison.OrdinalIgnoreCase) && !l.StartsWith("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Select(l => l + "\r\n"));

    // ---- The harness ----

    private sealed class Harness(HttpTestServer server, Random random, int seed, TestLogger log)
    {
        private int _nextId = 1;

        public int NextId() => _nextId++;

        public int Seed => seed;

        public Random Random => random;

        public HttpParserLimits Limits => server.Server.Limits;

        /// <summary>Runs one case: fails with the seed, the case and what was sent if it throws or outlives the deadline.</summary>
        public async Task RunCaseAsync(int caseNumber, string kind, Func<HttpTestConnection, List<string>, Task> body)
        {
            var notes = new List<string>();
            int logged = log.Entries.Count;
            HttpTestConnection? client = null;
            using var scope = new CancelScope(CaseDeadline);
            // The reads take no token: the deadline aborts the client's connection instead.
            using var registration = scope.Token.Register(() => client?.Abort());
            try
            {
                client = await server.ConnectAsync();
                await body(client, notes);
                await CheckServerAliveAsync();
            }
            catch (Exception e)
            {
                string why = scope.DeadlineReached ? $"HUNG: neither answered nor closed within {CaseDeadline} (virtual)" : e.GetType().Name + ": " + e.Message;
                var serverLog = log.Entries.Skip(logged).Select(entry => $"server log: {entry.Level} {entry.Message} {entry.Exception?.GetType().Name}: {entry.Exception?.Message}");
                throw new Xunit.Sdk.XunitException($"seed {seed}, {kind} case {caseNumber}: {why}\n{string.Join("\n", notes.Concat(serverLog))}\n{e}");
            }
            finally
            {
                if (client is not null) await client.DisposeAsync();
            }
        }

        /// <summary>A fresh connection gets a correct 200: the server and the loop are alive.</summary>
        private async Task CheckServerAliveAsync()
        {
            int id = NextId();
            await using var fresh = await server.ConnectAsync();
            fresh.Send($"GET /id/{id}/full HTTP/1.1\r\nHost: a\r\nX-Id: {id}\r\n\r\n");
            var response = await fresh.ReadResponseAsync();
            Assert.True(response.StatusCode == 200, $"the server's health check got {response}");
            Assert.Equal($"id={id};len=0;hash=811c9dc5;", response.Text);
        }
    }

    private static async Task Fuzz(int seed, Func<Harness, Task> body)
    {
        var log = new TestLogger();
        var options = new HttpTestOptions
        {
            ServerOptions = new HttpServerOptions { ResponseBufferSize = ResponseBufferSize },
            LoggerFactory = log.Factory,
            Timeout = Timeout.InfiniteTimeSpan, // hundreds of cases run into the server's timeouts; each case has its own deadline
        };
        await HttpTestServer.RunAsync(Handle, async server =>
        {
            try
            {
                await body(new Harness(server, new Random(seed), seed, log));
            }
            finally
            {
                Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
            }
        }, options);
        // The only errors allowed are the handler's own failures; anything else is the server failing.
        var unexpected = log.Entries.Where(e => e.Level >= LogLevel.Error && !e.Message.StartsWith("The HTTP handler failed", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, $"seed {seed}: the server logged errors:\n" + string.Join("\n", unexpected.Select(e => $"{e.Message}: {e.Exception}")));
    }

    /// <summary>
    /// Writes the fragments from a coroutine of their own, sometimes waiting for the server to read
    /// what came so far (so the next fragment starts a read of its own); then maybe half-closes.
    /// </summary>
    private static Coroutine StartWriter(HttpTestConnection client, List<byte[]> fragments, bool halfClose, Random random)
    {
        var pauses = fragments.Select(_ => random.Next(3) == 0).ToArray();
        return EventLoop.Current.Spawn(async () =>
        {
            try
            {
                for (int i = 0; i < fragments.Count; i++)
                {
                    client.Send(fragments[i]);
                    if (pauses[i]) await client.WaitForServerToReadAsync(); // the next fragment starts a read of its own
                }
                await client.WaitForServerToReadAsync(); // all taken (or the server stopped reading): the writer is done
                if (halfClose)
                {
                    client.ShutdownWrite();
                }
            }
            catch (IOException)
            {
                // The server closed first (after a close-causing request): what was left is not needed.
            }
        });
    }



    /// <summary>Checks a response's framing and syntax; the body was already read by its framing.</summary>
    private static void AssertWellFormed(HttpTestResponse response, bool http10Request)
    {
        Assert.Matches(StatusLine, response.ToString());
        foreach (var (name, value) in response.Headers)
        {
            Assert.Matches(Token, name);
            Assert.DoesNotContain('\r', value);
            Assert.DoesNotContain('\n', value);
        }
        Assert.True(response.HeaderValues("Content-Length").Count <= 1, "more than one Content-Length");
        Assert.True(response.HeaderValues("Transfer-Encoding").Count <= 1, "more than one Transfer-Encoding");
        Assert.False(response.Header("Content-Length") is not null && response.Header("Transfer-Encoding") is not null, "both Content-Length and Transfer-Encoding");
        if (response.Header("Transfer-Encoding") is { } transferEncoding) Assert.Equal("chunked", transferEncoding);
        Assert.Empty(response.Trailers); // the server sends none
        if (http10Request) Assert.False(response.IsChunked, "a chunked response to an HTTP/1.0 request");
        if (response.StatusCode is 204 or 304) Assert.Empty(response.Body);
    }

    private static bool SaysClose(HttpTestResponse response) => string.Equals(response.Header("Connection"), "close", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the next response, or returns null when the server closed the connection before its first byte; a close in the middle of a response still throws.</summary>
    private static async Task<HttpTestResponse?> ReadResponseOrCloseAsync(HttpTestConnection client, bool headOnly = false) =>
        await client.IsClosedByServerAsync() ? null : await client.ReadResponseAsync(headOnly);

    /// <summary>Reads the answer to <paramref name="r"/> (skipping a 100 Continue it asked for) and checks it exactly; null if the server closed instead.</summary>
    private static async Task<HttpTestResponse?> ReadAnswerAsync(HttpTestConnection client, Request r)
    {
        var response = await ReadResponseOrCloseAsync(client, r.IsHead);
        if (response is { StatusCode: 100 })
        {
            Assert.True(r.ExpectContinue, $"a 100 Continue for request {r.Id}, which did not ask for one");
            response = await ReadResponseOrCloseAsync(client, r.IsHead);
        }
        if (response is null) return null;
        AssertWellFormed(response, r.Http10);
        if (r.Mode == "throw")
        {
            Assert.Equal(500, response.StatusCode);
            Assert.Null(response.Header("X-Id")); // the handler's headers were dropped with its response
        }
        else
        {
            Assert.True(response.StatusCode == 200, $"request {r.Id} got {response}: {response.Text}");
            Assert.True(response.Header("X-Id") == r.Id.ToString(), $"request {r.Id} was answered with the response to {response.Header("X-Id")}");
            Assert.Equal(r.Id.ToString(), response.Header("X-Header-Id"));
            var expected = ExpectedBody(r);
            if (r.IsHead)
            {
                if (response.Header("Content-Length") is { } length) Assert.Equal(expected.Length.ToString(), length);
            }
            else
            {
                Assert.True(expected.AsSpan().SequenceEqual(response.Body), $"request {r.Id}: body '{response.Text}', expected '{Encoding.Latin1.GetString(expected)}'");
            }
        }
        bool close = SaysClose(response);
        if (r.MustClose) Assert.True(close, $"request {r.Id} ({r.Mode}) must be answered with Connection: close");
        else if (!r.MayClose) Assert.False(close, $"request {r.Id} ({r.Mode}) was answered with Connection: close for no reason");
        if (r.Http10 && !close) Assert.Equal("keep-alive", response.Header("Connection"));
        if (!r.Http10 && !close) Assert.Null(response.Header("Connection"));
        return response;
    }

    // ---- The properties ----

    // Found by the fuzz tests: a half-close in the same read as the body's end aborted the request.
    [Fact]
    public Task A_half_close_that_arrives_with_the_end_of_a_body_the_handler_waits_for_still_gets_the_answer()
    {
        var waiting = new Eddy.Sync.AsyncEvent();
        return HttpTestServer.RunAsync(async (request, response) =>
        {
            var first = new byte[5];
            int n = await request.ReadAsync(first);   // the first half, already buffered
            waiting.Set();
            response.Write(first.AsSpan(0, n));
            var rest = new byte[16];
            while ((n = await request.ReadAsync(rest)) > 0) response.Write(rest.AsSpan(0, n)); // waits: the second half is not sent yet
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello");
            await waiting.WaitAsync();
            client.Send("world");     // the rest of the body...
            client.ShutdownWrite();   // ...and the half-close, read by the server in one go
            var response = await ReadResponseOrCloseAsync(client);
            Assert.True(response is not null, "the server closed without answering a request whose body had fully arrived");
            Assert.Equal("helloworld", response.Text);
            Assert.True(await client.IsClosedByServerAsync());
            Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
        });
    }

    // Found by the fuzz tests: closing with unread input sent a reset that destroyed the response (RFC 9112 §9.6).
    // Over TCP: only TCP answers a close with unread input by a reset that discards what the
    // client has not read yet; a socket pair keeps those bytes readable, so it could not fail.
    [Fact]
    public void A_close_with_unread_pipelined_input_does_not_destroy_the_response_with_a_reset()
    {
        var body = new byte[256 * 1024];
        Array.Fill(body, (byte)'x');
        EventLoop.Run(async () =>
        {
            var server = HttpServer.Start((_, response) =>
            {
                response.Write(body); // more than the socket buffers take at once: still in flight at the close
                return default;
            }, Any);
            await using var client = await HttpTestConnection.ConnectAsync(server.EndPoint);
            // The first request closes the connection; what follows it is never read by the server.
            client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + new string('G', 64 * 1024));
            var response = await client.ReadResponseAsync();
            Assert.Equal(body.Length, response.Body.Length);
            Assert.True(await client.IsClosedByServerAsync());
            Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20251121)]
    [InlineData(424242)]
    [InlineData(7)]
    public Task Pipelined_valid_requests_in_random_fragments_are_each_answered_in_order_with_their_own_response(int seed)
    {
        const int Cases = 300;
        return Fuzz(seed, async h =>
        {
            for (int n = 0; n < Cases; n++)
            {
                bool halfClose = h.Random.Next(2) == 0;
                var batch = new List<Request>();
                for (int i = h.Random.Next(1, 9); i > 0; i--) batch.Add(Generate(h.Random, h.NextId(), AllModes, plain: false));
                var fragments = Fragment(h.Random, batch.SelectMany(r => r.Bytes).ToArray());
                await h.RunCaseAsync(n, "valid", async (client, notes) =>
                {
                    notes.AddRange(batch.Select(r => r.ToString()));
                    notes.Add($"{fragments.Count} fragments; half-close: {halfClose}");
                    var writer = StartWriter(client, fragments, halfClose, h.Random);
                    int answered = 0;
                    bool reset = false;
                    Request? previous = null;
                    foreach (var r in batch)
                    {
                        var response = await ReadAnswerAsync(client, r);
                        if (response is null && previous is { MayClose: true })
                        {
                            notes.Add($"closed after the answer to {previous.Id}, which left its body unread (allowed: the close was not announced because the answer had started)");
                            reset = true;
                            break;
                        }
                        if (response is null)
                        {
                            Assert.Fail($"the server closed instead of answering request {r.Id} (after {answered} answers)");
                        }
                        answered++;
                        previous = r;
                        if (SaysClose(response)) break;
                    }
                    if (reset) { }
                    else if (answered < batch.Count || halfClose) Assert.True(await client.IsClosedByServerAsync(), "bytes or an open connection after the last answer");
                    else Assert.Equal(0, client.Unread);
                    await writer.JoinAsync();
                });
            }
        });
    }

    [Theory]
    [InlineData(3)]
    [InlineData(99)]
    [InlineData(31337)]
    [InlineData(1234567)]
    public Task Mutated_requests_get_a_well_formed_answer_or_a_close_and_never_disturb_the_valid_requests_before_them(int seed)
    {
        const int Cases = 400;
        return Fuzz(seed, async h =>
        {
            var limits = h.Limits;
            for (int n = 0; n < Cases; n++)
            {
                bool halfClose = h.Random.Next(2) == 0;
                var prefix = new List<Request>();
                for (int i = h.Random.Next(0, 4); i > 0; i--) prefix.Add(Generate(h.Random, h.NextId(), KeepAliveModes, plain: true));
                var (mutated, description) = Mutate(h.Random, Generate(h.Random, h.NextId(), AllModes, plain: false, noHead: true));
                var suffix = new List<byte>();
                if (!description.StartsWith("truncated", StringComparison.Ordinal))
                    for (int i = h.Random.Next(0, 3); i > 0; i--) suffix.AddRange(Generate(h.Random, h.NextId(), AllModes, plain: false, noHead: true).Bytes);
                var tail = mutated.Concat(suffix).ToArray();
                var fragments = Fragment(h.Random, prefix.SelectMany(r => r.Bytes).Concat(tail).ToArray());

                // What the server's own parser makes of the bytes after the valid prefix.
                var parser = new HttpRequestParser(limits);
                var verdict = parser.TryParse(tail);

                await h.RunCaseAsync(n, "mutated", async (client, notes) =>
                {
                    notes.AddRange(prefix.Select(r => r.ToString()));
                    notes.Add($"mutation: {description}; parser verdict: {verdict}; half-close: {halfClose}; {fragments.Count} fragments");
                    notes.Add(Encoding.Latin1.GetString(tail.AsSpan(0, Math.Min(tail.Length, 2000))).Replace("\r", "\\r").Replace("\n", "\\n\n"));
                    var writer = StartWriter(client, fragments, halfClose, h.Random);
                    foreach (var r in prefix)
                    {
                        var response = await ReadAnswerAsync(client, r);
                        Assert.True(response is not null, $"the server closed instead of answering the valid request {r.Id} before the mutated one");
                    }
                    // Then: well-formed answers, or nothing, and in the end a close.
                    int after = 0;
                    while (true)
                    {
                        var response = await ReadResponseOrCloseAsync(client);
                        if (response is null) break;
                        if (response.StatusCode == 100) continue;
                        AssertWellFormed(response, http10Request: false);
                        if (after == 0 && verdict.IsError)
                            Assert.True(response.StatusCode == verdict.StatusCode, $"the parser says {verdict.StatusCode}; the server answered {response}: {response.Text}");
                        if (after == 0 && verdict.Status == HttpParseStatus.NeedMoreData)
                            Assert.True(!halfClose && response.StatusCode == 408, $"an incomplete head got {response} (half-close: {halfClose})");
                        if (response.StatusCode >= 400 && response.StatusCode != 500) Assert.True(SaysClose(response), $"an error {response} without Connection: close");
                        after++;
                        if (SaysClose(response))
                        {
                            Assert.True(await client.IsClosedByServerAsync(), "bytes or an open connection after Connection: close");
                            break;
                        }
                    }
                    if (verdict.IsError) Assert.True(after != 0, $"the server closed without answering {verdict.StatusCode}");
                    await writer.JoinAsync();
                });
            }
        });
    }
}
