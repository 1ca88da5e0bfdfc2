using System.Net;
using System.Text;
using Eddy.Coroutines;
using Eddy.Net.Udp;

namespace Eddy.Tests.Net.Udp;

/// <summary>Helpers shared by the UDP tests: loopback addresses, text payloads, bounded waits.</summary>
internal static class Udp
{
    public static IPEndPoint Any4 => new(IPAddress.Loopback, 0);

    public static IPEndPoint Any6 => new(IPAddress.IPv6Loopback, 0);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> data) => Encoding.UTF8.GetString(data);

    /// <summary>Receives one datagram as text.</summary>
    public static async Task<(string Text, DatagramReceiveResult Result)> ReceiveTextAsync(DatagramEndpoint endpoint, int size = 2048)
    {
        var buffer = new byte[size];
        var result = await endpoint.ReceiveFromAsync(buffer);
        return (Text(buffer.AsSpan(0, result.Count)), result);
    }

    /// <summary>
    /// Lets the loop take turns until <paramref name="done"/> holds, for at most
    /// <paramref name="turns"/> turns, so a test waiting on the kernel cannot hang. A zero sleep is
    /// one turn; a busy loop polls I/O every 61 turns, so 2,000 turns poll some 30 times.
    /// (YieldAsync would not do: yields run within a single turn, up to 1,024 of them, without polling.)
    /// </summary>
    public static async Task<bool> TurnsUntilAsync(Func<bool> done, int turns = 2000)
    {
        for (int i = 0; i < turns && !done(); i++) await Coroutine.SleepAsync(TimeSpan.Zero);
        return done();
    }
}
