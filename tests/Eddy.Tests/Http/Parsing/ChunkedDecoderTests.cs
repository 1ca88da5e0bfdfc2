using System.Text;
using Eddy.Http.Parsing;
using static Eddy.Tests.Http.Parsing.ParsingTesting;

namespace Eddy.Tests.Http.Parsing;

/// <summary>
/// Chunked bodies, valid and malformed, each decoded whole, split at every byte boundary, and one
/// byte at a time: the data, trailers and outcome must not depend on the split.
/// </summary>
public class ChunkedDecoderTests
{
    // (name, body, expected data or null for an error, expected status: 0 = Complete)
    public static TheoryData<string, string, string?, int> Cases => new()
    {
        { "one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", 0 },
        { "several chunks", "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n", "hello world", 0 },
        { "empty body", "0\r\n\r\n", "", 0 },
        { "hex sizes in both cases", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n", "01234567890123456789", 0 },
        { "leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello", 0 },
        { "data containing CRLF and chunk-like text", "9\r\n\r\n0\r\n\r\n12\r\n0\r\n\r\n", "\r\n0\r\n\r\n12", 0 },
        { "extension without value", "5;foo\r\nhello\r\n0\r\n\r\n", "hello", 0 },
        { "extension with token value", "5;foo=bar\r\nhello\r\n0;last\r\n\r\n", "hello", 0 },
        { "extension with quoted value", "5;foo=\"a b;c=\\\"d\\\\\"\r\nhello\r\n0\r\n\r\n", "hello", 0 },
        { "several extensions with BWS", "5 ;a = 1\t; b=\"2\" ;c\r\nhello\r\n0\r\n\r\n", "hello", 0 },
        { "extension with obs-text in a quoted value", "5;a=\"caf\u00e9\"\r\nhello\r\n0\r\n\r\n", "hello", 0 },
        { "trailers", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other:  v \r\n\r\n", "hello", 0 },
        { "binary data", "4\r\n\0\r\n\u00ff\r\n0\r\n\r\n", "\0\r\n\u00ff", 0 },

        { "no size", "\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "non-hex size", "g\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "negative size", "-5\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "space before size", " 5\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "space after size", "5 \r\nhello\r\n0\r\n\r\n", null, 400 },
        { "size overflow", "8000000000000000\r\nx\r\n", null, 400 },
        { "size far past long", "ffffffffffffffffffff\r\nx\r\n", null, 400 },
        { "bare LF after size", "5\nhello\r\n0\r\n\r\n", null, 400 },
        { "bare CR after size", "5\rhello\r\n0\r\n\r\n", null, 400 },
        { "data longer than size", "3\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "data shorter than size", "7\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "bare LF after data", "5\r\nhello\n0\r\n\r\n", null, 400 },
        { "CR without LF after data", "5\r\nhello\rx0\r\n\r\n", null, 400 },
        { "empty extension", "5;\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "extension name not a token", "5;a@b\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "extension with empty value", "5;a=\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "extension value not a token", "5;a=b@c\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "unterminated quoted value", "5;a=\"b\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "control char in quoted value", "5;a=\"\u0001\"\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "whitespace after extension name before CRLF", "5;a \r\nhello\r\n0\r\n\r\n", null, 400 },
        { "whitespace after extension value before CRLF", "5;a=b \r\nhello\r\n0\r\n\r\n", null, 400 },
        { "text after quoted value", "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "NUL in size line", "5\0\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "obs-fold in trailer", "0\r\nX: a\r\n b\r\n\r\n", null, 400 },
        { "bare LF ending the trailers", "0\r\nX: a\r\n\n", null, 400 },
        { "bare LF ending an empty trailer section", "0\r\n\n", null, 400 },
        { "control char in trailer", "0\r\nX: a\u0001\r\n\r\n", null, 400 },
        { "space before colon in trailer", "0\r\nX : a\r\n\r\n", null, 400 },
        { "trailers over the size limit", "0\r\nX: " + new string('t', 33000) + "\r\n\r\n", null, 431 },
        { "more than 100 trailers", "0\r\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"T{i}: {i}\r\n")) + "\r\n", null, 431 },
        { "chunk line over 4 KiB", "5;" + new string('e', 5000) + "\r\nhello\r\n0\r\n\r\n", null, 400 },
        { "last chunk line over 4 KiB", "0;" + new string('e', 5000) + "\r\n\r\n", null, 400 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_body_decodes_to_its_data_or_status(string name, string body, string? data, int status)
    {
        var bytes = Bytes(body);
        var (result, decoded, _, leftover) = DecodeInPieces(new ChunkedDecoder(), bytes, []);
        if (data is null)
        {
            Assert.True(result.Status == ChunkedStatus.Error && result.StatusCode == status, $"{name}: expected {status}, got {result}");
        }
        else
        {
            Assert.True(result.Status == ChunkedStatus.Complete, $"{name}: expected Complete, got {result}");
            Assert.Equal(data, Encoding.Latin1.GetString(decoded));
            Assert.Equal(0, leftover);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_body_decodes_the_same_split_at_every_byte(string name, string body, string? data, int status)
    {
        _ = data;
        _ = status;
        var decoder = new ChunkedDecoder();
        var bytes = Bytes(body);
        var whole = Summary(DecodeInPieces(decoder, bytes, []));
        for (int split = 0; split <= bytes.Length; split++)
        {
            var pieces = Summary(DecodeInPieces(decoder, bytes, [split]));
            Assert.True(whole == pieces, $"{name}: split at {split} gave {pieces}, whole gave {whole}");
        }
        var byteByByte = Summary(DecodeInPieces(decoder, bytes, Enumerable.Range(1, bytes.Length)));
        Assert.True(whole == byteByByte, $"{name}: byte by byte gave {byteByByte}, whole gave {whole}");
    }

    private static string Summary((ChunkedResult Result, byte[] Data, string Trailers, int Leftover) decoded) =>
        $"{decoded.Result.Status} {decoded.Result.StatusCode} {decoded.Result.Reason} data={Convert.ToHexString(decoded.Data)} trailers={decoded.Trailers} leftover={decoded.Leftover}";

    [Fact]
    public void Data_is_handed_out_in_place_and_the_running_total_counts_it()
    {
        var decoder = new ChunkedDecoder();
        var input = Bytes("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT");
        var first = decoder.Decode(input);
        Assert.Equal(ChunkedStatus.Data, first.Status);
        Assert.Equal(3, first.DataStart);
        Assert.Equal(5, first.DataLength);
        Assert.Equal(8, first.Consumed);
        Assert.Equal(5, decoder.TotalDataLength);
        Assert.True(first.Data(input).Overlaps(input)); // a view of the input, not a copy

        var second = decoder.Decode(input.AsSpan(first.Consumed));
        Assert.Equal(ChunkedStatus.Data, second.Status);
        Assert.Equal(" world", Encoding.ASCII.GetString(second.Data(input.AsSpan(first.Consumed))));
        Assert.Equal(11, decoder.TotalDataLength);

        int position = first.Consumed + second.Consumed;
        var end = decoder.Decode(input.AsSpan(position));
        Assert.Equal(ChunkedStatus.Complete, end.Status);
        Assert.True(decoder.IsComplete);
        Assert.Equal("NEXT", Encoding.ASCII.GetString(input, position + end.Consumed, input.Length - position - end.Consumed));
        // Complete sticks, consuming nothing more, until Reset.
        Assert.Equal(ChunkedResult.Complete(0), decoder.Decode(input.AsSpan(position + end.Consumed)));
    }

    [Fact]
    public void A_large_chunk_arrives_in_many_data_results()
    {
        var decoder = new ChunkedDecoder();
        var result = decoder.Decode(Bytes("100000\r\n"));
        Assert.Equal(ChunkedStatus.NeedMoreData, result.Status);
        Assert.Equal(8, result.Consumed);
        var piece = new byte[4096];
        for (int i = 0; i < 256; i++)
        {
            result = decoder.Decode(piece);
            Assert.Equal(ChunkedStatus.Data, result.Status);
            Assert.Equal(4096, result.DataLength);
        }
        Assert.Equal(0x100000, decoder.TotalDataLength);
        Assert.Equal(ChunkedStatus.Complete, decoder.Decode(Bytes("\r\n0\r\n\r\n")).Status);
    }

    [Fact]
    public void Incomplete_trailers_are_left_unconsumed_and_end_up_as_ranges_into_the_last_input()
    {
        var decoder = new ChunkedDecoder();
        var first = decoder.Decode(Bytes("0\r\nX-A: 1\r\nX-B"));
        Assert.Equal(ChunkedStatus.NeedMoreData, first.Status);
        Assert.Equal(3, first.Consumed);
        var rest = Bytes("X-A: 1\r\nX-B: 2\r\n\r\n");
        var end = decoder.Decode(rest);
        Assert.Equal(ChunkedStatus.Complete, end.Status);
        Assert.Equal(rest.Length, end.Consumed);
        Assert.Equal(2, decoder.Trailers.Count);
        Assert.True(decoder.Trailers.TryGetValue(rest, "x-b"u8, out var value));
        Assert.Equal("2", value.ToLatin1String(rest));
    }

    [Fact]
    public void Chunk_line_limit_is_exact()
    {
        var decoder = new ChunkedDecoder(new HttpParserLimits { MaxChunkLineSize = 10 });
        Assert.Equal(ChunkedStatus.Data, decoder.Decode(Bytes("1;abcdef\r\nx")).Status); // 10 bytes with CRLF
        decoder.Reset();
        Assert.Equal(ChunkedStatus.Error, decoder.Decode(Bytes("1;abcdefg\r\nx")).Status);
        decoder.Reset();
        // Refused at the 11th byte, without waiting for the line to end.
        Assert.Equal(ChunkedStatus.NeedMoreData, decoder.Decode(Bytes("1;abcdefgh")).Status);
        Assert.Equal(ChunkedStatus.Error, decoder.Decode(Bytes("i")).Status);
    }

    [Fact]
    public void The_total_cannot_overflow()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(ChunkedStatus.Data, decoder.Decode(Bytes("7fffffffffffffff\r\nx")).Status);
        decoder.Reset();
        Assert.Equal(ChunkedStatus.Error, decoder.Decode(Bytes("8000000000000000\r\n")).Status);
    }
}
