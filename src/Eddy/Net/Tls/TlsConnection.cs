using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Eddy.Loop;

namespace Eddy.Net.Tls;

/// <summary>
/// A <see cref="Net.Connection"/> after a successful TLS handshake, with the same shape: a
/// <see cref="Reader"/> and a <see cref="Writer"/> on the decrypted bytes, and what the handshake
/// settled (protocol, ALPN, the peer's certificate). Loop thread only; dispose it to close it.
/// </summary>
/// <remarks>
/// Get one from <see cref="TlsStreams"/>: a TLS server's handler receives it, a client opens it,
/// or an open connection is upgraded in place (STARTTLS). The <see cref="SslStream"/> under it
/// reads and writes through the connection on the loop, so every continuation stays on the loop
/// thread; its native state is freed when the connection closes, however it closes.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class TlsConnection : IAsyncDisposable
{
    private readonly SslStream _ssl;

    internal TlsConnection(Connection connection, SslStream ssl, int readLimit)
    {
        Connection = connection;
        _ssl = ssl;
        Reader = new ConnectionReader(new TlsByteSource(this, ssl), readLimit);
        Writer = new TlsWriter(this, ssl);
        // However the connection ends (closed here, aborted, or cut off by a server shutdown),
        // free the SslStream's native state and the reader's buffer with it.
        connection.ConnectionClosed.UnsafeRegister(static state => ((TlsConnection)state!).Release(), this);
    }

    /// <summary>The connection under the TLS stream (addresses, closing, the raw bytes: do not read or write it directly).</summary>
    public Connection Connection { get; }

    /// <summary>The loop the connection belongs to.</summary>
    public EventLoop Loop => Connection.Loop;

    /// <summary>The reading side: decrypted bytes.</summary>
    public ConnectionReader Reader { get; }

    /// <summary>The writing side: bytes to encrypt.</summary>
    public TlsWriter Writer { get; }

    /// <summary>
    /// The <see cref="System.Net.Security.SslStream"/> itself, for what this type does not expose
    /// (channel binding, the cipher suite's details). Do not read or write it: use <see cref="Reader"/> and <see cref="Writer"/>.
    /// </summary>
    public SslStream SslStream => _ssl;

    /// <summary>This side's address.</summary>
    public EndPoint? LocalEndPoint => Connection.LocalEndPoint;

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint => Connection.RemoteEndPoint;

    /// <summary>Whether the connection was closed or aborted locally.</summary>
    public bool IsClosed => Connection.IsClosed;

    /// <summary>Cancelled when the connection is closed or aborted locally; see <see cref="Connection.ConnectionClosed"/>.</summary>
    public CancellationToken ConnectionClosed => Connection.ConnectionClosed;

    /// <summary>Whether this side is the server.</summary>
    public bool IsServer => _ssl.IsServer;

    /// <summary>The TLS version the handshake settled on (Tls12 or Tls13 with the OS defaults).</summary>
    public SslProtocols NegotiatedProtocol => _ssl.SslProtocol;

    /// <summary>The application protocol chosen by ALPN ("h2", "http/1.1"...); default (empty) when none was.</summary>
    public SslApplicationProtocol NegotiatedApplicationProtocol => _ssl.NegotiatedApplicationProtocol;

    /// <summary>The cipher suite the handshake settled on.</summary>
    public TlsCipherSuite NegotiatedCipherSuite => _ssl.NegotiatedCipherSuite;

    /// <summary>
    /// The host name of the handshake: on a server, the name the client asked for (SNI; empty
    /// when it sent none); on a client, the name it validated the server's certificate against.
    /// </summary>
    public string TargetHostName => _ssl.TargetHostName;

    /// <summary>The peer's certificate: the server's on a client; the client's on a server, or null when it sent none.</summary>
    public X509Certificate2? RemoteCertificate => _ssl.RemoteCertificate as X509Certificate2;

    /// <summary>This side's certificate, or null (a client without one).</summary>
    public X509Certificate2? LocalCertificate => _ssl.LocalCertificate as X509Certificate2;

    /// <summary>Closes now with a reset (RST), without close_notify: unsent data is dropped and waiting operations fail.</summary>
    public void Abort() => Connection.Abort();

    /// <summary>
    /// Sends close_notify (unless <see cref="TlsWriter.WriteEof"/> did), sends what is buffered,
    /// then closes the connection (FIN). It does not wait for the peer's close_notify: as with
    /// most TLS stacks, a peer that needs the stream's end reads it from ours.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the flush; the connection is then closed without it.</param>
    /// <returns>Completes when the connection is closed.</returns>
    public ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        Loop.AssertOnLoopThread();
        if (IsClosed) return default;
        try
        {
            Writer.SendCloseNotify();
        }
        catch (ConnectionResetException)
        {
            // The connection broke already: closing it is all that is left to do.
        }
        return Connection.CloseAsync(cancellationToken);
    }

    /// <summary>Same as <see cref="CloseAsync"/> with no cancellation.</summary>
    /// <returns>Completes when the connection is closed.</returns>
    public ValueTask DisposeAsync() => CloseAsync();

    private void Release()
    {
        // SslStream copes with a read still pending on it: the read fails when it resumes.
        _ssl.Dispose();
        Reader.Release();
    }

    /// <inheritdoc/>
    public override string ToString() => $"TLS {Connection}";
}
