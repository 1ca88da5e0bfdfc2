namespace Eddy.Net;

/// <summary>
/// The connection handler of a protocol server. A listener that recognises it starts each
/// connection's <see cref="StreamTransport"/> directly, with no coroutine per connection (an idle
/// connection then costs only its objects); elsewhere (hand-offs) <see cref="ServeAsync"/> runs it.
/// </summary>
internal sealed class ProtocolConnections(Func<IStreamProtocol> factory)
{
    public Func<IStreamProtocol> Factory { get; } = factory;

    public Task ServeAsync(Connection connection) => new StreamTransport(connection, Factory()).RunAsync().AsTask();
}
