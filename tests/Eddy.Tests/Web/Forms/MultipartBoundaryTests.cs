using Eddy.Web.Forms;

namespace Eddy.Tests.Web.Forms;

/// <summary>Taking the boundary from a multipart/form-data Content-Type (RFC 2046 §5.1.1).</summary>
public class MultipartBoundaryTests
{
    [Theory]
    [InlineData("multipart/form-data; boundary=abc", "abc")]
    [InlineData("multipart/form-data;boundary=abc", "abc")]
    [InlineData("Multipart/Form-Data; BOUNDARY=abc", "abc")]
    [InlineData("multipart/form-data; charset=utf-8; boundary=\"a b:c\"", "a b:c")]
    [InlineData("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "----WebKitFormBoundary7MA4YWxkTrZu0gW")]
    [InlineData("multipart/form-data; boundary=\"'()+_,-./:=?\"", "'()+_,-./:=?")]
    [InlineData("  multipart/form-data ; boundary = abc ", "abc")]
    public void Valid_boundaries_are_read(string contentType, string expected)
    {
        Assert.True(MultipartBoundary.TryParse(contentType, out var boundary));
        Assert.Equal(expected, boundary);
    }

    [Fact]
    public void Seventy_characters_is_the_longest_boundary()
    {
        Assert.True(MultipartBoundary.TryParse("multipart/form-data; boundary=" + new string('b', 70), out _));
        Assert.False(MultipartBoundary.TryParse("multipart/form-data; boundary=" + new string('b', 71), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=")]
    [InlineData("multipart/form-data; boundary=\"\"")]
    [InlineData("multipart/form-data; boundary=\"ends in space \"")]
    [InlineData("multipart/form-data; boundary=semi\"colon")]
    [InlineData("multipart/form-data; boundary=caf\u00e9")]
    [InlineData("multipart/form-data; boundary=a*b")]
    [InlineData("multipart/form-data; boundary=\"unterminated")]
    [InlineData("multipart/mixed; boundary=abc")]
    [InlineData("application/x-www-form-urlencoded; boundary=abc")]
    [InlineData("multipart/form-data; boundary")]
    public void Invalid_content_types_are_refused(string? contentType)
    {
        Assert.False(MultipartBoundary.TryParse(contentType, out var boundary));
        Assert.Null(boundary);
    }
}
