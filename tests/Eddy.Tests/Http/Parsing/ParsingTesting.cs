using System.Text;
using Eddy.Http.Parsing;

namespace Eddy.Tests.Http.Parsing;

/// <summary>Helpers shared by the parser tests: building requests, feeding them in pieces, and describing results.</summary>
internal static class ParsingTesting
{
    /// <summary>One byte per char, so "\u0080" through "\u00FF" become obs-text bytes.</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>A head from its lines: each ends with CRLF, and an empty line ends the head.</summary>
    public static string Head(params string[] lines) => string.Concat(lines.Select(l => l + "\r\n")) + "\r\n";

    public static HttpParseResult ParseWhole(HttpRequestParser parser, byte[] request)
    {
        parser.Reset();
        return parser.TryParse(request);
    }

    /// <summary>Feeds request[..split] then the whole request, as a caller appending to its buffer would.</summary>
    public static HttpParseResult ParseSplit(HttpRequestParser parser, byte[] request, int split)
    {
        parser.Reset();
        var first = parser.TryParse(request.AsSpan(0, split));
        if (first.Status != HttpParseStatus.NeedMoreData) return first;
        return parser.TryParse(request);
    }

    /// <summary>Feeds the request one more byte at a time until the parser concludes.</summary>
    public static HttpParseResult ParseByteByByte(HttpRequestParser parser, byte[] request)
    {
        parser.Reset();
        var result = HttpParseResult.NeedMoreData;
        for (int n = 0; n <= request.Length && result.Status == HttpParseStatus.NeedMoreData; n++)
            result = parser.TryParse(request.AsSpan(0, n));
        return result;
    }

    /// <summary>Everything a result and a completed head say, as text, so two parses can be compared.</summary>
    public static string Describe(HttpParseResult result, HttpRequestParser parser, ReadOnlySpan<byte> buffer)
    {
        if (result.Status != HttpParseStatus.Complete) return result.ToString();
        var head = parser.Head;
        var text = new StringBuilder();
        text.Append(result).Append('\n');
        text.Append($"{head.GetMethodString(buffer)} {head.MethodKind} {head.Target.ToLatin1String(buffer)} {head.TargetForm} ");
        text.Append($"path={head.Path.ToLatin1String(buffer)} query={head.HasQuery}:{head.Query.ToLatin1String(buffer)} ");
        text.Append($"authority={head.Authority.ToLatin1String(buffer)} host={head.HasHost}:{head.Host.ToLatin1String(buffer)} ");
        text.Append($"{head.Version.ToLatin1String(buffer)} {head.ProtocolVersion} minor={head.MinorVersion} ");
        text.Append($"{head.Framing} {head.ContentLength} keepAlive={head.KeepAlive} expect={head.ExpectContinue} ");
        text.Append($"upgrade={head.IsUpgradeRequest}:{head.Upgrade.ToLatin1String(buffer)} length={head.HeadLength}\n");
        for (int i = 0; i < head.Headers.Count; i++)
            text.Append(head.Headers.Name(i).ToLatin1String(buffer)).Append(": ").Append(head.Headers.Value(i).ToLatin1String(buffer)).Append('\n');
        return text.ToString();
    }

    /// <summary>Asserts every range a completed head holds lies inside the head.</summary>
    public static void AssertRangesInside(HttpRequestHead head, int length)
    {
        foreach (var range in new[] { head.Method, head.Target, head.Path, head.Query, head.Authority, head.Host, head.Version, head.Upgrade })
            Assert.True(range.Start >= 0 && range.Length >= 0 && range.End <= length, $"range {range} outside the head of {length} bytes");
        for (int i = 0; i < head.Headers.Count; i++)
        {
            Assert.True(head.Headers.Name(i).End <= length && head.Headers.Name(i).Length > 0);
            Assert.True(head.Headers.Value(i).Start >= 0 && head.Headers.Value(i).End <= length);
        }
    }

    /// <summary>
    /// Decodes a chunked body delivered in the given pieces, as a server would: keep unconsumed
    /// bytes, append the next piece, decode until it asks for more. Returns the final result, the
    /// data, and the trailers as "name: value" lines.
    /// </summary>
    public static (ChunkedResult Result, byte[] Data, string Trailers, int Leftover) DecodeInPieces(ChunkedDecoder decoder, byte[] body, IEnumerable<int> splits)
    {
        decoder.Reset();
        var data = new List<byte>();
        var pending = new List<byte>();
        int fed = 0;
        var result = ChunkedResult.NeedMoreData(0);
        foreach (int split in splits.Append(body.Length))
        {
            if (split < fed) continue;
            pending.AddRange(body.AsSpan(fed, split - fed).ToArray());
            fed = split;
            while (true)
            {
                var input = pending.ToArray();
                result = decoder.Decode(input);
                Assert.InRange(result.Consumed, 0, input.Length);
                if (result.Status == ChunkedStatus.Data)
                {
                    Assert.True(result.DataLength > 0);
                    data.AddRange(result.Data(input).ToArray());
                    Assert.Equal(data.Count, decoder.TotalDataLength);
                }
                if (result.Status == ChunkedStatus.Complete)
                {
                    var trailers = new StringBuilder();
                    for (int i = 0; i < decoder.Trailers.Count; i++)
                        trailers.Append(decoder.Trailers.Name(i).ToLatin1String(input)).Append(": ").Append(decoder.Trailers.Value(i).ToLatin1String(input)).Append('\n');
                    return (result, data.ToArray(), trailers.ToString(), input.Length - result.Consumed + (body.Length - fed));
                }
                if (result.Status == ChunkedStatus.Error) return (result, data.ToArray(), "", 0);
                pending.RemoveRange(0, result.Consumed);
                if (result.Status == ChunkedStatus.NeedMoreData) break;
            }
        }
        return (result, data.ToArray(), "", 0);
    }
}
