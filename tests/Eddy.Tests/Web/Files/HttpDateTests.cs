using Eddy.Web.Files;

namespace Eddy.Tests.Web.Files;

public class HttpDateTests
{
    private static readonly DateTimeOffset Example = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    [Fact]
    public void Formats_IMF_fixdate()
    {
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.Format(Example));
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.Format(Example.ToOffset(TimeSpan.FromHours(5)).AddTicks(9_999_999)));
        Span<char> buffer = stackalloc char[40];
        Assert.True(HttpDate.TryFormat(Example, buffer, out int written));
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", buffer[..written].ToString());
        Assert.False(HttpDate.TryFormat(Example, buffer[..28], out written));
        Assert.Equal(0, written);
    }

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994")]
    [InlineData("  Sun, 06 Nov 1994 08:49:37 GMT\t")]
    public void Parses_the_three_forms(string text) => Assert.Equal(Example, HttpDate.Parse(text));

    [Fact]
    public void Round_trips_across_the_calendar()
    {
        var start = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < 2000; i++)
        {
            var value = start.AddSeconds(i * 1_234_567L + i);
            Assert.Equal(value, HttpDate.Parse(HttpDate.Format(value)));
        }
        var leap = new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal("Thu, 29 Feb 2024 23:59:59 GMT", HttpDate.Format(leap));
        Assert.Equal(leap, HttpDate.Parse(HttpDate.Format(leap)));
    }

    [Fact]
    public void A_two_digit_year_more_than_50_years_ahead_is_in_the_past_century()
    {
        int yy = (DateTime.UtcNow.Year + 60) % 100;
        var parsed = HttpDate.Parse($"Sunday, 06-Nov-{yy:00} 08:49:37 GMT");
        Assert.NotNull(parsed);
        Assert.True(parsed.Value.Year <= DateTime.UtcNow.Year);
        Assert.Equal(yy, parsed.Value.Year % 100);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 UTC")]
    [InlineData("Sun, 6 Nov 1994 08:49:37 GMT")]
    [InlineData("sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 31 Nov 1994 08:49:37 GMT")]
    [InlineData("Sun, 29 Feb 1993 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 24:00:00 GMT")]
    [InlineData("Sun, 06 Nov 1994 08:60:00 GMT")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT junk")]
    [InlineData("Sun, 06 Nov 0000 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 08:49:3x GMT")]
    [InlineData("Sun, 06 Nov 1994 08-49-37 GMT")]
    [InlineData("Sonntag, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-1994 08:49:37 GMT")]
    [InlineData("Sun Nov 6 08:49:37 1994")]
    [InlineData("Sun Nov  6 08:49:37 94")]
    [InlineData("1994-11-06T08:49:37Z")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT\0")]
    public void Invalid_dates_give_null_without_throwing(string? text) => Assert.Null(HttpDate.Parse(text));
}
