namespace Eddy.Net;

/// <summary>
/// The connection was reset or aborted: the peer reset it, it broke, or it was closed locally
/// while an operation waited. Catch this one type in a handler to deal with every way a
/// connection dies; it never escapes to the loop or to other connections.
/// </summary>
public class ConnectionResetException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ConnectionResetException() : base("The connection was reset.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public ConnectionResetException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public ConnectionResetException(string message, Exception? innerException) : base(message, innerException) { }
}
