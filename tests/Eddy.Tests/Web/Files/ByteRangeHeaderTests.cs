using Eddy.Web.Files;

namespace Eddy.Tests.Web.Files;

public class ByteRangeHeaderTests
{
    private static string Describe(ByteRangeHeader header) =>
        header.Kind + ":" + string.Join(",", header.Ranges.Select(r => $"{r.First}-{r.Last}"));

    [Theory]
    [InlineData("bytes=0-0", 10000, "Satisfiable:0-0")]
    [InlineData("bytes=0-499", 10000, "Satisfiable:0-499")]
    [InlineData("bytes=500-999", 10000, "Satisfiable:500-999")]
    [InlineData("bytes=9500-", 10000, "Satisfiable:9500-9999")]
    [InlineData("bytes=-500", 10000, "Satisfiable:9500-9999")]
    [InlineData("bytes=-20000", 10000, "Satisfiable:0-9999")]      // suffix longer than the file: all of it
    [InlineData("bytes=9000-20000", 10000, "Satisfiable:9000-9999")] // last clamped
    [InlineData("bytes=0-", 10000, "Satisfiable:0-9999")]
    [InlineData("BYTES=0-1", 10, "Satisfiable:0-1")]                // the unit is case-insensitive
    [InlineData("  bytes=0-1  ", 10, "Satisfiable:0-1")]
    [InlineData("bytes= 0-1 , 500-600", 1000, "Satisfiable:0-1,500-600")]
    [InlineData("bytes=0-1,,", 10, "Satisfiable:0-1")]              // empty list elements
    [InlineData("bytes=0-9223372036854775807", 10, "Satisfiable:0-9")]
    [InlineData("bytes=0-99999999999999999999999999", 10, "Satisfiable:0-9")] // overflows long: saturates, clamped
    [InlineData("bytes=-99999999999999999999999999", 10, "Satisfiable:0-9")]
    [InlineData("bytes=20-30, 2-3", 10, "Satisfiable:2-3")]         // the unsatisfiable one is dropped
    public void Satisfiable_ranges(string header, long length, string expected) =>
        Assert.Equal(expected, Describe(ByteRangeHeader.Parse(header, length)));

    [Theory]
    [InlineData("bytes=-0", 10000)]
    [InlineData("bytes=10000-", 10000)]
    [InlineData("bytes=10000-10005", 10000)]
    [InlineData("bytes=99999999999999999999999-", 10000)]
    [InlineData("bytes=0-0", 0)]      // an empty file has no byte 0
    [InlineData("bytes=-5", 0)]       // nor a last 5
    [InlineData("bytes=20-30, -0", 10)]
    public void Unsatisfiable_ranges_call_for_416(string header, long length)
    {
        var result = ByteRangeHeader.Parse(header, length);
        Assert.Equal(ByteRangeKind.Unsatisfiable, result.Kind);
        Assert.Empty(result.Ranges);
        Assert.Equal($"bytes */{length}", ContentRange.UnsatisfiedContentRangeHeader(length));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=")]
    [InlineData("bytes=5-2")]          // last before first: the whole header is invalid
    [InlineData("bytes=0-1,5-2")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=1")]
    [InlineData("bytes=-")]
    [InlineData("bytes=--5")]
    [InlineData("bytes=1-2-3")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=0x10-20")]
    [InlineData("bytes=1 - 2")]        // no whitespace inside a range-spec
    [InlineData("bytes 0-1")]
    [InlineData("bytes=,")]
    [InlineData("items=0-1")]          // another unit
    [InlineData("bytesx=0-1")]
    [InlineData("=0-1")]
    public void Absent_malformed_or_foreign_headers_are_ignored(string? header) =>
        Assert.Equal(ByteRangeKind.None, ByteRangeHeader.Parse(header, 10000).Kind);

    [Fact]
    public void More_than_MaxRanges_specs_are_ignored_and_the_whole_file_is_served()
    {
        string within = "bytes=" + string.Join(",", Enumerable.Range(0, ByteRangeHeader.MaxRanges).Select(i => $"{i * 1000}-{i * 1000 + 1}"));
        Assert.Equal(ByteRangeKind.Satisfiable, ByteRangeHeader.Parse(within, 1_000_000).Kind);
        Assert.Equal(ByteRangeHeader.MaxRanges, ByteRangeHeader.Parse(within, 1_000_000).Ranges.Count);
        string over = within + ",99000-99001";
        Assert.Equal(ByteRangeKind.None, ByteRangeHeader.Parse(over, 1_000_000).Kind);
        string apacheKiller = "bytes=0-," + string.Join(",", Enumerable.Range(1, 1300).Select(i => $"5-{i}"));
        Assert.Equal(ByteRangeKind.None, ByteRangeHeader.Parse(apacheKiller, 1_000_000).Kind);
    }

    [Theory]
    [InlineData("bytes=0-99,50-149", "Satisfiable:0-149")]          // overlapping
    [InlineData("bytes=0-99,100-199", "Satisfiable:0-199")]         // adjacent
    [InlineData("bytes=0-99,150-199", "Satisfiable:0-199")]         // gap under CoalesceGap
    [InlineData("bytes=0-99,1000-1099", "Satisfiable:0-99,1000-1099")]
    [InlineData("bytes=1000-1099,0-99", "Satisfiable:0-99,1000-1099")] // sorted
    [InlineData("bytes=0-0,0-0,0-0,0-0", "Satisfiable:0-0")]
    [InlineData("bytes=-100,0-", "Satisfiable:0-9999")]
    public void Overlapping_and_close_ranges_are_coalesced_in_ascending_order(string header, string expected) =>
        Assert.Equal(expected, Describe(ByteRangeHeader.Parse(header, 10000)));

    [Fact]
    public void Coalesced_ranges_never_add_up_to_more_than_the_file()
    {
        var random = new Random(42);
        for (int round = 0; round < 500; round++)
        {
            long length = random.Next(1, 5000);
            var specs = Enumerable.Range(0, random.Next(1, ByteRangeHeader.MaxRanges + 1)).Select(_ =>
            {
                long a = random.Next(0, 6000), b = random.Next(0, 6000);
                return random.Next(3) switch { 0 => $"{Math.Min(a, b)}-{Math.Max(a, b)}", 1 => $"{a}-", _ => $"-{a}" };
            });
            var result = ByteRangeHeader.Parse("bytes=" + string.Join(",", specs), length);
            if (result.Kind != ByteRangeKind.Satisfiable) continue;
            Assert.True(result.Ranges.Sum(r => r.Length) <= length);
            for (int i = 0; i < result.Ranges.Count; i++)
            {
                Assert.InRange(result.Ranges[i].First, 0, length - 1);
                Assert.InRange(result.Ranges[i].Last, result.Ranges[i].First, length - 1);
                if (i > 0) Assert.True(result.Ranges[i].First > result.Ranges[i - 1].Last + 1 + ByteRangeHeader.CoalesceGap);
            }
        }
    }

    [Fact]
    public void A_negative_length_is_a_caller_bug() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteRangeHeader.Parse("bytes=0-1", -1));

    [Fact]
    public void Content_Range_headers_are_formatted_as_RFC_9110_shows()
    {
        var range = new ContentRange(21010, 47021);
        Assert.Equal(26012, range.Length);
        Assert.Equal("bytes 21010-47021/47022", range.ToContentRangeHeader(47022));
    }
}
