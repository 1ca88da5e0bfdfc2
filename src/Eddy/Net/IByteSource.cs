using Eddy.Loop;

namespace Eddy.Net;

/// <summary>
/// Where a <see cref="ConnectionReader"/> gets its bytes: a socket, or a decrypting layer such as
/// TLS. One reader implementation then serves every kind of connection.
/// </summary>
internal interface IByteSource
{
    /// <summary>The loop the source belongs to.</summary>
    EventLoop Loop { get; }

    /// <summary>Whether a read returned end-of-stream.</summary>
    bool EndOfStream { get; }

    /// <summary>Reads what is available, waiting if nothing is; 0 at end of stream.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
