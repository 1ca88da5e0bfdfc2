using System.Text;
using Eddy.Http.Parsing;
using static Eddy.Tests.Http.Parsing.ParsingTesting;

namespace Eddy.Tests.Http.Parsing;

/// <summary>
/// Property-style tests with a seeded <see cref="Random"/> (so failures reproduce): generated valid
/// requests round-trip; random and mutated requests never make the parser throw or read outside
/// the buffer, always end in one of the three results, and give the same result however split.
/// </summary>
public class ParserPropertyTests
{
    private const int Cases = 20_000;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"];
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string PathChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/";
    private const string QueryChars = PathChars + "?%|{}[]^\"<>\\`";
    private const string HostChars = "abcdefghijklmnopqrstuvwxyz0123456789-.";
    private static readonly string[] SpecialNames = ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect", "Upgrade"];
    private static readonly byte[] Interesting = [0, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)':', (byte)',', (byte)';', (byte)'"', (byte)'%', (byte)'/', (byte)'*', (byte)'?', (byte)'#', (byte)'@', (byte)'[', 0x7F, 0x80, 0xFF, (byte)'0', (byte)'9', (byte)'H'];
    private static readonly int[] ErrorStatuses = [400, 414, 417, 431, 501, 505];

    private sealed record Generated(string Text, string Canonical, BodyFraming Framing, long ContentLength, bool KeepAlive);

    [Fact]
    public void Generated_valid_requests_round_trip()
    {
        var random = new Random(20240917);
        var parser = new HttpRequestParser();
        for (int n = 0; n < Cases; n++)
        {
            var request = Generate(random);
            var bytes = Bytes(request.Text);
            var result = ParseWhole(parser, bytes);
            Assert.True(result.Status == HttpParseStatus.Complete, $"case {n}: {result}\n{request.Text}");
            Assert.Equal(bytes.Length, result.Consumed);
            AssertRangesInside(parser.Head, result.Consumed);
            Assert.Equal(request.Canonical, Serialize(parser.Head, bytes));
            Assert.Equal(request.Framing, parser.Head.Framing);
            Assert.Equal(request.ContentLength, parser.Head.ContentLength);
            Assert.Equal(request.KeepAlive, parser.Head.KeepAlive);

            string whole = Describe(result, parser, bytes);
            Assert.Equal(whole, Describe(ParseSplit(parser, bytes, random.Next(bytes.Length + 1)), parser, bytes));
            if (n % 50 == 0) Assert.Equal(whole, Describe(ParseByteByByte(parser, bytes), parser, bytes));
        }
    }

    [Fact]
    public void Random_and_mutated_requests_never_throw_and_give_the_same_result_however_split()
    {
        var random = new Random(19980101);
        var parsers = new[]
        {
            new HttpRequestParser(),
            // Small limits, so the limit paths are reached by short random inputs too.
            new HttpRequestParser(new HttpParserLimits { MaxRequestLineSize = 48, MaxRequestHeadersTotalSize = 96, MaxRequestHeaderCount = 4 }),
        };
        var seen = new Dictionary<string, int>();
        for (int n = 0; n < Cases; n++)
        {
            byte[] input = (n % 5) switch
            {
                0 => RandomBytes(random),
                _ => Mutate(random, Bytes(Generate(random).Text)),
            };
            var parser = parsers[n % 2];

            // The input sits at the start of a larger array full of poison: a span cannot be read
            // past its end, and the poison would change the result if anything leaked through.
            var array = new byte[input.Length + 64];
            Array.Fill(array, (byte)'\n');
            input.CopyTo(array, 0);
            var buffer = array.AsSpan(0, input.Length);

            parser.Reset();
            var result = parser.TryParse(buffer);
            string whole = Check(result, parser, buffer, n, input);
            string key = result.Status == HttpParseStatus.Error ? result.StatusCode.ToString() : result.Status.ToString();
            seen[key] = seen.GetValueOrDefault(key) + 1;

            // The same bytes in two to four pieces.
            parser.Reset();
            var pieces = HttpParseResult.NeedMoreData;
            int fed = 0;
            int count = random.Next(1, 4);
            for (int i = 0; i < count && pieces.Status == HttpParseStatus.NeedMoreData; i++)
            {
                fed = random.Next(fed, input.Length + 1);
                pieces = parser.TryParse(buffer[..fed]);
            }
            if (pieces.Status == HttpParseStatus.NeedMoreData) pieces = parser.TryParse(buffer);
            Assert.True(whole == Check(pieces, parser, buffer, n, input), $"case {n}: split differs for {Convert.ToHexString(input)}");

            // A complete head parses the same from exactly its own bytes.
            if (result.Status == HttpParseStatus.Complete)
            {
                parser.Reset();
                Assert.Equal(result, parser.TryParse(buffer[..result.Consumed]));
            }
        }
        // The inputs really did reach every outcome.
        foreach (string key in new[] { "Complete", "NeedMoreData", "400", "414", "431", "505" })
            Assert.True(seen.ContainsKey(key), $"no case ended in {key}: {string.Join(", ", seen)}");
    }

    private static string Check(HttpParseResult result, HttpRequestParser parser, ReadOnlySpan<byte> buffer, int n, byte[] input)
    {
        switch (result.Status)
        {
            case HttpParseStatus.NeedMoreData:
                Assert.Equal(0, result.Consumed);
                break;
            case HttpParseStatus.Complete:
                Assert.InRange(result.Consumed, 1, buffer.Length);
                AssertRangesInside(parser.Head, result.Consumed);
                break;
            case HttpParseStatus.Error:
                Assert.True(ErrorStatuses.Contains(result.StatusCode), $"case {n}: status {result.StatusCode} for {Convert.ToHexString(input)}");
                Assert.False(string.IsNullOrEmpty(result.Reason));
                break;
            default:
                Assert.Fail($"case {n}: unknown status {result.Status}");
                break;
        }
        return Describe(result, parser, buffer);
    }

    [Fact]
    public void Random_and_mutated_chunked_bodies_never_throw_and_decode_the_same_however_split()
    {
        var random = new Random(7);
        var decoder = new ChunkedDecoder(new HttpParserLimits { MaxChunkLineSize = 40, MaxRequestHeadersTotalSize = 60, MaxRequestHeaderCount = 3 });
        var seen = new HashSet<ChunkedStatus>();
        for (int n = 0; n < Cases / 4; n++)
        {
            var (body, data) = GenerateChunked(random);
            var input = n % 3 == 0 ? body : Mutate(random, body);
            var whole = DecodeInPieces(decoder, input, []);
            seen.Add(whole.Result.Status);
            if (ReferenceEquals(input, body))
            {
                Assert.Equal(ChunkedStatus.Complete, whole.Result.Status);
                Assert.Equal(data, whole.Data);
            }
            Assert.True(whole.Data.Length <= input.Length);
            int a = random.Next(input.Length + 1), b = random.Next(input.Length + 1);
            var split = DecodeInPieces(decoder, input, [Math.Min(a, b), Math.Max(a, b)]);
            Assert.Equal(whole.Result.Status, split.Result.Status);
            Assert.Equal(whole.Result.StatusCode, split.Result.StatusCode);
            Assert.Equal(whole.Data, split.Data);
            Assert.Equal(whole.Trailers, split.Trailers);
        }
        Assert.Contains(ChunkedStatus.Error, seen);
        Assert.Contains(ChunkedStatus.Complete, seen);
    }

    private static (byte[] Body, byte[] Data) GenerateChunked(Random random)
    {
        var body = new StringBuilder();
        var data = new StringBuilder();
        int chunks = random.Next(0, 4);
        for (int i = 0; i < chunks; i++)
        {
            string chunk = RandomString(random, "abc\r\n\0\u00ff0123456789;", random.Next(1, 20));
            data.Append(chunk);
            body.Append(chunk.Length.ToString(random.Next(2) == 0 ? "x" : "X"));
            if (random.Next(3) == 0) body.Append(";e").Append(random.Next(2) == 0 ? "=v" : "=\"q v\"");
            body.Append("\r\n").Append(chunk).Append("\r\n");
        }
        body.Append("0\r\n");
        if (random.Next(3) == 0) body.Append("T: ").Append(random.Next(100)).Append("\r\n");
        body.Append("\r\n");
        return (Bytes(body.ToString()), Bytes(data.ToString()));
    }

    private static Generated Generate(Random random)
    {
        bool http10 = random.Next(8) == 0;
        string method = random.Next(6) == 0 ? RandomString(random, TokenChars, random.Next(1, 9)) : Methods[random.Next(Methods.Length)];
        string target;
        int form = random.Next(10);
        if (form == 0 && method == "OPTIONS") target = "*";
        else if (form == 1) target = "http://" + RandomHost(random) + RandomPath(random);
        else target = RandomPath(random);
        if (method == "CONNECT") method = "GET";

        var fields = new List<(string Name, string Value)>();
        if (!http10 || random.Next(2) == 0) fields.Add(("Host", RandomHost(random)));
        var framing = BodyFraming.None;
        long length = -1;
        int framingChoice = random.Next(4);
        if (framingChoice == 1)
        {
            framing = BodyFraming.ContentLength;
            length = random.NextInt64(0, long.MaxValue);
            fields.Add(("Content-Length", length.ToString()));
        }
        else if (framingChoice == 2 && !http10)
        {
            framing = BodyFraming.Chunked;
            fields.Add(("Transfer-Encoding", random.Next(2) == 0 ? "chunked" : "Chunked"));
        }
        bool close = false, keepAlive = false;
        int connection = random.Next(4);
        if (connection == 1) { fields.Add(("Connection", "close")); close = true; }
        else if (connection == 2) { fields.Add(("Connection", "keep-alive")); keepAlive = true; }
        if (random.Next(6) == 0) fields.Add(("Expect", "100-continue"));

        int extra = random.Next(0, 16);
        for (int i = 0; i < extra; i++)
        {
            string name;
            do name = RandomString(random, TokenChars, random.Next(1, 20));
            while (SpecialNames.Any(s => s.Equals(name, StringComparison.OrdinalIgnoreCase)));
            fields.Insert(random.Next(fields.Count + 1), (name, RandomValue(random)));
        }

        var text = new StringBuilder();
        var canonical = new StringBuilder();
        if (random.Next(20) == 0) text.Append("\r\n");
        string line = $"{method} {target} HTTP/1.{(http10 ? 0 : 1)}\r\n";
        text.Append(line);
        canonical.Append(line);
        foreach (var (name, value) in fields)
        {
            string before = random.Next(3) == 0 ? RandomString(random, " \t", random.Next(1, 3)) : random.Next(2) == 0 ? " " : "";
            string after = random.Next(4) == 0 ? RandomString(random, " \t", random.Next(1, 3)) : "";
            text.Append(name).Append(':').Append(before).Append(value).Append(after).Append("\r\n");
            canonical.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        text.Append("\r\n");
        return new Generated(text.ToString(), canonical.ToString(), framing, length, !close && (!http10 || keepAlive));
    }

    private static string Serialize(HttpRequestHead head, ReadOnlySpan<byte> buffer)
    {
        var text = new StringBuilder();
        text.Append(head.GetMethodString(buffer)).Append(' ').Append(head.Target.ToLatin1String(buffer)).Append(' ')
            .Append(head.Version.ToLatin1String(buffer)).Append("\r\n");
        for (int i = 0; i < head.Headers.Count; i++)
            text.Append(head.Headers.Name(i).ToLatin1String(buffer)).Append(": ").Append(head.Headers.Value(i).ToLatin1String(buffer)).Append("\r\n");
        return text.ToString();
    }

    private static string RandomPath(Random random)
    {
        var path = new StringBuilder();
        int segments = random.Next(0, 5);
        path.Append('/');
        for (int i = 0; i < segments; i++)
        {
            path.Append(RandomString(random, PathChars, random.Next(0, 10)));
            if (random.Next(4) == 0) path.Append('%').Append(Convert.ToHexString([(byte)random.Next(256)]));
        }
        if (random.Next(3) == 0) path.Append('?').Append(RandomString(random, QueryChars, random.Next(0, 20)));
        return path.ToString();
    }

    private static string RandomHost(Random random)
    {
        string host = random.Next(6) switch
        {
            0 => $"{random.Next(256)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}",
            1 => $"[{random.Next(65536):x}::{random.Next(65536):x}]",
            _ => "h" + RandomString(random, HostChars, random.Next(0, 20)),
        };
        return random.Next(3) == 0 ? $"{host}:{random.Next(1, 65536)}" : host;
    }

    private static string RandomValue(Random random)
    {
        // field-vchar with inner SP/HTAB, starting and ending with a visible char (the parser trims OWS).
        int length = random.Next(0, 30);
        if (length == 0) return "";
        var value = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            bool edge = i == 0 || i == length - 1;
            int kind = random.Next(10);
            char c = kind == 0 && !edge ? (random.Next(2) == 0 ? ' ' : '\t')
                : kind == 1 ? (char)random.Next(0x80, 0x100)
                : (char)random.Next(0x21, 0x7F);
            value.Append(c);
        }
        return value.ToString();
    }

    private static string RandomString(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
        return new string(chars);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new List<byte>();
        int parts = random.Next(0, 12);
        string[] fragments = ["GET", " ", "/", " HTTP/1.1", "\r\n", "Host: a", ":", "Transfer-Encoding: chunked", "Content-Length: 5", "\r\n\r\n", "HTTP/2.0", "*"];
        for (int i = 0; i < parts; i++)
        {
            if (random.Next(2) == 0) bytes.AddRange(Bytes(fragments[random.Next(fragments.Length)]));
            else for (int j = random.Next(1, 8); j > 0; j--) bytes.Add(random.Next(2) == 0 ? Interesting[random.Next(Interesting.Length)] : (byte)random.Next(256));
        }
        return bytes.ToArray();
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = new List<byte>(original);
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            int at = random.Next(bytes.Count + 1);
            byte b = random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
            switch (random.Next(7))
            {
                case 0 when at < bytes.Count: bytes[at] = b; break;
                case 1: bytes.Insert(at, b); break;
                case 2 when at < bytes.Count: bytes.RemoveAt(at); break;
                case 3 when at < bytes.Count && char.IsAsciiLetter((char)bytes[at]): bytes[at] ^= 0x20; break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;
                case 5:
                {
                    // Duplicate a line somewhere else (repeated Host, Content-Length, ...).
                    int start = bytes.IndexOf((byte)'\n', at) + 1;
                    int end = start > 0 ? bytes.IndexOf((byte)'\n', start) : -1;
                    if (end > start) bytes.InsertRange(start, bytes.GetRange(start, end - start + 1));
                    break;
                }
                default:
                    if (at < bytes.Count) bytes.Insert(at, bytes[at]);
                    break;
            }
        }
        return bytes.ToArray();
    }
}
