using System.Net;
using System.Net.Sockets;

namespace Eddy.Net;

/// <summary>
/// The "address" of a server whose connections are socket pairs made in the process rather than
/// accepted (the HTTP test server): there is nothing to connect to from outside.
/// </summary>
internal sealed class InMemoryEndPoint : EndPoint
{
    public static InMemoryEndPoint Instance { get; } = new();

    private InMemoryEndPoint() { }

    /// <summary>Unix: the pairs are AF_UNIX stream sockets (no TCP options apply to them).</summary>
    public override AddressFamily AddressFamily => AddressFamily.Unix;

    public override string ToString() => "in-memory";
}
