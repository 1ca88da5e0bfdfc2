using Eddy.Http.Parsing;
using static Eddy.Tests.Http.Parsing.ParsingTesting;

namespace Eddy.Tests.Http.Parsing;

/// <summary>
/// The hot path allocates nothing: after warm-up, parsing 10,000 typical heads (and decoding
/// chunked bodies) must not move the thread's allocated-bytes counter at all. A count, not a timing.
/// </summary>
public class ParserAllocationTests
{
    private const int Iterations = 10_000;

    private static readonly byte[] BrowserRequest = Bytes(Head(
        "GET /products/list?page=2&sort=price HTTP/1.1",
        "Host: shop.example.com",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language: en-GB,en;q=0.5",
        "Accept-Encoding: gzip, deflate, br, zstd",
        "Referer: https://shop.example.com/products",
        "Connection: keep-alive",
        "Cookie: session=0123456789abcdef; theme=dark",
        "Upgrade-Insecure-Requests: 1",
        "Sec-Fetch-Dest: document",
        "Sec-Fetch-Mode: navigate",
        "Sec-Fetch-Site: same-origin",
        "Priority: u=0, i"));

    private static readonly byte[] PostRequest = Bytes(Head(
        "POST /api/orders HTTP/1.1",
        "Host: api.example.com:8443",
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
        "Expect: 100-continue"));

    private static readonly byte[] ChunkedBody = Bytes("10;ext=1\r\n0123456789abcdef\r\n4\r\nwxyz\r\n0\r\nX-Trailer: t\r\n\r\n");

    [Fact]
    public void Parsing_a_typical_head_allocates_nothing_after_warm_up()
    {
        var parser = new HttpRequestParser();
        long checksum = ParseMany(parser, 100); // warm-up: JIT, statics, the field arrays' growth
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += ParseMany(parser, Iterations);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
    }

    private static long ParseMany(HttpRequestParser parser, int count)
    {
        long checksum = 0;
        for (int i = 0; i < count; i++)
        {
            var request = (i & 1) == 0 ? BrowserRequest : PostRequest;
            parser.Reset();
            // Arrives in two pieces, as it would from a socket.
            var first = parser.TryParse(request.AsSpan(0, request.Length / 2));
            var result = parser.TryParse(request);
            if (first.Status != HttpParseStatus.NeedMoreData || result.Status != HttpParseStatus.Complete)
                throw new InvalidOperationException(result.ToString());
            var head = parser.Head;
            checksum += result.Consumed + head.Headers.Count + (head.KeepAlive ? 1 : 0) + head.Path.Length;
            if (head.Headers.TryGetValue(request, "accept-encoding"u8, out var value)) checksum += value.Length;
            checksum += head.GetMethodString(request).Length; // a cached literal
        }
        return checksum;
    }

    [Fact]
    public void Decoding_a_chunked_body_allocates_nothing_after_warm_up()
    {
        var decoder = new ChunkedDecoder();
        long checksum = DecodeMany(decoder, 100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += DecodeMany(decoder, Iterations);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(checksum > 0);
    }

    private static long DecodeMany(ChunkedDecoder decoder, int count)
    {
        long checksum = 0;
        for (int i = 0; i < count; i++)
        {
            decoder.Reset();
            int position = 0;
            while (true)
            {
                var result = decoder.Decode(ChunkedBody.AsSpan(position));
                position += result.Consumed;
                if (result.Status == ChunkedStatus.Complete) break;
                if (result.Status != ChunkedStatus.Data) throw new InvalidOperationException(result.ToString());
                checksum += result.DataLength;
            }
            checksum += decoder.Trailers.Count;
        }
        return checksum;
    }
}
