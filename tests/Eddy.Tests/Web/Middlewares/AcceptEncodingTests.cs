using Eddy.Web.Middlewares;

namespace Eddy.Tests.Web.Middlewares;

/// <summary>Accept-Encoding negotiation (RFC 9110 §12.5.3) with the server preferring br, then gzip.</summary>
public class AcceptEncodingTests
{
    private static readonly string[] BrThenGzip = ["br", "gzip"];

    [Theory]
    [InlineData(null, "identity")]                               // no header: send as is
    [InlineData("", "identity")]                                 // empty: only identity acceptable
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate, br", "br")]                      // equal weights: the server's preference
    [InlineData("gzip, br", "br")]
    [InlineData("br;q=0.5, gzip;q=0.8", "gzip")]                 // the higher weight wins
    [InlineData("br;q=0.8, gzip;q=0.8", "br")]
    [InlineData("GZIP;Q=0.4", "gzip")]                           // case-insensitive
    [InlineData("x-gzip", "gzip")]                               // the old name of gzip
    [InlineData("identity", "identity")]
    [InlineData("deflate, compress", "identity")]                // nothing we produce
    [InlineData("br;q=0, gzip;q=0", "identity")]                 // excluded
    [InlineData("br;q=0, gzip;q=0, identity;q=0", "identity")]   // nothing acceptable: identity anyway
    [InlineData("*", "br")]
    [InlineData("*;q=0.5, gzip", "gzip")]                        // named beats the wildcard's weight
    [InlineData("gzip;q=0, *", "br")]
    [InlineData("br;q=0, *", "gzip")]
    [InlineData("*;q=0", "identity")]
    [InlineData("gzip;q=0.5, identity", "identity")]             // the client prefers identity
    [InlineData("gzip, identity;q=0.5", "gzip")]
    [InlineData("br;q=0.9, identity;q=0.9", "br")]               // a tie with identity: compress
    [InlineData("gzip;q=2, br;q=abc", "identity")]               // invalid weights: the items are ignored
    [InlineData(" gzip ; q=0.7 ,  br ; q = 0.6 ", "gzip")]       // whitespace around parts
    [InlineData(",,gzip,,", "gzip")]                             // empty list elements
    public void Negotiates(string? header, string expected) =>
        Assert.Equal(expected, AcceptEncoding.Negotiate(header, BrThenGzip));

    [Fact]
    public void The_servers_list_decides_ties_and_what_is_offered()
    {
        Assert.Equal("gzip", AcceptEncoding.Negotiate("br, gzip", ["gzip", "br"]));
        Assert.Equal("identity", AcceptEncoding.Negotiate("br", ["gzip"]));
        Assert.Equal("identity", AcceptEncoding.Negotiate("br, gzip", []));
    }
}
