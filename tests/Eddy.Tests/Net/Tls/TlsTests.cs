using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Net.Tls;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Eddy.Tests.Net.Tls;

public class TlsTests(ITestOutputHelper output)
{
    private static TlsServerOptions ServerTls(X509Certificate2? certificate = null) => new() { Certificate = certificate ?? TestCertificates.Server };

    /// <summary>Trusts the test CA for this connection only.</summary>
    private static TlsClientOptions ClientTls() => new() { TrustedRoots = TestCertificates.TrustCa };

    private static async Task EchoUntilEnd(TlsConnection connection)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await connection.Reader.ReadAsync(buffer)) > 0)
            await connection.Writer.WriteAsync(buffer.AsMemory(0, n));
    }

    /// <summary>Sends all of <paramref name="data"/>, ends the stream (close_notify), and reads the echo to the end.</summary>
    private static async Task<byte[]> RoundTrip(TlsConnection connection, byte[] data)
    {
        var sender = Coroutine.Spawn(async () =>
        {
            await connection.Writer.WriteAsync(data);
            connection.Writer.WriteEof();
            await connection.Writer.FlushAsync();
        });
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await connection.Reader.ReadAsync(buffer)) > 0) received.Write(buffer, 0, n);
        await sender;
        return received.ToArray();
    }

    /// <summary>
    /// Shakes hands between a server that upgrades each plain connection (so its exception can be
    /// seen) and a client that then reads a line. Returns both sides' errors and what the client read.
    /// </summary>
    /// <remarks>
    /// The server reads to the end after its greeting, so that a client that leaves right after
    /// its handshake is seen. Note that a .NET peer rejects a certificate only once OpenSSL has
    /// finished the handshake, and closes without an alert: the rejected side's handshake
    /// succeeds, and its next read sees the end (or a reset). Peers that validate inside the
    /// handshake (OpenSSL's, browsers) send an alert instead; see
    /// <see cref="Alerts_from_an_OpenSSL_peer_name_the_cause"/>.
    /// </remarks>
    private async Task<(Exception? Server, Exception? Client, string? ClientRead)> HandshakeBoth(TlsServerOptions server, TlsClientOptions client, string host = "127.0.0.1")
    {
        var serverDone = new TaskCompletionSource<Exception?>();
        await using var listener = await Streams.StartServerAsync(async connection =>
        {
            try
            {
                await using var secure = await TlsStreams.UpgradeServerAsync(connection, server);
                await secure.Writer.WriteAsync("hello\n"u8.ToArray());
                while (await secure.Reader.ReadAsync(new byte[100]) > 0) { }
                serverDone.TrySetResult(null);
            }
            catch (Exception e)
            {
                serverDone.TrySetResult(e);
            }
        }, "127.0.0.1", 0);
        Exception? clientError = null;
        string? read = null;
        try
        {
            await using var connection = await TlsStreams.OpenConnectionAsync(host, listener.Port, client);
            read = Encoding.ASCII.GetString((await connection.Reader.ReadLineAsync()).Span);
        }
        catch (Exception e)
        {
            clientError = e;
        }
        var serverError = await serverDone.Task;
        Describe("server", serverError);
        Describe("client", clientError);
        output.WriteLine($"client read: {read ?? "(nothing)"}");
        return (serverError, clientError, read);
    }

    private void Describe(string side, Exception? error)
    {
        output.WriteLine($"{side}: {error?.GetType().Name} {(error as TlsHandshakeException)?.Reason} {error?.Message}");
        for (var inner = error?.InnerException; inner is not null; inner = inner.InnerException)
            output.WriteLine($"  inner: {inner.GetType().Name}: {inner.Message}");
    }

    /// <summary>
    /// What the side whose certificate a .NET peer rejected sees: its handshake succeeded and
    /// the peer left (end of stream, or a reset), or, if the peer was still shaking hands, a
    /// closed connection. Never a crash, never a hang.
    /// </summary>
    private static void AssertPeerLeft(Exception? error)
    {
        if (error is null or ConnectionResetException) return;
        var failure = Assert.IsType<TlsHandshakeException>(error);
        Assert.True(failure.Reason == TlsHandshakeFailure.ConnectionClosed || failure.RejectedByPeer, $"Unexpected: {failure.Reason}");
    }

    private static TlsHandshakeException AssertHandshakeFailure(Exception? error, TlsHandshakeFailure reason)
    {
        var failure = Assert.IsType<TlsHandshakeException>(error);
        Assert.Equal(reason, failure.Reason);
        return failure;
    }

    [Theory]
    [InlineData(5, SslProtocols.None)]
    [InlineData(1024 * 1024, SslProtocols.None)]
    [InlineData(1024 * 1024, SslProtocols.Tls12)]
    public void Echo_over_TLS_is_exact(int size, SslProtocols protocols)
    {
        EventLoop.Run(async () =>
        {
            await using var server = await TlsStreams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0, ServerTls());
            var options = ClientTls();
            options.EnabledSslProtocols = protocols;
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, options);
            if (protocols == SslProtocols.None) Assert.Contains(client.NegotiatedProtocol, new[] { SslProtocols.Tls12, SslProtocols.Tls13 });
            else Assert.Equal(protocols, client.NegotiatedProtocol);
            Assert.Equal(TestCertificates.Server.Thumbprint, client.RemoteCertificate!.Thumbprint);
            var data = StreamEchoTests.Payload(size, size);
            Assert.Equal(data, await RoundTrip(client, data));
            Assert.True(client.Reader.AtEnd);
        });
    }

    [Fact]
    public void Lines_and_separators_read_with_a_limit_over_TLS()
    {
        EventLoop.Run(async () =>
        {
            string? overrun = null;
            var lines = new List<string>();
            await using var server = await TlsStreams.StartServerAsync(async connection =>
            {
                lines.Add(Encoding.ASCII.GetString((await connection.Reader.ReadLineAsync()).Span));
                lines.Add(Encoding.ASCII.GetString((await connection.Reader.ReadUntilAsync(";;"u8.ToArray())).Span));
                try { await connection.Reader.ReadLineAsync(); }
                catch (LimitOverrunException e) { overrun = e.Message; }
                var rest = new byte[100];
                await connection.Reader.ReadExactlyAsync(rest.AsMemory(0, 41));
                lines.Add(Encoding.ASCII.GetString(rest, 0, 41));
                Assert.Equal(0, (await connection.Reader.ReadLineAsync()).Length);
            }, "127.0.0.1", 0, ServerTls(), new ServerOptions { ReadLimit = 16 });
            await using var client = await TlsStreams.OpenConnectionAsync("localhost", server.Port, ClientTls());
            var tooLong = new string('x', 40) + "\n";
            // One byte per write: lines arrive split across many TLS records.
            foreach (byte b in Encoding.ASCII.GetBytes("one\ntwo;;" + tooLong)) client.Writer.Write([b]);
            client.Writer.WriteEof();
            Assert.Equal(0, await client.Reader.ReadAsync(new byte[1]));
            Assert.Equal(["one\n", "two;;", tooLong], lines);
            Assert.Contains("ReadLimit", overrun);
        });
    }

    [Fact]
    public void ALPN_settles_on_the_protocol_both_sides_speak()
    {
        EventLoop.Run(async () =>
        {
            SslApplicationProtocol seenByServer = default;
            var tls = ServerTls();
            tls.ApplicationProtocols = [SslApplicationProtocol.Http11];
            await using var server = await TlsStreams.StartServerAsync(connection =>
            {
                seenByServer = connection.NegotiatedApplicationProtocol;
                return Task.CompletedTask;
            }, "127.0.0.1", 0, tls);
            var options = ClientTls();
            options.ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, options);
            Assert.Equal(SslApplicationProtocol.Http11, client.NegotiatedApplicationProtocol);
            Assert.Equal(0, await client.Reader.ReadAsync(new byte[1]));
            Assert.Equal(SslApplicationProtocol.Http11, seenByServer);

            // A client that offers nothing gets no protocol, and no failure.
            await using var plain = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, ClientTls());
            Assert.Equal(default, plain.NegotiatedApplicationProtocol);
        });
    }

    [Fact]
    public void ALPN_without_a_common_protocol_is_a_protocol_mismatch()
    {
        EventLoop.Run(async () =>
        {
            var server = ServerTls();
            server.ApplicationProtocols = [SslApplicationProtocol.Http11];
            var client = ClientTls();
            client.ApplicationProtocols = [SslApplicationProtocol.Http2];
            var (serverError, clientError, _) = await HandshakeBoth(server, client);
            // OpenSSL refuses inside the handshake, with an alert (no_application_protocol).
            Assert.Contains("ApplicationProtocols", AssertHandshakeFailure(serverError, TlsHandshakeFailure.ProtocolMismatch).Message);
            Assert.True(AssertHandshakeFailure(clientError, TlsHandshakeFailure.ProtocolMismatch).RejectedByPeer);
        });
    }

    [Fact]
    public void SNI_picks_the_certificate_by_host_name()
    {
        EventLoop.Run(async () =>
        {
            var names = new List<string>();
            var tls = ServerTls();
            tls.CertificateSelector = name => name switch
            {
                "a.test" => TestCertificates.AlphaTest,
                "b.test" => TestCertificates.BetaTest,
                _ => null,
            };
            await using var server = await TlsStreams.StartServerAsync(connection =>
            {
                names.Add(connection.TargetHostName);
                return Task.CompletedTask;
            }, "127.0.0.1", 0, tls);
            foreach (var (name, expected) in new[] { ("a.test", TestCertificates.AlphaTest), ("b.test", TestCertificates.BetaTest), ("localhost", TestCertificates.Server) })
            {
                var options = ClientTls();
                options.TargetHost = name;
                await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, options);
                Assert.Equal(expected.Thumbprint, client.RemoteCertificate!.Thumbprint);
                Assert.Equal(0, await client.Reader.ReadAsync(new byte[1]));
            }
            Assert.Equal(["a.test", "b.test", "localhost"], names);
        });
    }

    [Fact]
    public void A_required_client_certificate_is_checked_and_seen_by_the_server()
    {
        EventLoop.Run(async () =>
        {
            string? seen = null;
            var tls = ServerTls();
            tls.ClientCertificateRequired = true;
            tls.TrustedRoots = TestCertificates.TrustCa;
            await using var server = await TlsStreams.StartServerAsync(async connection =>
            {
                seen = connection.RemoteCertificate?.Thumbprint;
                await connection.Writer.WriteAsync("welcome\n"u8.ToArray());
            }, "127.0.0.1", 0, tls);
            var options = ClientTls();
            options.ClientCertificate = TestCertificates.Client;
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, options);
            Assert.Equal("welcome\n", Encoding.ASCII.GetString((await client.Reader.ReadLineAsync()).Span));
            Assert.Equal(TestCertificates.Client.Thumbprint, seen);
        });
    }

    [Fact]
    public void A_missing_client_certificate_is_reported_as_ClientCertificateRequired()
    {
        EventLoop.Run(async () =>
        {
            var server = ServerTls();
            server.ClientCertificateRequired = true;
            server.TrustedRoots = TestCertificates.TrustCa;
            var (serverError, clientError, read) = await HandshakeBoth(server, ClientTls());
            var failure = AssertHandshakeFailure(serverError, TlsHandshakeFailure.ClientCertificateRequired);
            Assert.Contains("TlsClientOptions.ClientCertificate", failure.Message);
            // The client's handshake succeeded (see HandshakeBoth); the server then left without a word.
            Assert.True(read == "" || clientError is ConnectionResetException, "The client should have seen the server leave.");
        });
    }

    [Fact]
    public void An_untrusted_client_certificate_is_rejected()
    {
        EventLoop.Run(async () =>
        {
            var server = ServerTls();
            server.ClientCertificateRequired = true; // and the machine's store does not trust the test CA
            var client = ClientTls();
            client.ClientCertificate = TestCertificates.Client;
            var (serverError, clientError, read) = await HandshakeBoth(server, client);
            var failure = AssertHandshakeFailure(serverError, TlsHandshakeFailure.ClientCertificateRejected);
            Assert.Contains("chain to a trusted root", failure.Message);
            Assert.True(read == "" || clientError is ConnectionResetException, "The client should have seen the server leave.");
        });
    }

    [Fact]
    public void The_systems_validation_rejects_a_certificate_from_an_unknown_CA()
    {
        EventLoop.Run(async () =>
        {
            var (serverError, clientError, _) = await HandshakeBoth(ServerTls(), new TlsClientOptions());
            var failure = AssertHandshakeFailure(clientError, TlsHandshakeFailure.UntrustedCertificate);
            Assert.False(failure.RejectedByPeer);
            Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, failure.PolicyErrors);
            Assert.True((failure.ChainStatus & (X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.UntrustedRoot)) != 0);
            Assert.Contains("TrustedRoots", failure.Message);
            AssertPeerLeft(serverError);
        });
    }

    [Fact]
    public void A_certificate_for_another_name_is_a_name_mismatch()
    {
        EventLoop.Run(async () =>
        {
            var client = ClientTls();
            client.TargetHost = "wrong.example";
            var (serverError, clientError, _) = await HandshakeBoth(ServerTls(), client);
            var failure = AssertHandshakeFailure(clientError, TlsHandshakeFailure.NameMismatch);
            Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, failure.PolicyErrors);
            Assert.Contains("wrong.example", failure.Message);
            Assert.Contains("DNS:localhost", failure.Message);
            AssertPeerLeft(serverError);
        });
    }

    [Fact]
    public void An_expired_certificate_is_reported_as_expired()
    {
        EventLoop.Run(async () =>
        {
            var (serverError, clientError, _) = await HandshakeBoth(ServerTls(TestCertificates.Expired), ClientTls());
            var failure = AssertHandshakeFailure(clientError, TlsHandshakeFailure.ExpiredCertificate);
            Assert.Equal(X509ChainStatusFlags.NotTimeValid, failure.ChainStatus);
            Assert.Contains("Renew", failure.Message);
            AssertPeerLeft(serverError);
        });
    }

    [Fact]
    public void No_common_TLS_version_is_a_protocol_mismatch()
    {
        EventLoop.Run(async () =>
        {
            var server = ServerTls();
            server.EnabledSslProtocols = SslProtocols.Tls13;
            var client = ClientTls();
            client.EnabledSslProtocols = SslProtocols.Tls12;
            var (serverError, clientError, _) = await HandshakeBoth(server, client);
            Assert.Contains("EnabledSslProtocols", AssertHandshakeFailure(serverError, TlsHandshakeFailure.ProtocolMismatch).Message);
            Assert.True(AssertHandshakeFailure(clientError, TlsHandshakeFailure.ProtocolMismatch).RejectedByPeer);
        });
    }

    [Fact]
    public void A_custom_validation_callback_can_trust_a_private_CA()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await TlsStreams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0, ServerTls());
            var seen = SslPolicyErrors.None;
            var options = new TlsClientOptions
            {
                // What TrustedRoots does for you: chain to the test CA only, never the machine's store.
                ServerCertificateValidation = (certificate, _, errors) =>
                {
                    seen = errors;
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(TestCertificates.Ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate);
                },
            };
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, options);
            Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, seen);
            Assert.Equal("ok"u8.ToArray(), await RoundTrip(client, "ok"u8.ToArray()));

            // A callback that says no, though the system found nothing wrong, is named as the cause.
            var strict = ClientTls();
            strict.ServerCertificateValidation = (_, _, _) => false;
            var error = await Assert.ThrowsAsync<TlsHandshakeException>(() => TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, strict));
            Assert.Equal(TlsHandshakeFailure.CertificateRejected, error.Reason);
            Assert.Contains("ServerCertificateValidation", error.Message);
        });
    }

    [Fact]
    public void A_silent_client_is_disconnected_after_the_handshake_timeout()
    {
        var log = new TestLogger();
        var clock = new VirtualClock { AutoJumpThreshold = TimeSpan.FromMilliseconds(5) };
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            await using var server = await TlsStreams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0, ServerTls());
            var started = loop.Time;
            await using var silent = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            try
            {
                Assert.Equal(0, await silent.Reader.ReadAsync(new byte[1]));
            }
            catch (ConnectionResetException)
            {
                // The server aborts the connection: a reset is as good as an end.
            }
            var waited = loop.Time - started;
            Assert.InRange(waited, TlsServerOptions.DefaultHandshakeTimeout, TlsServerOptions.DefaultHandshakeTimeout + TimeSpan.FromSeconds(1));
        }, new LoopOptions { Clock = clock, LoggerFactory = log });
        var entry = Assert.Single(log.Entries, e => e.Message.Contains("TLS handshake failed"));
        output.WriteLine(entry.Message);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Contains("Timeout", entry.Message);
        Assert.Contains("HandshakeTimeout", entry.Message);
    }

    [Fact]
    public void A_client_facing_a_silent_server_fails_with_Timeout()
    {
        var clock = new VirtualClock { AutoJumpThreshold = TimeSpan.FromMilliseconds(5) };
        EventLoop.Run(async () =>
        {
            // A plain server that accepts and never answers the ClientHello.
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                while (await connection.Reader.ReadAsync(new byte[1024]) > 0) { }
            }, "127.0.0.1", 0);
            var options = ClientTls();
            options.HandshakeTimeout = TimeSpan.FromSeconds(3);
            var started = EventLoop.Current.Time;
            var error = await Assert.ThrowsAsync<TlsHandshakeException>(() => TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, options));
            Assert.Equal(TlsHandshakeFailure.Timeout, error.Reason);
            Assert.Contains("HandshakeTimeout", error.Message);
            Assert.InRange(EventLoop.Current.Time - started, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4));

            // The caller's own cancellation is not a timeout: it stays an OperationCanceledException.
            using var cts = new CancellationTokenSource();
            var attempt = TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, ClientTls(), cancellationToken: cts.Token);
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => attempt);
        }, new LoopOptions { Clock = clock });
    }

    [Fact]
    public void The_server_survives_failed_handshakes_and_serves_the_next_client()
    {
        var log = new TestLogger();
        EventLoop.Run(async () =>
        {
            var tls = ServerTls();
            tls.ApplicationProtocols = [SslApplicationProtocol.Http11];
            await using var server = await TlsStreams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0, tls);
            // Plain text on a TLS port.
            await using (var plain = await Streams.OpenConnectionAsync("127.0.0.1", server.Port))
            {
                plain.Writer.Write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"u8);
                try { while (await plain.Reader.ReadAsync(new byte[256]) > 0) { } }
                catch (ConnectionResetException) { }
            }
            // A client that gives up half-way through its hello.
            await using (var quitter = await Streams.OpenConnectionAsync("127.0.0.1", server.Port))
            {
                quitter.Writer.Write([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
                await quitter.Writer.FlushAsync();
            }
            // A client that speaks no protocol the server does.
            var h2Only = ClientTls();
            h2Only.ApplicationProtocols = [SslApplicationProtocol.Http2];
            await Assert.ThrowsAsync<TlsHandshakeException>(() => TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, h2Only));

            var good = ClientTls();
            good.ApplicationProtocols = [SslApplicationProtocol.Http11];
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, good);
            Assert.Equal("still here"u8.ToArray(), await RoundTrip(client, "still here"u8.ToArray()));
            while (server.ConnectionCount > 0) await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(1));
        }, new LoopOptions { LoggerFactory = log });
        var failures = log.Entries.Where(e => e.Message.Contains("TLS handshake failed")).ToList();
        foreach (var failure in failures) output.WriteLine($"{failure.Level}: {failure.Message}");
        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, e => e.Message.Contains("does not seem to speak TLS"));
        Assert.Contains(failures, e => e.Message.Contains("(ConnectionClosed)"));
        Assert.Contains(failures, e => e.Message.Contains("(ProtocolMismatch)"));
        Assert.All(failures, e => Assert.Equal(LogLevel.Debug, e.Level));
        // (The first handshake of a process may trip the stall detector: OpenSSL initialises then.)
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning && !e.Message.Contains("has been blocked"));
    }

    [Fact]
    public void STARTTLS_upgrades_a_connection_whose_reader_already_holds_the_client_hello()
    {
        EventLoop.Run(async () =>
        {
            int bufferedAtUpgrade = -1;
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                await connection.Writer.WriteAsync("220 ready\n"u8.ToArray());
                var command = await connection.Reader.ReadLineAsync();
                Assert.Equal("STARTTLS\n", Encoding.ASCII.GetString(command.Span));
                bufferedAtUpgrade = connection.Reader.Buffered;
                await using var secure = await TlsStreams.UpgradeServerAsync(connection, ServerTls());
                await EchoUntilEnd(secure);
            }, "127.0.0.1", 0);
            await using var plain = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            Assert.Equal("220 ready\n", Encoding.ASCII.GetString((await plain.Reader.ReadLineAsync()).Span));
            // No wait for a "go ahead": the hello follows the command at once, in the same read.
            plain.Writer.Write("STARTTLS\n"u8);
            var options = ClientTls();
            options.TargetHost = "localhost";
            await using var secure = await TlsStreams.UpgradeClientAsync(plain, options);
            Assert.True(bufferedAtUpgrade > 0, "The server's reader should have held the start of the ClientHello.");
            Assert.Equal("secret"u8.ToArray(), await RoundTrip(secure, "secret"u8.ToArray()));
        });
    }

    /// <remarks>
    /// SslStream's internal continuations are checked as well: every read and write they make
    /// goes through the connection's reader and writer, which throw when used off the loop
    /// thread (and did, before the transport stream resumed SslStream without the loop's
    /// SynchronizationContext: see TlsTransportStream).
    /// </remarks>
    [Fact]
    public void Every_continuation_and_callback_runs_on_the_loop_thread()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var loop = EventLoop.Current;
            var seen = new List<(string Where, int Thread)>();
            void Note(string where) => seen.Add((where, Environment.CurrentManagedThreadId));
            // After an await, user code is also back under the loop's context (or its coroutine's,
            // which posts to the loop as well), so its next await returns to the loop.
            void NoteAwait(string where)
            {
                Note(where);
                var context = SynchronizationContext.Current;
                Assert.True(context == loop.SynchronizationContext || (context is Coroutine c && c.Loop == loop),
                    $"{where} resumed under {context?.GetType().Name ?? "no context"}");
            }
            var tls = ServerTls();
            tls.ClientCertificateRequired = true;
            tls.CertificateSelector = _ => { Note("selector"); return null; };
            tls.ClientCertificateValidation = (_, _, errors) => { Note("server validation"); return errors == SslPolicyErrors.RemoteCertificateChainErrors; };
            tls.OnAuthenticate = (_, _) => Note("server OnAuthenticate");
            await using var server = await TlsStreams.StartServerAsync(async connection =>
            {
                NoteAwait("handler");
                var buffer = new byte[1000];
                int n;
                while ((n = await connection.Reader.ReadAsync(buffer)) > 0)
                {
                    NoteAwait("server read");
                    await connection.Writer.WriteAsync(buffer.AsMemory(0, n));
                    NoteAwait("server write");
                }
            }, "127.0.0.1", 0, tls);
            var options = ClientTls();
            options.ClientCertificate = TestCertificates.Client;
            options.ServerCertificateValidation = (_, _, errors) => { Note("client validation"); return errors == SslPolicyErrors.None; };
            options.OnAuthenticate = _ => Note("client OnAuthenticate");
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, options);
            NoteAwait("client connected");
            Assert.Equal(200_000, (await RoundTrip(client, new byte[200_000])).Length);
            NoteAwait("client done");
            Assert.All(["selector", "server validation", "server OnAuthenticate", "client validation", "client OnAuthenticate", "handler", "server read", "server write"],
                where => Assert.Contains(seen, s => s.Where == where));
            Assert.All(seen, s => Assert.Equal(loopThread, s.Thread));
        });
    }

    [Fact]
    public void A_peer_that_vanishes_ends_reads_with_ConnectionResetException()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await TlsStreams.StartServerAsync(async connection =>
            {
                await connection.Writer.WriteAsync("bye\n"u8.ToArray());
                await connection.Writer.FlushAsync();
                connection.Abort();
            }, "127.0.0.1", 0, ServerTls());
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, ClientTls());
            Assert.Equal("bye\n", Encoding.ASCII.GetString((await client.Reader.ReadLineAsync()).Span));
            await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(20));
            await Assert.ThrowsAsync<ConnectionResetException>(async () => await client.Reader.ReadAsync(new byte[10]));
            client.Abort();
            await Assert.ThrowsAsync<ConnectionResetException>(async () => await client.Reader.ReadAsync(new byte[10]));
            Assert.Throws<ConnectionResetException>(() => client.Writer.Write("x"u8));
        });
    }

    [Fact]
    public void A_cancelled_read_loses_no_data()
    {
        EventLoop.Run(async () =>
        {
            var go = new TaskCompletionSource();
            await using var server = await TlsStreams.StartServerAsync(async connection =>
            {
                await go.Task;
                await connection.Writer.WriteAsync("late\n"u8.ToArray());
                await connection.Writer.FlushAsync();
            }, "127.0.0.1", 0, ServerTls());
            await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", server.Port, ClientTls());
            using (var cts = new CancellationTokenSource())
            {
                var read = client.Reader.ReadAsync(new byte[10], cts.Token).AsTask();
                await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(5));
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
            }
            go.SetResult();
            Assert.Equal("late\n", Encoding.ASCII.GetString((await client.Reader.ReadLineAsync()).Span));
        });
    }

    [Fact]
    public void Certificates_load_from_PEM_and_PFX_files_and_self_signed_ones_work()
    {
        string dir = Directory.CreateTempSubdirectory("eddy-tls-").FullName;
        try
        {
            string certPem = Path.Combine(dir, "server.pem"), keyPem = Path.Combine(dir, "server.key");
            string bothPem = Path.Combine(dir, "both.pem"), chainPem = Path.Combine(dir, "fullchain.pem"), pfx = Path.Combine(dir, "server.pfx");
            File.WriteAllText(certPem, TestCertificates.Server.ExportCertificatePem());
            File.WriteAllText(keyPem, TestCertificates.Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(bothPem, File.ReadAllText(certPem) + "\n" + File.ReadAllText(keyPem));
            File.WriteAllText(chainPem, File.ReadAllText(certPem) + "\n" + TestCertificates.Ca.ExportCertificatePem());
            File.WriteAllBytes(pfx, TestCertificates.Server.Export(X509ContentType.Pkcs12, "secret"));

            foreach (var loaded in new[] { TlsCertificates.LoadFromFile(certPem, keyPem), TlsCertificates.LoadFromFile(bothPem), TlsCertificates.LoadFromFile(pfx, password: "secret") })
            {
                Assert.Equal(TestCertificates.Server.Thumbprint, loaded.Thumbprint);
                Assert.True(loaded.HasPrivateKey);
            }
            var intermediates = TlsCertificates.LoadIntermediatesFromFile(chainPem);
            Assert.Equal(TestCertificates.Ca.Thumbprint, Assert.Single(intermediates).Thumbprint);

            var noKey = Assert.Throws<System.Security.Cryptography.CryptographicException>(() => TlsCertificates.LoadFromFile(certPem));
            Assert.Contains("keyPath", noKey.Message);
            var wrongPassword = Assert.Throws<System.Security.Cryptography.CryptographicException>(() => TlsCertificates.LoadFromFile(pfx, password: "wrong"));
            Assert.Contains("password", wrongPassword.Message);
            Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => TlsCertificates.LoadFromFile(Path.Combine(dir, "missing.pem"))).Message);
            Assert.Contains("no certificate", Assert.Throws<ArgumentException>(() => TlsStreams.WrapHandler(_ => Task.CompletedTask, new TlsServerOptions())).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        var selfSigned = TlsCertificates.CreateSelfSigned("localhost");
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", TlsCertificates.Sha256Fingerprint(selfSigned));
        EventLoop.Run(async () =>
        {
            await using var server = await TlsStreams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0, new TlsServerOptions { Certificate = selfSigned });
            // Trusting the self-signed certificate itself, for this connection only.
            await using var client = await TlsStreams.OpenConnectionAsync("localhost", server.Port, new TlsClientOptions { TrustedRoots = new(selfSigned) });
            Assert.Equal("self"u8.ToArray(), await RoundTrip(client, "self"u8.ToArray()));
        });
    }

    /// <summary>The openssl command-line tool, for talking to a peer that sends TLS alerts; null when absent.</summary>
    private static readonly string? OpenSsl = Environment.GetEnvironmentVariable("PATH")?.Split(':')
        .Select(d => Path.Combine(d, "openssl")).FirstOrDefault(File.Exists);

    [Fact]
    public void Alerts_from_an_OpenSSL_peer_name_the_cause()
    {
        if (OpenSsl is null)
        {
            output.WriteLine("openssl is not installed: nothing to talk to, nothing checked.");
            return;
        }
        string dir = Directory.CreateTempSubdirectory("eddy-tls-").FullName;
        try
        {
            string certPem = Path.Combine(dir, "server.pem"), keyPem = Path.Combine(dir, "server.key");
            string caPem = Path.Combine(dir, "ca.pem"), otherCaPem = Path.Combine(dir, "other-ca.pem");
            File.WriteAllText(certPem, TestCertificates.Server.ExportCertificatePem());
            File.WriteAllText(keyPem, TestCertificates.Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(caPem, TestCertificates.Ca.ExportCertificatePem());
            File.WriteAllText(otherCaPem, TlsCertificates.CreateSelfSigned("other.example").ExportCertificatePem());
            EventLoop.Run(async () =>
            {
                // 1. OpenSSL's client checks the certificate inside the handshake, and says why it refuses it.
                var failed = new TaskCompletionSource<Exception?>();
                var tls = new TlsServerOptions { Certificate = TlsCertificates.LoadFromFile(certPem, keyPem) };
                await using (var server = await Streams.StartServerAsync(async connection =>
                {
                    try
                    {
                        await using var secure = await TlsStreams.UpgradeServerAsync(connection, tls);
                        failed.TrySetResult(null);
                    }
                    catch (Exception e)
                    {
                        failed.TrySetResult(e);
                    }
                }, "127.0.0.1", 0))
                {
                    await RunOpenSsl($"s_client -connect 127.0.0.1:{server.Port} -servername localhost -CAfile {otherCaPem} -verify_return_error");
                    var error = await failed.Task;
                    Describe("server", error);
                    var failure = AssertHandshakeFailure(error, TlsHandshakeFailure.UntrustedCertificate);
                    Assert.True(failure.RejectedByPeer);
                    Assert.Contains("unknown ca", failure.Message);
                }

                // 2. OpenSSL's server requires a client certificate, and says so when there is none.
                int port = FreePort();
                using var openssl = StartOpenSsl($"s_server -accept 127.0.0.1:{port} -cert {certPem} -key {keyPem} -CAfile {caPem} -Verify 1 -naccept 1");
                try
                {
                    while (await EventLoop.Current.ToThreadAsync(() => openssl.StandardOutput.ReadLine()) is { } line && !line.StartsWith("ACCEPT")) { }
                    var options = ClientTls();
                    options.TargetHost = "localhost";
                    await using var client = await TlsStreams.OpenConnectionAsync("127.0.0.1", port, options);
                    // TLS 1.3: the client's handshake is over before the server has looked at its certificate.
                    var reset = await Assert.ThrowsAsync<ConnectionResetException>(async () => await client.Reader.ReadAsync(new byte[10]));
                    Describe("client", reset);
                    var late = Assert.IsType<TlsHandshakeException>(reset.InnerException);
                    Assert.Equal(TlsHandshakeFailure.ClientCertificateRequired, late.Reason);
                    Assert.True(late.RejectedByPeer);
                }
                finally
                {
                    openssl.Kill();
                }
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Process StartOpenSsl(string arguments) => Process.Start(new ProcessStartInfo(OpenSsl!, arguments)
    {
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    })!;

    /// <summary>Runs openssl to the end, on a worker thread (waiting for a process would block the loop).</summary>
    private async Task RunOpenSsl(string arguments)
    {
        string text = await EventLoop.Current.ToThreadAsync(() =>
        {
            using var process = StartOpenSsl(arguments);
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return stdout + stderr.Result;
        });
        output.WriteLine(text.Length > 2000 ? text[^2000..] : text);
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
