using System.Net.Security;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net;

namespace Eddy.Tests.Net.Tls;

/// <summary>
/// Library code that awaits with ConfigureAwait(false) over an Eddy stream (SslStream here) must
/// stay on the loop: Eddy runs such continuations on the loop thread with no context current.
/// </summary>
public class SslStreamOverConnectionTests
{
    [Fact]
    public void A_plain_SslStream_over_AsStream_handshakes_and_echoes_on_the_loop_thread()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                await using var ssl = new SslStream(connection.AsStream());
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestCertificates.Server });
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                var buffer = new byte[5];
                await ssl.ReadExactlyAsync(buffer);
                await ssl.WriteAsync(buffer);
            }, "127.0.0.1", 0);
            var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await using var ssl = new SslStream(client.AsStream());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            await ssl.WriteAsync("hello"u8.ToArray());
            var echo = new byte[5];
            await ssl.ReadExactlyAsync(echo);
            Assert.Equal("hello"u8.ToArray(), echo);
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
        });
    }

    [Fact]
    public void A_ConfigureAwait_false_wait_on_an_Eddy_primitive_resumes_on_the_loop_without_a_context()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var set = new Eddy.Sync.AsyncEvent();
            EventLoop.Current.CallSoon(set.Set);
            await set.WaitAsync().ConfigureAwait(false);
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            Assert.Null(SynchronizationContext.Current);
        });
    }
}
