using System.Text;
using Eddy.Web.Files;

namespace Eddy.Tests.Web.Files;

public class MultipartByteRangesTests
{
    [Fact]
    public void Boundaries_are_fresh_and_token_safe()
    {
        string a = MultipartByteRanges.CreateBoundary(), b = MultipartByteRanges.CreateBoundary();
        Assert.NotEqual(a, b);
        Assert.Equal(24, a.Length);
        Assert.All(a, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
        Assert.Equal($"multipart/byteranges; boundary={a}", MultipartByteRanges.ContentType(a));
    }

    [Fact]
    public void A_body_built_from_the_parts_has_the_announced_length_and_the_RFC_shape()
    {
        var content = Encoding.ASCII.GetBytes("0123456789abcdefghijklmnopqrstuvwxyz");
        var ranges = new[] { new ContentRange(0, 3), new ContentRange(30, 35) };
        const string Boundary = "THIS_STRING_SEPARATES";
        var body = new StringBuilder();
        foreach (var range in ranges)
        {
            body.Append(MultipartByteRanges.PartHead(Boundary, "text/plain", range, content.Length));
            body.Append(Encoding.ASCII.GetString(content, (int)range.First, (int)range.Length));
        }
        body.Append(MultipartByteRanges.Closing(Boundary));
        Assert.Equal(
            "\r\n--THIS_STRING_SEPARATES\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-3/36\r\n\r\n0123" +
            "\r\n--THIS_STRING_SEPARATES\r\nContent-Type: text/plain\r\nContent-Range: bytes 30-35/36\r\n\r\nuvwxyz" +
            "\r\n--THIS_STRING_SEPARATES--\r\n",
            body.ToString());
        Assert.Equal(body.Length, MultipartByteRanges.BodyLength(Boundary, "text/plain", ranges, content.Length));
        Assert.Equal(body.Length - 2 * "Content-Type: text/plain\r\n".Length, MultipartByteRanges.BodyLength(Boundary, null, ranges, content.Length));
    }
}
