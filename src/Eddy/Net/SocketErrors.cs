using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net;

/// <summary>Turns errno values into the exceptions Eddy's network API documents.</summary>
internal static class SocketErrors
{
    /// <summary>For a failed read or write on a connected socket.</summary>
    public static Exception ForTransfer(int errno, string operation) => errno switch
    {
        ECONNRESET => new ConnectionResetException($"The connection was reset by the peer during {operation}."),
        EPIPE => new ConnectionResetException($"The connection was closed by the peer during {operation} (broken pipe)."),
        ECONNABORTED => new ConnectionResetException($"The connection was aborted during {operation}."),
        ETIMEDOUT => new ConnectionResetException($"The connection timed out during {operation} (the peer stopped answering)."),
        ENOTCONN => new ConnectionResetException($"The socket is not connected ({operation})."),
        _ => new ConnectionResetException($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", ForCall(errno, operation)),
    };

    /// <summary>For a failed socket set-up call (bind, connect, listen...).</summary>
    public static SocketException ForCall(int errno, string call) => new EddySocketException(Map(errno), $"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");

    public static SocketException LastError(string call) => ForCall(Marshal.GetLastPInvokeError(), call);

    private static SocketError Map(int errno) => errno switch
    {
        ECONNREFUSED => SocketError.ConnectionRefused,
        ETIMEDOUT => SocketError.TimedOut,
        EHOSTUNREACH => SocketError.HostUnreachable,
        ENETUNREACH => SocketError.NetworkUnreachable,
        ECONNRESET => SocketError.ConnectionReset,
        98 => SocketError.AddressAlreadyInUse,
        99 => SocketError.AddressNotAvailable,
        13 => SocketError.AccessDenied,
        24 => SocketError.TooManyOpenSockets,
        90 => SocketError.MessageSize, // EMSGSIZE
        _ => SocketError.SocketError,
    };

    /// <summary>A <see cref="SocketException"/> whose message says which call failed and why.</summary>
    private sealed class EddySocketException(SocketError error, string message) : SocketException((int)error)
    {
        public override string Message => message;
    }
}
